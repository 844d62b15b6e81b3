"""`/api/v1/returns`: returns for integrations — list, read, ask for one, and act on one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from ordertrail.app.queries import jsonable
from ordertrail.app.returns import commands as do
from ordertrail.app.returns.views import ReturnPage, ReturnView, list_returns, return_view, view_of
from ordertrail.domain.access import Permission, Principal
from ordertrail.domain.milestones import Disposition, Milestone, SourceKind
from ordertrail.domain.model import DomainError, Source
from ordertrail.domain.returns.return_lines import ReturnFile, ReturnLine, ReturnReason
from ordertrail.web.api.answers import shows
from ordertrail.web.api.auth import require
from ordertrail.web.api.docs import ApiRoute, Segment, refusals
from ordertrail.web.problems import problem

_Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=r"^[^\x00]*$"),
]
_Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00]*$"),
]
_Count = Annotated[int, Field(ge=0, le=100_000)]


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: _Name
    quantity: Annotated[int, Field(ge=1, le=100_000)]
    reason: ReturnReason


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order: _Name
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=200)]
    why: _Text | None = None


class WhyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    why: _Text | None = None


class PickupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    why: _Text | None = None


class LabelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tracking_number: _Name
    carrier: _Name | None = None


class ReceiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lines: Annotated[dict[_Name, _Count], Field(max_length=200)] = Field(default_factory=dict)
    why: _Text | None = None


class InspectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: _Name
    disposition: Disposition
    damaged: _Count = 0
    note: _Text | None = None
    photo: _Text | None = None


_REFUSED = refusals(
    {
        404: "No return has this id.",
        422: "The rules refuse it now: the problem's `errors` name the field and the reason "
        "(nothing was recorded).",
    }
)


def _by(who: Principal) -> Source:
    return Source(SourceKind.OPS, who.name)  # `ops:key:<name>` or `ops:staff:<email>`


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["returns"], route_class=ApiRoute)
    read = Depends(require(Permission.READ_ORDERS))
    decide = require(Permission.DECIDE_RETURNS)
    handle = require(Permission.HANDLE_RETURNS)

    @api.get("/returns", response_model=None, dependencies=[read], responses=shows(ReturnPage))
    def returns(
        request: Request,
        state: Milestone | None = None,
        order: Annotated[str | None, Query(max_length=100)] = None,
        after: Annotated[str | None, Query(max_length=100)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        """Returns by RMA, optionally those in one `state` or of one `order`; page on with
        `after` set to the answer's `next_after`."""
        uows = request.app.state.system.uows
        found = list_returns(
            uows, status=state.value if state else None, order_id=order, after=after, limit=limit
        )
        return jsonable(found)  # type: ignore[no-any-return]

    @api.get(
        "/returns/{rma}",
        response_model=None,
        dependencies=[read],
        responses=shows(ReturnView) | refusals({404: "No return has this id."}),
    )
    def one_return(request: Request, rma: Segment) -> Response:
        """One return: its lines with what was received and decided, the policy's decision
        and why, its refund or replacement, and its whole timeline."""
        found = return_view(request.app.state.system.uows, rma)
        if found is None:
            return problem(404, "Not found", f"no return has id '{rma}'")
        return JSONResponse(jsonable(found))

    @api.post(
        "/returns",
        status_code=201,
        response_model=None,
        responses=shows(ReturnView, 201, "The return opened, with the policy's decision.")
        | _REFUSED,
    )
    async def asked(
        request: Request,
        body: RequestIn,
        who: Annotated[Principal, Depends(require(Permission.DECIDE_RETURNS))],
    ) -> Response:
        """Ask for a return of delivered units of an order; the answer says what the policy
        decided and why (approved, rejected outside the window, or left to a person)."""
        lines = [ReturnLine(x.sku, x.quantity, x.reason) for x in body.lines]
        command = do.RequestReturn(body.order, lines, _by(who), body.why)
        return await _run(request, command, 201)

    def action(
        path: str,
        permission: Callable[..., Awaitable[Principal]],
        model: type[BaseModel],
        make: Callable[[str, Any, Source], Any],
        doc: str,
    ) -> None:
        async def acted(request: Request, rma: Segment, body: Any, who: Any) -> Response:
            return await _run(request, make(rma, body, _by(who)))

        acted.__doc__ = doc
        acted.__annotations__ = {
            "request": Request,
            "rma": Segment,
            "body": model,
            "who": Annotated[Principal, Depends(permission)],
            "return": Response,
        }
        api.post(
            f"/returns/{{rma}}/{path}",
            response_model=None,
            responses=shows(ReturnView) | _REFUSED,
            name=f"return_{path}",
        )(acted)

    for path, permission, model, make, doc in _ACTIONS:
        action(path, decide if permission == "decide" else handle, model, make, doc)
    return api


_ACTIONS: list[tuple[str, str, type[BaseModel], Callable[[str, Any, Source], Any], str]] = [
    (
        "approve",
        "decide",
        WhyIn,
        lambda rma, body, by: do.DecideReturn(rma, True, by, body.why),
        "Approve a return the policy left to a person, or overrule a rejection (say why).",
    ),
    (
        "reject",
        "decide",
        WhyIn,
        lambda rma, body, by: do.DecideReturn(rma, False, by, body.why),
        "Reject a return before its goods are in (say why).",
    ),
    (
        "pickup",
        "handle",
        PickupIn,
        lambda rma, body, by: do.SchedulePickup(rma, by, body.on, body.why),
        "Record the carrier pickup booked for an approved return.",
    ),
    (
        "label",
        "handle",
        LabelIn,
        lambda rma, body, by: do.AttachLabel(rma, body.tracking_number, by, body.carrier),
        "Attach a return label's tracking number: the carrier's news of that parcel lands on "
        "the return.",
    ),
    (
        "receive",
        "handle",
        ReceiveIn,
        lambda rma, body, by: do.ReceiveReturn(rma, by, dict(body.lines), body.why),
        "Goods are back (units per SKU, or every unit still out): lines the policy inspects "
        "wait for it, the rest are refunded at once.",
    ),
    (
        "inspect",
        "handle",
        InspectIn,
        lambda rma, body, by: do.InspectLine(
            rma, body.sku, body.disposition.value, by, body.damaged, body.note, body.photo
        ),
        "Decide one received line's disposition, with its damaged quantity, a note and a "
        "photo reference.",
    ),
    (
        "refund",
        "decide",
        WhyIn,
        lambda rma, body, by: do.ReleaseRefund(rma, by, body.why),
        "Release the refund the policy allows now: the received lines' value less any "
        "restocking fee.",
    ),
    (
        "replacement",
        "decide",
        WhyIn,
        lambda rma, body, by: do.ReleaseReplacement(rma, by, body.why),
        "Release a replacement: ahead of the goods when the policy allows, else once they "
        "are back.",
    ),
]


async def _run(request: Request, command: Any, status: int = 200) -> Response:
    system = request.app.state.system
    try:
        file: ReturnFile = await run_in_threadpool(system.handle, command)
    except DomainError as error:
        if error.field == "rma":
            return problem(404, "Not found", error.message)
        errors = [{"index": None, "field": error.field, "message": error.message}]
        return problem(422, "Return refused", f"{error.field}: {error.message}", errors=errors)
    found = await run_in_threadpool(return_view, system.uows, file.id)
    return JSONResponse(jsonable(found or view_of(file, [])), status_code=status)
