"""Who is asking: API keys for `/api/v1`, signed-in sessions (with a CSRF token) for the pages.

Every API route declares the permission it needs with `Depends(require(...))`; a test walks
the routes and refuses to pass while one lacks it.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool

from ordertrail.app.staff.access import session_of
from ordertrail.app.staff.access_ports import StaffSession
from ordertrail.app.staff.key_cache import KeyCache
from ordertrail.domain.access import Permission, Principal

SESSION_COOKIE = "ordertrail_session"
# Declares the scheme in the OpenAPI document (so /docs can send a key); the key itself is
# read below, from `Authorization: Bearer` or `X-API-Key`.
_DOCUMENTED = HTTPBearer(auto_error=False, description="An API key: ordertrail keys create")


class PageRefused(Exception):
    """A signed-in staff member may not do this (or the form is stale); answered with a page
    that says why, not JSON."""

    def __init__(self, why: str) -> None:
        self.why = why


class SignInNeeded(Exception):
    """A page needs a signed-in staff member; answered with a redirect to the sign-in form."""

    def __init__(self, path: str) -> None:
        self.path = path


def _presented_key(request: Request) -> str | None:
    given = request.headers.get("authorization", "")
    scheme, _, secret = given.partition(" ")
    if scheme.lower() == "bearer" and secret:
        return secret.strip()
    return request.headers.get("x-api-key") or None


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the principal of the request's API key, if its role has `permission`."""

    async def allowed(
        request: Request, _: Annotated[object, Depends(_DOCUMENTED)] = None
    ) -> Principal:
        secret = _presented_key(request)
        system = request.app.state.system
        keys: KeyCache = system.keys
        principal = None
        if secret:
            # a key checked a moment ago is answered here; only one to look up takes a thread
            principal = keys.known(secret) or await run_in_threadpool(
                keys.principal, secret, system.clock.now()
            )
        if not principal:
            raise HTTPException(
                401,
                "send an API key as 'Authorization: Bearer <key>' (ordertrail keys create)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not principal.may(permission):
            raise HTTPException(
                403, f"a {principal.role.value} key may not {permission.value.replace('_', ' ')}"
            )
        return principal

    allowed.permission = permission  # type: ignore[attr-defined]
    return allowed


def staff_session(request: Request) -> StaffSession | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    system = request.app.state.system
    return session_of(system.uows, token, system.clock.now()) if token else None


def signed_in(permission: Permission) -> Callable[[Request], StaffSession]:
    """A page dependency: the signed-in staff member, if their role has `permission`."""

    def allowed(request: Request) -> StaffSession:
        session = staff_session(request)
        if session is None:  # back to the same page, query included, once signed in
            query = f"?{request.url.query}" if request.url.query else ""
            raise SignInNeeded(request.url.path + query)
        if not as_principal(session).may(permission):
            raise PageRefused(f"Your role may not {permission.value.replace('_', ' ')}.")
        return session

    allowed.permission = permission  # type: ignore[attr-defined]
    return allowed


def as_principal(session: StaffSession) -> Principal:
    return Principal(f"staff:{session.user.email}", session.user.role)


def checked_csrf(
    permission: Permission,
) -> Callable[[Request, str], StaffSession]:
    """A form-post dependency: signed in, allowed, and the form carries the session's CSRF
    token (a page on another site cannot make a signed-in browser post here)."""
    page = signed_in(permission)

    def allowed(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> StaffSession:
        session = page(request)
        if not hmac.compare_digest(csrf.encode(), session.csrf.encode()):
            raise PageRefused("The form is stale or came from elsewhere; reload the page.")
        return session

    allowed.permission = permission  # type: ignore[attr-defined]
    return allowed
