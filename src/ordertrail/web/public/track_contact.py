"""`/track/contact`: "Contact support" from the tracking page, without JavaScript. The form
comes with the order and parcel filled in; sending it puts the message on the parcel's case
(app/customer/customer_contact.py) and says which. Only the holder of the page's ticket may
write, the same ticket (and the same rate limits) as every other page that can reveal the order; a
form posted from another site is refused, and so is a flood from one address."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from limits import parse
from starlette.concurrency import run_in_threadpool

from ordertrail.app.customer.customer_contact import (
    NotTheirs,
    UnreadableMessage,
    contact_support,
    readable,
)
from ordertrail.app.queries import shipment_detail
from ordertrail.languages.speech import _
from ordertrail.web.guard import NO_NUL, PRIVATE, ClientLimit, Refusal
from ordertrail.web.pages import templates
from ordertrail.web.public.lookup import LOOKUPS, Miss, order_of_ticket

MESSAGES = parse("20/hour")  # messages sent from one address: support reads each one
Ticket = Annotated[str, Form(max_length=64, pattern=NO_NUL)]
Tracking = Annotated[str, Form(max_length=100, pattern=NO_NUL)]
#: read here rather than refused by the form's parser, so a too long or broken message is
#: answered with the form and the reason, keeping what was typed
Message = Annotated[str, Form(max_length=20_000)]


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    views = templates()
    messages = ClientLimit("contact", MESSAGES)

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        brand = request.app.state.brands.pick(request.url.hostname, context.get("channel"))
        page = views.TemplateResponse(request, name, {"brand": brand, **context}, status)
        page.headers.update(PRIVATE)
        return page

    def refused(request: Request, problem: str, status: int, wait: int | None = None) -> Response:
        page = render(request, "track_contact_refused.html", status, problem=problem)
        if wait is not None:
            page.headers["Retry-After"] = str(wait)
        return page

    async def parcel_of(request: Request, ticket: str, tracking: str) -> tuple[str, Any] | Miss:
        """The order and the parcel, when the ticket opens the order that parcel is in."""
        order_id = await order_of_ticket(request, ticket)
        if isinstance(order_id, Miss):
            return order_id
        uows = request.app.state.system.uows
        parcel = await run_in_threadpool(shipment_detail, uows, tracking) if tracking else None
        if parcel is None or parcel.order_id != order_id or parcel.tracking_number != tracking:
            LOOKUPS.wrong(request, f"token:{ticket}")
            return Miss("no_access", 404)
        return order_id, parcel

    @pages.get("/track/contact", response_class=HTMLResponse)
    async def contact_form(
        request: Request,
        ticket: Annotated[str, Query(max_length=64, pattern=NO_NUL)],
        tracking: Annotated[str, Query(max_length=100, pattern=NO_NUL)],
    ) -> Response:
        found = await parcel_of(request, ticket, tracking)
        if isinstance(found, Miss):
            return refused(request, found.problem, found.status, found.retry_after)
        order_id, parcel = found
        return render(
            request,
            "track_contact.html",
            ticket=ticket,
            tracking=tracking,
            order_id=order_id,
            carrier=parcel.carrier,
            message="",
        )

    @pages.post("/track/contact", response_class=HTMLResponse)
    async def contact(
        request: Request, ticket: Ticket, tracking: Tracking, message: Message
    ) -> Response:
        if not same_site(request):
            return refused(request, "other_site", 403)
        if limited := messages.refusal(request):
            return _busy(refused, request, limited)
        found = await parcel_of(request, ticket, tracking)
        if isinstance(found, Miss):
            return refused(request, found.problem, found.status, found.retry_after)
        order_id, parcel = found
        form = {"ticket": ticket, "tracking": tracking, "order_id": order_id}
        form |= {"carrier": parcel.carrier, "message": message.replace("\x00", "")}
        try:
            readable(message)
        except UnreadableMessage as problem:
            return render(request, "track_contact.html", 422, problem=_words(problem), **form)
        system = request.app.state.system
        sending = partial(contact_support, system.uows, ticket, tracking, message)
        try:
            case = await run_in_threadpool(sending, system.clock.now())
        except NotTheirs:
            return refused(request, "no_access", 404)
        return render(
            request, "track_contact_sent.html", ticket=ticket, tracking=tracking, case_id=case.id
        )

    return pages


def same_site(request: Request) -> bool:
    """A form posted from this site. Browsers say where a post comes from in
    `Sec-Fetch-Site` (the page sends no referrer, so their `Origin` is often `null`); an
    `Origin` naming another host is refused too. A client that says neither is no browser
    carrying someone's session: it holds the ticket, or it gets nowhere."""
    fetched = request.headers.get("sec-fetch-site")
    if fetched:
        return fetched in ("same-origin", "none")
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _busy(refused: Any, request: Request, limited: Refusal) -> Response:
    page: Response = refused(request, "busy", 429, limited.retry_after)
    return page


def _words(problem: UnreadableMessage) -> str:
    """The reason, said to the customer."""
    said = str(problem)
    if "at most" in said:
        return _("Your message is too long: please keep it under 2,000 characters.")
    if "cannot be kept" in said:
        return _("Your message holds characters we cannot keep; please type it again.")
    return _("Please write your message.")
