"""`/ops/access`: admins make and revoke API keys and lock staff out, from the console. A new
key's secret is shown on the page that made it, once; lists show only its first characters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ordertrail.app.staff.access import (
    AccessError,
    issue_key,
    list_keys,
    list_staff,
    set_disabled,
)
from ordertrail.app.staff.access_ports import StaffSession
from ordertrail.domain.access import Permission, Role
from ordertrail.web.api.auth import checked_csrf, signed_in
from ordertrail.web.console.views import back, console_templates, render
from ordertrail.web.guard import NO_NUL

Admin = Annotated[StaffSession, Depends(signed_in(Permission.MANAGE_STAFF))]
AdminPost = Annotated[StaffSession, Depends(checked_csrf(Permission.MANAGE_STAFF))]


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    views = console_templates()

    async def page(
        request: Request, session: StaffSession, status: int = 200, **more: object
    ) -> Response:
        uows = request.app.state.system.uows
        keys = await run_in_threadpool(list_keys, uows)
        staff = await run_in_threadpool(list_staff, uows)
        return render(
            views,
            request,
            "ops_access.html",
            session,
            status,
            keys=keys,
            staff=staff,
            roles=list(Role),
            **more,
        )

    @pages.get("/ops/access", response_class=HTMLResponse)
    async def access(request: Request, session: Admin) -> Response:
        return await page(request, session)

    @pages.post("/ops/access/keys", response_class=HTMLResponse)
    async def make_key(
        request: Request,
        session: AdminPost,
        name: Annotated[str, Form(max_length=100, pattern=NO_NUL)],
        role: Annotated[Role, Form()],
        site: Annotated[str, Form(max_length=50, pattern=r"^[A-Za-z0-9_.-]*$")] = "",
    ) -> Response:
        system = request.app.state.system
        try:
            issued = await run_in_threadpool(
                issue_key,
                system.uows,
                name,
                role,
                session.user.email,
                system.clock.now(),
                site=site or None,
            )
        except AccessError as error:
            return await page(request, session, 422, problem=str(error))
        # shown here and nowhere else: the page that made it is never cached
        return await page(request, session, 201, made=issued)

    @pages.post("/ops/access/keys/{key_id}/revoke")
    async def revoke(
        request: Request, session: AdminPost, key_id: Annotated[int, Path(ge=1, le=2**62)]
    ) -> Response:
        system = request.app.state.system
        if not await run_in_threadpool(system.keys.revoke, key_id, system.clock.now()):
            return await page(request, session, 404, problem=f"There is no key {key_id}.")
        return back("/ops/access", "revoked")

    @pages.post("/ops/access/staff/{action}")
    async def lock(
        request: Request,
        session: AdminPost,
        action: Annotated[str, Path(pattern="^(disable|enable)$")],
        email: Annotated[str, Form(max_length=320, pattern=NO_NUL)],
    ) -> Response:
        system = request.app.state.system
        if email.strip().lower() == session.user.email and action == "disable":
            return await page(request, session, 409, problem="You cannot lock yourself out.")
        done = await run_in_threadpool(
            set_disabled, system.uows, email, action == "disable", system.clock.now()
        )
        if not done:
            return await page(request, session, 404, problem=f"No staff member is {email}.")
        return back("/ops/access", f"{action}d")

    return pages
