"""The customer's messages for one order: `/track/sms` adds a number for texts (from the
order's page, with its ticket), `/unsubscribe/{token}` stops its emails. A GET of the
unsubscribe link only asks (mail scanners open links); the POST a mail client's one-click
button sends (RFC 8058), or the page's button, stops them, without signing in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from ordertrail.app.messages.subscriptions import (
    NotTheirOrder,
    UnknownUnsubscribe,
    add_sms_number,
    order_to_unsubscribe,
    unsubscribe,
)
from ordertrail.app.messages.subscriptions_ports import Subscription
from ordertrail.domain.customer.phone import BadPhoneNumber, masked
from ordertrail.languages.speech import N_, _
from ordertrail.web.guard import NO_NUL, PRIVATE
from ordertrail.web.pages import templates
from ordertrail.web.public.lookup import LOOKUPS
from ordertrail.web.public.reroute import refusal, refused_page

BAD_NUMBER = {
    "empty": N_("Please type your mobile number."),
    "no_plus": N_(
        "Please type your number with its country code, starting with + (for example "
        "+44 7700 900123)."
    ),
    "not_digits": N_("A phone number has only digits after the +."),
    "country_code": N_("A country code never starts with 0: please check the number."),
    "length": N_("That number is too short or too long to be a mobile number."),
}
NOT_YOURS = N_("We could not find your order. Please open it again from your email.")
UNKNOWN_LINK = N_(
    "This unsubscribe link is not one we sent. Please use the link in your email, or write "
    "to us and we will stop the emails."
)
Token = Annotated[str, Path(max_length=64, pattern=NO_NUL)]


@dataclass(frozen=True, slots=True)
class SmsView:
    """The page's part for texts: the number they gave, shown by its last digits only."""

    number: str | None


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    views = templates()

    @pages.post("/track/sms", response_class=HTMLResponse)
    async def add_number(
        request: Request,
        ticket: Annotated[str, Form(max_length=64, pattern=NO_NUL)],
        phone: Annotated[str, Form(max_length=40, pattern=NO_NUL)] = "",
    ) -> Response:
        identifier = f"sms:{ticket}"
        if refused := LOOKUPS.refusal(request, identifier):
            return refusal(request, views, "busy", ticket, 429, refused.retry_after)
        system = request.app.state.system
        adding = partial(add_sms_number, system.uows, ticket, phone, system.clock.now())
        try:
            await run_in_threadpool(adding)
        except BadPhoneNumber as bad:
            return refused_page(request, views, _(BAD_NUMBER[bad.why]), ticket, 422, "bad_number")
        except NotTheirOrder:
            LOOKUPS.wrong(request, identifier)
            return refused_page(request, views, _(NOT_YOURS), ticket, 404, "not_yours")
        return RedirectResponse(f"/t/{ticket}#texts", status_code=303, headers=PRIVATE)

    @pages.get("/unsubscribe/{token}", response_class=HTMLResponse)
    async def confirm(request: Request, token: Token) -> Response:
        # Not rate limited by address: one-click POSTs come from the mailbox provider's few
        # servers for all its users, and a 128-bit token is not guessed by trying.
        uows = request.app.state.system.uows
        try:
            found = await run_in_threadpool(order_to_unsubscribe, uows, token)
        except UnknownUnsubscribe:
            return _page(request, views, 404, problem=_(UNKNOWN_LINK))
        return _page(request, views, 200, token=token, order=found.order_id, stopped=found)

    @pages.post("/unsubscribe/{token}", response_class=HTMLResponse)
    async def stop(request: Request, token: Token) -> Response:
        system = request.app.state.system
        stopping = partial(unsubscribe, system.uows, token, system.clock.now())
        try:
            done = await run_in_threadpool(stopping)
        except UnknownUnsubscribe:
            return _page(request, views, 404, problem=_(UNKNOWN_LINK))
        return _page(request, views, 200, order=done.order_id, done=done)

    return pages


def _page(
    request: Request,
    views: Jinja2Templates,
    status: int,
    **context: Any,
) -> HTMLResponse:
    brand = request.app.state.brands.pick(request.url.hostname, None)
    response = views.TemplateResponse(
        request, "unsubscribe.html", {"brand": brand, **context}, status_code=status
    )
    response.headers.update(PRIVATE)
    return response


def sms_view(found: Subscription | None) -> SmsView:
    """What the order's page shows of the texts the customer asked for."""
    number = found.sms_number if found else None
    return SmsView(masked(number) if number else None)
