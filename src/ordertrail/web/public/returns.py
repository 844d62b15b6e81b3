"""`/returns`: a customer starts a return and follows it. Server-rendered, no JavaScript.

The order is found as `/track` finds it (web/public/lookup.py: the same proof, the same
answer for "unknown" and "does not match", the same counters). From then on the pages carry
the order's ticket, never what was typed: choose lines, quantities and reasons; see what the
policy says (nothing saved); start the return; read its RMA page with the decision, why, and
the shop's return instructions. The ticket is the form token too: another site cannot post
a return for an order it cannot open.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ordertrail.app.addresses import part
from ordertrail.app.customer.tracking import ticket_for
from ordertrail.app.returns.commands import RequestReturn
from ordertrail.app.returns.customer import (
    CustomerReturn,
    NotTaken,
    ReturnableOrder,
    Typed,
    customer_return,
    in_page_words,
    preview_return,
    read_choice,
    returnable,
)
from ordertrail.domain.milestones import SourceKind
from ordertrail.domain.model import DomainError, Source
from ordertrail.domain.returns.return_lines import ReturnFile
from ordertrail.web.guard import PRIVATE
from ordertrail.web.pages import templates
from ordertrail.web.public import returns_words, track_words
from ordertrail.web.public.language import browser_language, speak_for, varies
from ordertrail.web.public.lookup import LOOKUPS, Miss, find_order, order_of_ticket

CUSTOMER = Source(SourceKind.CUSTOMER)
Text = Annotated[str, Query(max_length=100)]
Ticket = Annotated[str, Query(max_length=64)]


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False, dependencies=[Depends(browser_language)])
    views = templates()
    views.env.globals.update(
        status_words=track_words.status_words,
        return_progress=track_words.return_progress,
        reasons=returns_words.REASONS,
        reason_words=returns_words.reason_words,
        verdict=returns_words.verdict,
        why=returns_words.why,
        line_words=returns_words.line_words,
    )

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

    def missed(request: Request, miss: Miss, **typed: str) -> HTMLResponse:
        response = render(request, "returns_form.html", miss.status, problem=miss.problem, **typed)
        if miss.retry_after is not None:
            response.headers["Retry-After"] = str(miss.retry_after)
        return response

    async def choose(
        request: Request,
        order: ReturnableOrder,
        ticket: str,
        typed: Sequence[Typed] = (),
        problems: Sequence[str] = (),
        status: int = 200,
    ) -> HTMLResponse:
        return render(
            request,
            "returns_choose.html",
            status,
            channel=order.channel,
            locale=order.locale,
            order=order,
            ticket=ticket,
            typed={given.sku: given for given in typed},
            problems=problems,
        )

    @pages.get("/returns", response_class=HTMLResponse)
    async def start(
        request: Request,
        order: Text = "",
        email: Annotated[str, Query(max_length=320)] = "",
        postal_code: Text = "",
    ) -> Response:
        typed = {"order": order, "email": email, "postal_code": postal_code}
        if not order.strip():
            return render(request, "returns_form.html", 200, **typed)
        found = await find_order(request, order, email, postal_code)
        if isinstance(found, Miss):
            return missed(request, found, **typed)
        system = request.app.state.system
        making = partial(ticket_for, system.uows, found.order_id, system.clock.now())
        ticket = await run_in_threadpool(making)
        if ticket is None:  # another writer holds the database: a moment later it will not
            return render(request, "returns_form.html", 503, problem="try_again", **typed)
        return await choose(request, await _returnable(request, found.order_id), ticket)

    @pages.get("/returns/new", response_class=HTMLResponse)
    async def new(request: Request, ticket: Ticket = "") -> Response:
        """The choice of lines, for an order the customer opened already (its ticket)."""
        if not ticket:
            return render(request, "returns_form.html", 200)
        opened = await order_of_ticket(request, ticket)
        if isinstance(opened, Miss):
            return missed(request, opened)
        return await choose(request, await _returnable(request, opened), ticket)

    @pages.post("/returns/preview", response_class=HTMLResponse)
    async def preview(request: Request) -> Response:
        """What the policy would say about these lines; nothing is saved."""
        posted = await _posted(request)
        if isinstance(posted, Miss):
            return missed(request, posted)
        ticket, typed, opened, order = posted
        system = request.app.state.system
        speak_for(
            request,
            order.locale,
            request.app.state.brands.pick(request.url.hostname, order.channel),
        )
        try:
            lines = read_choice(order, typed)
            asking = partial(preview_return, system.uows, opened, lines, system.clock.now())
            decision = await run_in_threadpool(asking)
        except NotTaken as refused:
            return await choose(request, order, ticket, typed, refused.problems, 422)
        return render(
            request,
            "returns_preview.html",
            channel=order.channel,
            locale=order.locale,
            order=order,
            ticket=ticket,
            lines=lines,
            names=order.names(),
            decision=decision,
        )

    @pages.post("/returns", response_class=HTMLResponse)
    async def ask(request: Request) -> Response:
        """Start the return; the RMA page follows (a reload does not ask twice)."""
        posted = await _posted(request)
        if isinstance(posted, Miss):
            return missed(request, posted)
        ticket, typed, opened, order = posted
        system = request.app.state.system
        speak_for(
            request,
            order.locale,
            request.app.state.brands.pick(request.url.hostname, order.channel),
        )
        try:
            lines = read_choice(order, typed)
            asked = RequestReturn(opened, lines, CUSTOMER, why="asked on the returns page")
            file: ReturnFile = await run_in_threadpool(system.handle, asked)
        except NotTaken as refused:
            return await choose(request, order, ticket, typed, refused.problems, 422)
        except DomainError as refused:  # the rules, checked again as it is saved
            return await choose(request, order, ticket, typed, [in_page_words(refused)], 422)
        target = f"/returns/{part(file.id)}?{urlencode({'ticket': ticket})}"
        return RedirectResponse(target, status_code=303, headers=PRIVATE)

    @pages.get("/returns/{rma}", response_class=HTMLResponse)
    async def rma_page(
        request: Request, rma: Annotated[str, Path(max_length=100)], ticket: Ticket = ""
    ) -> Response:
        opened = await order_of_ticket(request, ticket)
        if isinstance(opened, Miss):
            return missed(request, opened)
        system = request.app.state.system
        found: CustomerReturn | None = await run_in_threadpool(
            customer_return, system.uows, rma, opened
        )
        if found is None:  # not this order's: as if the ticket opened nothing
            LOOKUPS.wrong(request, f"token:{ticket}")
            return missed(request, Miss("no_ticket", 404))
        instructions = system.settings.returns.instructions.strip()
        return render(
            request,
            "returns_rma.html",
            channel=found.channel,
            locale=found.locale,
            ret=found,
            ticket=ticket,
            instructions=instructions,
        )

    return pages


async def _returnable(request: Request, order_id: str) -> ReturnableOrder:
    return await run_in_threadpool(returnable, request.app.state.system.uows, order_id)


async def _posted(request: Request) -> tuple[str, list[Typed], str, ReturnableOrder] | Miss:
    """The posted form (its ticket and lines), the order its ticket opens, and that order's
    returnable lines; or why the form opens nothing."""
    form = await _form(request)
    if isinstance(form, Miss):
        return form
    ticket, typed = form
    opened = await order_of_ticket(request, ticket)
    if isinstance(opened, Miss):
        return opened
    return ticket, typed, opened, await _returnable(request, opened)


async def _form(request: Request) -> tuple[str, list[Typed]] | Miss:
    """The ticket and the lines as posted: `sku`, `quantity` and `reason`, once per line."""
    form = await request.form()
    ticket = form.get("ticket")
    skus, quantities, reasons = (
        [str(value) for value in form.getlist(name)] for name in ("sku", "quantity", "reason")
    )
    if not isinstance(ticket, str) or not 0 < len(ticket) <= 64:
        return Miss("incomplete", 422)
    fields = [ticket, *skus, *quantities, *reasons]
    complete = len(skus) == len(quantities) == len(reasons)
    if not complete or any(len(value) > 100 or "\x00" in value for value in fields):
        return Miss("incomplete", 422)
    lines = [Typed(*given) for given in zip(skus, quantities, reasons, strict=True)]
    return ticket, lines
