"""`/ops`: what staff change from the console — work a case, correct a status, map a carrier
code, send a dead letter again. Every form carries the session's CSRF token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ordertrail.app.addresses import order_page
from ordertrail.app.casework.cases import work_case
from ordertrail.app.intake.commands import MapCode
from ordertrail.app.intake.corrections import correction
from ordertrail.app.messages.delivery import retry_dead
from ordertrail.app.queries import outbox_messages, unmapped_codes
from ordertrail.app.staff.access_ports import StaffSession
from ordertrail.domain.access import Permission
from ordertrail.domain.casework.cases import CaseAction, CaseClosed
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import DomainError
from ordertrail.web.api.auth import checked_csrf, signed_in
from ordertrail.web.console.views import back, console_templates, render
from ordertrail.web.guard import NO_NUL

Text = Annotated[str, Form(max_length=2000, pattern=NO_NUL)]


def _by(session: StaffSession) -> str:
    return session.user.email


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    views = console_templates()

    def refused(request: Request, session: StaffSession, status: int, why: str) -> Response:
        return render(views, request, "ops_refused.html", session, status, why=why)

    @pages.post("/ops/exceptions/{case_id}/{action}")
    async def work(
        request: Request,
        session: Annotated[StaffSession, Depends(checked_csrf(Permission.WORK_EXCEPTIONS))],
        case_id: Annotated[int, Path(ge=1, le=2**62)],
        action: CaseAction,
        text: Text = "",
        back_to: Annotated[str, Form(max_length=300, pattern=NO_NUL)] = "/ops/exceptions",
    ) -> Response:
        system = request.app.state.system
        try:
            case = await run_in_threadpool(
                work_case, system.uows, case_id, action, _by(session), text, system.clock.now()
            )
        except CaseClosed as error:
            return refused(request, session, 409, str(error))
        except ValueError as error:
            return refused(request, session, 422, str(error))
        if case is None:
            return refused(request, session, 404, f"There is no case {case_id}.")
        return back(back_to, action.value, row=f"case-{case_id}")

    @pages.post("/ops/shipments/{shipment:path}/correction")
    async def correct(
        request: Request,
        session: Annotated[StaffSession, Depends(checked_csrf(Permission.CORRECT_STATUS))],
        shipment: Annotated[str, Path(max_length=100)],
        milestone: Annotated[Milestone, Form()],
        note: Text,
        order_id: Annotated[str, Form(max_length=100, pattern=NO_NUL)],
        reason: Annotated[str, Form(max_length=40, pattern=NO_NUL)] = "",
    ) -> Response:
        system = request.app.state.system
        try:
            why = Reason(reason) if reason else None
            command = correction(shipment, milestone, why, note, _by(session), system.clock.now())
        except (DomainError, ValueError) as error:
            return refused(request, session, 422, str(error))
        result = await run_in_threadpool(system.handle, command)
        if result.problems:
            return refused(request, session, 422, result.problems[0].message)
        return back(order_page(order_id), "corrected")

    @pages.get("/ops/mappings", response_class=HTMLResponse)
    async def unmapped(
        request: Request,
        session: Annotated[StaffSession, Depends(signed_in(Permission.READ_MAPPINGS))],
    ) -> Response:
        codes = await run_in_threadpool(unmapped_codes, request.app.state.system.uows, 200)
        return render(
            views,
            request,
            "ops_mappings.html",
            session,
            codes=codes,
            milestones=list(Milestone),
            reasons=list(Reason),
            replayed=request.query_params.get("replayed"),
        )

    @pages.post("/ops/mappings")
    async def map_code(
        request: Request,
        session: Annotated[StaffSession, Depends(checked_csrf(Permission.MANAGE_MAPPINGS))],
        carrier: Annotated[str, Form(max_length=100, pattern=NO_NUL)],
        raw_code: Annotated[str, Form(max_length=100, pattern=NO_NUL)],
        milestone: Annotated[Milestone, Form()],
        reason: Annotated[str, Form(max_length=40, pattern=NO_NUL)] = "",
        note: Text = "",
    ) -> Response:
        system = request.app.state.system
        try:
            why = Reason(reason) if reason else None
            command = MapCode(carrier, raw_code, milestone, why, _by(session), note or None)
            result = await run_in_threadpool(system.handle, command)
        except (DomainError, ValueError) as error:
            return refused(request, session, 422, getattr(error, "message", str(error)))
        return back("/ops/mappings", "mapped", replayed=str(result.subjects))

    @pages.get("/ops/outbox", response_class=HTMLResponse)
    async def dead_letters(
        request: Request,
        session: Annotated[StaffSession, Depends(signed_in(Permission.MANAGE_OUTBOX))],
    ) -> Response:
        system = request.app.state.system
        dead = await run_in_threadpool(outbox_messages, system.uows, "dead", None, 500)
        return render(views, request, "ops_outbox.html", session, dead=dead)

    @pages.post("/ops/outbox/{message_id}/retry")
    async def retry(
        request: Request,
        session: Annotated[StaffSession, Depends(checked_csrf(Permission.MANAGE_OUTBOX))],
        message_id: Annotated[str, Path(max_length=64)],
    ) -> Response:
        system = request.app.state.system
        if not await run_in_threadpool(retry_dead, system.uows, message_id, system.clock.now()):
            return refused(request, session, 404, "That message is not a dead letter.")
        return back("/ops/outbox", "retried")

    return pages
