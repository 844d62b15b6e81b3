"""`/api/v1/exceptions`: the exception queue, and a delivered parcel reported missing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, StringConstraints
from starlette.concurrency import run_in_threadpool

from ordertrail.app.cases import NotDelivered, find_cases, report_missing
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.queries import jsonable
from ordertrail.domain.access import Permission
from ordertrail.domain.cases import CaseStatus
from ordertrail.domain.exceptions import ExceptionKind, Team
from ordertrail.web.auth import require
from ordertrail.web.problems import problem

_Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=r"^[^\x00]*$"),
]


class MissingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    by: _Text
    note: _Text


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["exceptions"])

    @api.get("/exceptions", dependencies=[Depends(require(Permission.READ_EXCEPTIONS))])
    def cases(
        request: Request,
        status: CaseStatus = CaseStatus.OPEN,
        team: Team | None = None,
        kind: ExceptionKind | None = None,
        order_id: Annotated[str | None, Query(max_length=100)] = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    ) -> list[dict[str, Any]]:
        """Exception cases, oldest first, each with its owning team, deadline and history."""
        query = CaseQuery(status, team, kind, order_id, limit)
        found = find_cases(request.app.state.system.uows, query)
        return [jsonable(case) | {"team": case.team.value} for case in found]

    @api.post(
        "/shipments/{shipment}/reported-missing",
        status_code=201,
        response_model=None,
        dependencies=[Depends(require(Permission.REPORT_MISSING))],
    )
    async def reported(request: Request, shipment: str, body: MissingIn) -> Response:
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

    return api
