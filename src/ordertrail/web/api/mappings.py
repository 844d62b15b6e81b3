"""`/api/v1/mappings`: carrier codes nobody mapped yet, and saying what they mean."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, StringConstraints, WithJsonSchema
from starlette.concurrency import run_in_threadpool

from ordertrail.app.intake.commands import MapCode
from ordertrail.app.queries import code_mappings, held_reports, jsonable, unmapped_codes
from ordertrail.domain.access import Permission, Principal
from ordertrail.domain.mapping import CODE_MEANINGS
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import DomainError
from ordertrail.web.api.answers import Mapped, Mappings, UnmappedCodes, Unmatched, shows
from ordertrail.web.api.auth import require
from ordertrail.web.api.docs import ApiRoute, Segment, refusals
from ordertrail.web.problems import problem

Who = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=r"^[^\x00]*$"),
]


# The mapping refuses the other milestones itself, with its reason; the document lists these.
Meaning = Annotated[
    Milestone, WithJsonSchema({"type": "string", "enum": [m.value for m in CODE_MEANINGS]})
]


class MappingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    milestone: Meaning
    reason: Reason | None = None
    #: who made it is whoever sends it (a key's or staff member's name); another is refused
    mapped_by: Who | None = None
    note: Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")] | None = None


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1/mappings", tags=["mappings"], route_class=ApiRoute)

    @api.get(
        "",
        dependencies=[Depends(require(Permission.READ_MAPPINGS))],
        response_model=None,
        responses=shows(Mappings),
    )
    def mappings(request: Request) -> dict[str, Any]:
        """The mappings people have added, by carrier and code."""
        return {"mappings": jsonable(code_mappings(request.app.state.system.uows))}

    @api.get(
        "/unmapped",
        dependencies=[Depends(require(Permission.READ_MAPPINGS))],
        response_model=None,
        responses=shows(UnmappedCodes),
    )
    def unmapped(request: Request, limit: int = Query(100, ge=1, le=10_000)) -> dict[str, Any]:
        """Carrier codes no table or mapping reads yet, most events first."""
        codes = unmapped_codes(request.app.state.system.uows, limit)
        return {"unmapped": jsonable(codes)}

    @api.put(
        "/{carrier}/{raw_code:path}",
        response_model=None,
        responses=shows(Mapped, why="The mapping, and how many parcels and events it read again.")
        | refusals({404: "The address names no code: a code holds no line break."}),
    )
    async def map_code(
        request: Request,
        carrier: Segment,
        # the router cannot match a line break in an address, so a code never holds one
        raw_code: Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[^\n\x00]+$")],
        body: MappingIn,
        who: Annotated[Principal, Depends(require(Permission.MANAGE_MAPPINGS))],
    ) -> Response:
        """Say what a carrier code means; every shipment that saw it is folded again, and the
        answer says how many."""
        if body.mapped_by not in (None, who.name):
            why = f"a mapping is recorded as made by its sender, '{who.name}'; leave it out"
            return problem(
                422, "Invalid mapping", why, errors=[{"field": "mapped_by", "message": why}]
            )
        command = MapCode(carrier, raw_code, body.milestone, body.reason, who.name, body.note)
        try:
            result = await run_in_threadpool(request.app.state.system.handle, command)
        except DomainError as refusal:
            return problem(
                422,
                "Invalid mapping",
                refusal.message,
                errors=[{"field": refusal.field, "message": refusal.message}],
            )
        return JSONResponse(jsonable(result))

    return api


def held_router() -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["hooks"], route_class=ApiRoute)

    @api.get(
        "/unmatched",
        dependencies=[Depends(require(Permission.READ_ORDERS))],
        response_model=None,
        responses=shows(Unmatched),
    )
    def unmatched(request: Request, limit: int = Query(100, ge=1, le=10_000)) -> dict[str, Any]:
        """Reports that arrived for parcels nobody has registered yet, oldest first; each
        attaches itself when an order registers its parcel."""
        return {"unmatched": jsonable(held_reports(request.app.state.system.uows, limit))}

    return api
