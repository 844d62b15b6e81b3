"""Who the phone is signed in as: the driver's cookie, read on every request."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ordertrail.app.fleet.drivers import SHIFT, DriverSession, session_of

DRIVER_COOKIE = "ordertrail_driver"
CSRF_HEADER = "x-driver-csrf"


async def driver_session(request: Request) -> DriverSession | None:
    token = request.cookies.get(DRIVER_COOKIE, "")
    if not token:
        return None
    system = request.app.state.system
    return await run_in_threadpool(session_of, system.uows, token, system.clock.now())


def keep_signed_in(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        DRIVER_COOKIE,
        token,
        max_age=int(SHIFT.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/driver",
    )
