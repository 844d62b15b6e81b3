"""Signing in to the ops console and out of it.

The session cookie is HttpOnly and SameSite=Strict (Secure behind HTTPS); every console
form carries the session's CSRF token. The sign-in form carries its own token, pinned in a
short-lived cookie, so another site cannot sign a browser in as someone else. Attempts are
rate limited so that a guesser is slowed without locking out the person guessed at
(see guard.Limiter): a right password counts against nothing.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from limits import parse
from starlette.concurrency import run_in_threadpool

from ordertrail.app.staff.access import SESSION_LIFETIME, sign_in, sign_out
from ordertrail.app.staff.access_ports import StaffSession
from ordertrail.domain.access import Permission
from ordertrail.web.api.auth import (
    SESSION_COOKIE,
    PageRefused,
    SignInNeeded,
    checked_csrf,
    staff_session,
)
from ordertrail.web.console.views import PRIVATE, console_templates, render
from ordertrail.web.guard import NO_NUL, Limiter, Refused

LOGIN_COOKIE = "ordertrail_login"
PER_CLIENT = parse("20/minute")  # every attempt from one address
PER_EMAIL = parse("5/minute")  # wrong passwords for one email from one address
#: wrong passwords for one email from every address together: past this, the email is paused
#: for everyone (a guesser spread over many addresses)
OVERALL = parse("100/10 minutes")
#: what the sign-in form says when it will not try
REFUSED = {
    Refused.CLIENT: "Too many sign-in attempts from your network; wait a minute and try again.",
    Refused.HERE: "Too many wrong passwords for this email from your network; wait a minute, "
    "or sign in from elsewhere.",
    Refused.EVERYWHERE: "Too many wrong passwords for this email from many places: signing in "
    "as it is paused for a few minutes. Tell an admin if these were not yours.",
}


def _safe_next(path: str) -> str:
    """Only a path of this site: never another host (`//evil`, `/\\evil`, `https://…`)."""
    ok = path.startswith("/") and not path.startswith("//") and "\\" not in path
    return path if ok and len(path) < 300 else "/ops"


def install(app: FastAPI) -> None:
    views = console_templates()

    @app.exception_handler(PageRefused)
    async def _refused(request: Request, error: PageRefused) -> Response:
        session = staff_session(request)
        return render(views, request, "ops_refused.html", session, 403, why=error.why)

    @app.exception_handler(SignInNeeded)
    async def _sign_in_first(request: Request, error: SignInNeeded) -> RedirectResponse:
        target = "/ops/login?" + urlencode({"next": error.path})
        return RedirectResponse(target, status_code=303, headers=PRIVATE)


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    views = console_templates()
    limiter = Limiter("sign-in", PER_CLIENT, PER_EMAIL, OVERALL)

    def form(request: Request, next_path: str, status: int = 200, **context: object) -> Response:
        token = secrets.token_urlsafe(24)
        response = render(
            views,
            request,
            "ops_login.html",
            None,
            status,
            login_token=token,
            next_path=_safe_next(next_path),
            **context,
        )
        response.set_cookie(
            LOGIN_COOKIE,
            token,
            max_age=1800,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/ops/login",
        )
        return response

    @pages.get("/ops/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/ops") -> Response:
        return form(request, next)

    @pages.post("/ops/login", response_class=HTMLResponse)
    async def login(
        request: Request,
        email: Annotated[str, Form(max_length=320, pattern=NO_NUL)],
        password: Annotated[str, Form(max_length=500, pattern=NO_NUL)],
        login_token: Annotated[str, Form(max_length=100, pattern=NO_NUL)] = "",
        next: Annotated[str, Form(max_length=300, pattern=NO_NUL)] = "/ops",
    ) -> Response:
        pinned = request.cookies.get(LOGIN_COOKIE, "")
        if not pinned or not hmac.compare_digest(pinned.encode(), login_token.encode()):
            return form(request, next, 400, problem="The form expired. Please sign in again.")
        who = email.strip().lower()
        refused = limiter.refusal(request, who)
        if refused is not None:
            response = form(request, next, 429, problem=REFUSED[refused.why])
            response.headers["Retry-After"] = str(refused.retry_after)
            return response
        system = request.app.state.system
        signed = await run_in_threadpool(
            sign_in, system.uows, system.passwords, email, password, system.clock.now()
        )
        if signed is None:
            limiter.wrong(request, who)
            return form(request, next, 401, problem="That email and password do not match.")
        response = RedirectResponse(_safe_next(next), status_code=303, headers=PRIVATE)
        response.set_cookie(
            SESSION_COOKIE,
            signed.token,
            max_age=int(SESSION_LIFETIME.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        response.delete_cookie(LOGIN_COOKIE, path="/ops/login")
        return response

    @pages.post("/ops/logout")
    async def logout(
        request: Request,
        session: Annotated[StaffSession, Depends(checked_csrf(Permission.READ_ORDERS))],
    ) -> Response:
        token = request.cookies.get(SESSION_COOKIE, "")
        await run_in_threadpool(sign_out, request.app.state.system.uows, token)
        response = RedirectResponse("/ops/login", status_code=303, headers=PRIVATE)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return pages
