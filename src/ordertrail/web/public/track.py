"""`/track`: the customer's tracking page. Server-rendered, works without JavaScript.

By tracking number alone it shows milestones, city-level places and the ETA; order details
(which items are in which parcel) only when the order number and the email or postal code
match. "Not found" and "does not match" look the same; a failed lookup keeps what was typed
and says what was looked for. Lookups that can reveal an order are rate limited per client and
per identifier; the public parcel view, which reveals nothing private, per client only (so no
stranger can close a parcel's page to its customer). Answers are never cached, never indexed
and send no referrer.
"""

from __future__ import annotations

import hashlib
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from limits import parse
from starlette.concurrency import run_in_threadpool

from ordertrail.app.addresses import parcel_page
from ordertrail.app.casework.cases import NotDelivered
from ordertrail.app.customer.tracking import (
    NotTheirs,
    PublicOrder,
    PublicParcel,
    report_not_arrived,
)
from ordertrail.app.customer.tracking_page import (
    LinkClosed,
    OrderPage,
    Readers,
    page_of_link,
    page_of_order,
    page_of_parcel,
)
from ordertrail.domain.lookup_keys import tracking_numbers
from ordertrail.web.guard import NO_NUL, PRIVATE, ClientLimit, Refusal
from ordertrail.web.pages import templates
from ordertrail.web.public import track_contact, track_glance, track_words
from ordertrail.web.public.language import browser_language, speak_for, varies
from ordertrail.web.public.lookup import LOOKUPS, Miss, look_up
from ordertrail.web.public.order_choices import customer_choices

