"""`/ops`: the ops console's pages to look at — the overview, search and an order's whole
timeline. The exception queue is `console_worklist`; what staff change, `console_work`."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ordertrail.app.addresses import order_page
from ordertrail.app.casework.assignees import assignees
from ordertrail.app.casework.case_views import cases_shown, show_cases
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.fleet.tracking import address_region, delivery_positions
from ordertrail.app.measures.kpis import report, scope_of
from ordertrail.app.measures.overview import overview
from ordertrail.app.queries import find_orders, list_orders, order_detail, outbox_messages
from ordertrail.app.staff.access_ports import StaffSession
from ordertrail.app.staff.redaction import cases_for, order_for, sees_contact
from ordertrail.domain.access import Permission
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.order_status import OrderStatus
from ordertrail.web.api.auth import as_principal, signed_in
from ordertrail.web.console.views import PRIVATE, console_templates, render

Reader = Annotated[StaffSession, Depends(signed_in(Permission.READ_ORDERS))]
CaseReader = Annotated[StaffSession, Depends(signed_in(Permission.READ_EXCEPTIONS))]
PAGE = 100


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    views = console_templates()

    @pages.get("/ops", response_class=HTMLResponse)
    async def home(request: Request, session: Reader) -> Response:
        system = request.app.state.system
        seen = await run_in_threadpool(overview, system.uows, system.clock.now())
        seen = replace(seen, stalled=cases_for(as_principal(session), seen.stalled))
        shown = await run_in_threadpool(show_cases, system.uows, seen.stalled, system.clock.now())
        kpis = None
        if as_principal(session).may(Permission.READ_KPIS):  # the last four weeks' headlines
            kpis = await run_in_threadpool(report, system.uows, scope_of(system.clock.now()))
        return render(
            views, request, "ops_overview.html", session, seen=seen, shown=shown, kpis=kpis
        )

    @pages.get("/ops/search", response_class=HTMLResponse)
    async def search(
        request: Request, session: Reader, q: Annotated[str, Query(max_length=320)] = ""
    ) -> Response:
        """By order number, platform id, customer email or tracking number; one hit opens."""
        system = request.app.state.system
        who = as_principal(session)
        found = await run_in_threadpool(find_orders, system.uows, q, by_email=sees_contact(who))
        if len(found) == 1:
            return RedirectResponse(order_page(found[0].id), status_code=303, headers=PRIVATE)
        return render(views, request, "ops_search.html", session, q=q, found=found)

    @pages.get("/ops/orders", response_class=HTMLResponse)
    async def orders(
        request: Request,
        session: Reader,
        status: OrderStatus | None = None,
        needs_attention: bool | None = None,
        after: Annotated[str | None, Query(max_length=100)] = None,
    ) -> Response:
        """Orders by number, filtered by status or trouble, a page at a time."""
        listing = partial(
            list_orders,
            request.app.state.system.uows,
            status=status,
            needs_attention=needs_attention,
            after=after,
            limit=PAGE + 1,
        )
        found = await run_in_threadpool(listing)
        chosen = {"status": status.value if status else "", "needs_attention": needs_attention}
        following = None
        if len(found) > PAGE:  # the same filters, after this page's last order
            query = {"after": found[PAGE - 1].id}
            if status:
                query["status"] = status.value
            if needs_attention is not None:
                query["needs_attention"] = str(needs_attention).lower()
            following = "/ops/orders?" + urlencode(query)
        return render(
            views,
            request,
            "ops_orders.html",
            session,
            found=found[:PAGE],
            statuses=list(OrderStatus),
            chosen=chosen,
            following=following,
        )

    @pages.get("/ops/orders/{order_id:path}", response_class=HTMLResponse)
    async def order(
        request: Request, session: Reader, order_id: Annotated[str, Path(max_length=100)]
    ) -> Response:
        system = request.app.state.system
        detail = await run_in_threadpool(order_detail, system.uows, order_id)
        if detail is None:
            return render(views, request, "ops_search.html", session, 404, q=order_id, found=[])
        query = CaseQuery(status=None, order_id=order_id)
        shown = await run_in_threadpool(cases_shown, system.uows, query, system.clock.now())
        messages = await run_in_threadpool(outbox_messages, system.uows, None, order_id, 200)
        who = as_principal(session)
        return render(
            views,
            request,
            "ops_order.html",
            session,
            order=order_for(who, detail),
            cases=cases_for(who, shown.cases),
            quiet=shown.quiet,
            assignees=await run_in_threadpool(assignees, system.uows),
            tracking={s.id: s.tracking_number for s in detail.shipments if s.tracking_number},
            contact=sees_contact(who),
            messages=messages,
            milestones=list(Milestone),
            reasons=list(Reason),
            positions=delivery_positions(detail.shipments),
            region=address_region(detail.customer),
        )

    return pages
