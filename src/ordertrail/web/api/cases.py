"""`/api/v1/exceptions`: the exception queue, and a delivered parcel reported missing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, StringConstraints
from starlette.concurrency import run_in_threadpool

from ordertrail.app.casework.cases import NotDelivered, find_cases, report_missing, work_case
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.intake.corrections import correction
from ordertrail.app.queries import ShipmentDetail, jsonable, shipment_detail
from ordertrail.app.staff.redaction import cases_for
from ordertrail.domain.access import Permission, Principal
from ordertrail.domain.casework.cases import CaseAction, CaseClosed, CaseStatus
from ordertrail.domain.casework.exceptions import ExceptionKind, Team
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import DomainError
from ordertrail.web.api.answers import CaseAnswer, shows
from ordertrail.web.api.auth import require
from ordertrail.web.api.docs import ApiRoute, Segment, refusals
from ordertrail.web.problems import item_errors, problem

_Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=r"^[^\x00]*$"),
]


class MissingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    by: _Text
    note: _Text


class WorkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")] = ""


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    milestone: Milestone
    reason: Reason | None = None
    note: _Text


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["exceptions"], route_class=ApiRoute)

    @api.get("/exceptions", response_model=None, responses=shows(CaseAnswer, many=True))
    def cases(
        request: Request,
        who: Annotated[Principal, Depends(require(Permission.READ_EXCEPTIONS))],
        status: CaseStatus = CaseStatus.OPEN,
        team: Team | None = None,
        kind: ExceptionKind | None = None,
        order_id: Annotated[str | None, Query(max_length=100)] = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    ) -> list[dict[str, Any]]:
        """Exception cases, oldest first, each with its owning team, deadline and history."""
        query = CaseQuery(status, team, kind, order_id, limit)
        found = cases_for(who, find_cases(request.app.state.system.uows, query))
        return [jsonable(case) | {"team": case.team.value} for case in found]

    @api.post(
        "/shipments/{shipment}/reported-missing",
        status_code=201,
        response_model=None,
        dependencies=[Depends(require(Permission.REPORT_MISSING))],
        responses=shows(CaseAnswer, 201, "The case opened (or the one already open).")
        | refusals({409: "No delivered parcel has this tracking number or id."}),
    )
    async def reported(request: Request, shipment: Segment, body: MissingIn) -> Response:
        """A customer says a delivered parcel never arrived: a case for support, with the
        carrier's proof of delivery."""
        system = request.app.state.system
        try:
            case = await run_in_threadpool(
                report_missing, system.uows, shipment, body.by, body.note, system.clock.now()
            )
        except NotDelivered as error:
            return problem(409, "Not delivered", str(error))
        return JSONResponse(jsonable(case) | {"team": case.team.value}, status_code=201)

    @api.post(
        "/exceptions/{case_id}/{action}",
        response_model=None,
        responses=shows(CaseAnswer)
        | refusals(
            {
                404: "No case has this id.",
                409: "The case is resolved already.",
                422: "The action is not valid for this case (assign needs a name).",
            }
        ),
    )
    async def worked(
        request: Request,
        case_id: Annotated[int, Path(ge=1, le=2**62)],
        action: CaseAction,
        body: WorkIn,
        who: Annotated[Principal, Depends(require(Permission.WORK_EXCEPTIONS))],
    ) -> Response:
        """Acknowledge, assign (text: to whom), add a note to, or resolve a case."""
        system = request.app.state.system
        try:
            case = await run_in_threadpool(
                work_case, system.uows, case_id, action, who.name, body.text, system.clock.now()
            )
        except CaseClosed as error:
            return problem(409, "Case resolved", str(error))
        except ValueError as error:
            return problem(422, "Invalid", str(error))
        if case is None:
            return problem(404, "Not found", f"no case has id {case_id}")
        return JSONResponse(jsonable(case) | {"team": case.team.value})

    @api.post(
        "/shipments/{shipment}/corrections",
        status_code=201,
        response_model=None,
        responses=shows(ShipmentDetail, 201, "The parcel, its status corrected.")
        | refusals(
            {422: "The correction is not valid, or no shipment has this tracking number or id."}
        ),
    )
    async def corrected(
        request: Request,
        shipment: Segment,
        body: CorrectionIn,
        who: Annotated[Principal, Depends(require(Permission.CORRECT_STATUS))],
    ) -> Response:
        """Correct a parcel's status with a reason; recorded as an `ops:` event."""
        system = request.app.state.system
        try:
            command = correction(
                shipment, body.milestone, body.reason, body.note, who.name, system.clock.now()
            )
        except DomainError as error:
            return problem(422, "Invalid correction", f"{error.field}: {error.message}")
        result = await run_in_threadpool(system.handle, command)
        if result.problems:
            return problem(
                422,
                "Correction refused",
                result.problems[0].message,
                errors=item_errors(result.problems),
            )
        detail = await run_in_threadpool(shipment_detail, system.uows, shipment)
        return JSONResponse(jsonable(detail), status_code=201)

    return api