PARCEL_VIEWS = parse("30/minute")  # every parcel view from one address, and no other count
Text = Annotated[str, Query(max_length=100)]


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False, dependencies=[Depends(browser_language)])
    views = templates()
    views.env.globals.update(
        status_words=track_words.status_words,
        explanation=track_words.explanation,
        next_step=track_words.next_step,
        return_progress=track_words.return_progress,
        return_next=track_words.return_next,
        line_state=track_words.line_state,
        dock_words=track_words.dock_words,
    )
    track_glance.install(views.env)
    pages.include_router(track_contact.router())
    limiter = LOOKUPS  # the same counts as every other page that can reveal an order
    parcel_views = ClientLimit("parcel", PARCEL_VIEWS)

    def render(
        request: Request,
        name: str,
        status: int = 200,
        channel: str | None = None,
        locale: str | None = None,
        **context: Any,
    ) -> HTMLResponse:
        brand = request.app.state.brands.pick(request.url.hostname, channel)
        speak_for(request, locale, brand)  # the order's language, else the browser's
        response = views.TemplateResponse(
            request, name, {"brand": brand, **context}, status_code=status
        )
        response.headers.update(PRIVATE)
        return varies(response)

    def speak_order(request: Request, found: PublicOrder | PublicParcel) -> None:
        """Found: from now on the order's language (the van's words are said in it too)."""
        brand = request.app.state.brands.pick(request.url.hostname, found.channel)
        speak_for(request, found.locale, brand)

    def too_many(request: Request, refused: Refusal, **typed: str) -> HTMLResponse:
        response = render(request, "track_form.html", 429, problem="busy", **typed)
        response.headers["Retry-After"] = str(refused.retry_after)
        return response

    def missed(request: Request, miss: Miss, **typed: str) -> HTMLResponse:
        response = render(request, "track_form.html", miss.status, problem=miss.problem, **typed)
        if miss.retry_after is not None:
            response.headers["Retry-After"] = str(miss.retry_after)
        return response

    def not_found(
        request: Request, identifier: str, problem: str, status: int = 404, **typed: str
    ) -> HTMLResponse:
        limiter.wrong(request, identifier)  # only a miss counts: a customer's own look does not
        return render(request, "track_form.html", status, problem=problem, **typed)

    @pages.get("/track", response_class=HTMLResponse)
    async def track(
        request: Request,
        tracking: Text = "",
        order: Text = "",
        email: Annotated[str, Query(max_length=320)] = "",
        postal_code: Text = "",
    ) -> Response:
        if tracking.strip():
            target = parcel_page(tracking_numbers(tracking)[0])
            return RedirectResponse(target, status_code=303, headers=PRIVATE)
        typed = {"order": order, "email": email, "postal_code": postal_code}
        if not order.strip():
            return render(request, "track_form.html", 200, **typed)
        now = request.app.state.system.clock.now()
        reading = partial(page_of_order, readers_of(request), order, email, postal_code, now)
        found = await look_up(request, order, email, postal_code, reading)
        if isinstance(found, Miss):
            return missed(request, found, **typed)
        return order_page(request, found)

    @pages.get("/track/{tracking}", response_class=HTMLResponse)
    async def parcel(request: Request, tracking: Annotated[str, Path(max_length=100)]) -> Response:
        if refused := parcel_views.refusal(request):
            return too_many(request, refused, tracking=tracking)
        now = request.app.state.system.clock.now()
        found = await run_in_threadpool(page_of_parcel, readers_of(request), tracking, now)
        if found is None:  # counted against nothing but this client's own views
            return render(request, "track_form.html", 404, problem="no_parcel", tracking=tracking)
        shown = found.parcel
        speak_order(request, shown)
        page = render(
            request,
            "track_parcel.html",
            channel=shown.channel,
            locale=shown.locale,
            parcel=shown,
            local=found.local,
            glance=found.glance,
        )
        return revalidated(request, page)

    @pages.get("/t/{token}", response_class=HTMLResponse)
    async def opened_by_link(
        request: Request, token: Annotated[str, Path(max_length=64)]
    ) -> Response:
        """The order a message's link opens, while the link is fresh."""
        identifier = f"token:{token}"
        if refused := limiter.refusal(request, identifier):
            return too_many(request, refused)
        now = request.app.state.system.clock.now()
        found = await run_in_threadpool(page_of_link, readers_of(request), token, now)
        if isinstance(found, LinkClosed):
            if found.expired:
                return not_found(request, identifier, "link_expired", status=410)
            return not_found(request, identifier, "no_link")
        return order_page(request, found)

    def order_page(request: Request, found: OrderPage) -> HTMLResponse:
        order = found.order
        speak_order(request, order)
        return render(
            request,
            "track_order.html",
            channel=order.channel,
            locale=order.locale,
            order=order,
            ticket=found.ticket,
            local=found.local,
            **customer_choices(found),
            glance=found.glance,
        )

    @pages.post("/track/not-arrived", response_class=HTMLResponse)
    async def not_arrived(
        request: Request,
        ticket: Annotated[str, Form(max_length=64, pattern=NO_NUL)],
        tracking: Annotated[str, Form(max_length=100, pattern=NO_NUL)],
        note: Annotated[str, Form(max_length=500, pattern=NO_NUL)] = "",
    ) -> Response:
        """A customer says a parcel shown delivered never came: support gets a case with
        the carrier's proof of delivery, and the customer hears what happens next."""
        identifier = f"not-arrived:{ticket}"
        if refused := limiter.refusal(request, identifier):
            return too_many(request, refused)
        system = request.app.state.system
        told = partial(report_not_arrived, system.uows, ticket, tracking, note, system.clock.now())
        try:
            await run_in_threadpool(told)
        except (NotTheirs, NotDelivered):
            return not_found(request, identifier, "not_taken")
        return render(request, "track_reported.html", tracking=tracking, ticket=ticket)

    return pages


def revalidated(request: Request, page: HTMLResponse) -> Response:
    """A parcel's page asked for again while nothing on it changed: 304, no body. The page
    shows no person, so a browser may keep it (never a shared cache), but asks each time:
    it is tagged by what it says (news, the day's words, the van's progress all change it)."""
    tag = f'"{hashlib.sha256(page.body).hexdigest()[:32]}"'
    headers = {**PRIVATE, "Cache-Control": "private, no-cache", "ETag": tag}
    headers["Vary"] = page.headers.get("Vary", "Accept-Language")  # its words are the browser's
    if _matches(request.headers.get("if-none-match", ""), tag):
        return Response(status_code=304, headers=headers)
    page.headers.update(headers)
    return page


def _matches(if_none_match: str, tag: str) -> bool:
    """Whether an If-None-Match names `tag`: `*`, or a comma-separated list of tags with any
    whitespace, weak (W/) or strong alike (a GET compares them weakly, RFC 9110 13.1.2)."""
    given = [part.strip() for part in if_none_match.split(",")]
    return any(part == "*" or part.removeprefix("W/") == tag for part in given)


def readers_of(request: Request) -> Readers:
    system = request.app.state.system
    return Readers(system.uows, system.views, system.gazetteer)
