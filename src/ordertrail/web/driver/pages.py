"""The driver's pages: sign in with name and PIN (guesses limited per phone, per name from a
phone, and per name from everywhere), then today's stops in driving order with large buttons.
The page works on a flaky connection: `driver.js` queues each action on the phone and sends
it when it can (see `actions.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from limits import parse
from starlette.concurrency import run_in_threadpool

from ordertrail.app.fleet.drivers import sign_in
from ordertrail.app.fleet.views import driver_day
from ordertrail.domain.milestones import Reason
from ordertrail.web.driver.session import DRIVER_COOKIE, driver_session, keep_signed_in
from ordertrail.web.guard import NO_NUL, PRIVATE, Limiter
from ordertrail.web.pages import templates

PER_CLIENT = parse("20/minute")  # every sign-in from one phone
PER_NAME = parse("5/minute")  # wrong PINs for one driver from one phone
OVERALL = parse("50/hour")  # wrong PINs for one driver from everywhere: then it pauses
REFUSED = "Too many tries. Wait a minute, or ask the office for your PIN."


def router() -> APIRouter:
    pages = APIRouter(prefix="/driver", include_in_schema=False)
    views = templates()
    limiter = Limiter("driver-sign-in", PER_CLIENT, PER_NAME, OVERALL)

    def render(request: Request, page: str, status: int = 200, **context: Any) -> HTMLResponse:
        response = views.TemplateResponse(request, page, context, status_code=status)
        response.headers.update(PRIVATE)
        return response

    @pages.get("", response_class=HTMLResponse)
    async def today(request: Request) -> Response:
        session = await driver_session(request)
        if session is None:
            return render(request, "driver_sign_in.html")
        system = request.app.state.system
        now: datetime = system.clock.now()
        zone = ZoneInfo(system.settings.brand_time_zone)
        day = now.astimezone(zone).date()
        routes = await run_in_threadpool(driver_day, system.uows, session.driver, day)
        return render(
            request,
            "driver_stops.html",
            driver=session.driver,
            csrf=session.csrf,
            routes=routes,
            day=day,
            zone=zone,
            reasons=[reason.value for reason in Reason],
        )

    @pages.post("/sign-in", response_class=HTMLResponse)
    async def signing_in(
        request: Request,
        name: Annotated[str, Form(max_length=100, pattern=NO_NUL)],
        pin: Annotated[str, Form(max_length=50, pattern=NO_NUL)],
    ) -> Response:
        who = name.strip()
        refused = limiter.refusal(request, who)
        if refused is not None:
            response = render(request, "driver_sign_in.html", 429, problem=REFUSED, name=name)
            response.headers["Retry-After"] = str(refused.retry_after)
            return response
        system = request.app.state.system
        session = await run_in_threadpool(
            sign_in, system.uows, system.passwords, who, pin, system.clock.now()
        )
        if session is None:
            limiter.wrong(request, who)
            problem = "That name and PIN do not match."
            return render(request, "driver_sign_in.html", 401, problem=problem, name=name)
        signed_in = RedirectResponse("/driver", status_code=303, headers=PRIVATE)
        keep_signed_in(request, signed_in, session.token)
        return signed_in

    @pages.post("/sign-out")
    async def sign_out() -> Response:
        response = RedirectResponse("/driver", status_code=303, headers=PRIVATE)
        response.delete_cookie(DRIVER_COOKIE, path="/driver")
        return response

    return pages
