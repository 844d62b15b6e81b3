"""`/ops/cases/{id}`: one case with everything needed to work it — its history, the order's
whole timeline and what the customer was told — and the same action menu as its queue row."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ordertrail.app.casework.assignees import assignees
from ordertrail.app.casework.case_page import case_page
from ordertrail.app.staff.access_ports import StaffSession
from ordertrail.app.staff.redaction import cases_for, order_for, sees_contact
from ordertrail.domain.access import Permission
from ordertrail.web.api.auth import as_principal, signed_in
from ordertrail.web.console.views import console_templates, render

CaseReader = Annotated[StaffSession, Depends(signed_in(Permission.READ_EXCEPTIONS))]


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    views = console_templates()

    @pages.get("/ops/cases/{case_id}", response_class=HTMLResponse)
    async def case(
        request: Request, session: CaseReader, case_id: Annotated[int, Path(ge=1, le=2**62)]
    ) -> Response:
        system = request.app.state.system
        found = await run_in_threadpool(case_page, system.uows, case_id, system.clock.now())
        who = as_principal(session)
        shown = cases_for(who, [found.case]) if found else []
        if found is None or not shown:  # no such case, or one this role may not read
            why = f"There is no case {case_id}."
            return render(views, request, "ops_refused.html", session, 404, why=why)
        order = order_for(who, found.order) if found.order else None
        tracking = dict(found.shown.tracking)
        if order is not None:
            tracking |= {s.id: s.tracking_number for s in order.shipments if s.tracking_number}
        return render(
            views,
            request,
            "ops_case.html",
            session,
            case=shown[0],
            others=cases_for(who, found.others),
            order=order,
            messages=found.messages,
            tracking=tracking,
            quiet=found.shown.quiet,
            breaks=found.shown.breaks,
            assignees=await run_in_threadpool(assignees, system.uows),
            contact=sees_contact(who),
            now=system.clock.now(),
        )

    return pages
