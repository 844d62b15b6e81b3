"""What the API answers when it succeeds, as the OpenAPI document shows it.

The routes answer with the read side's views turned into plain JSON (`jsonable`), so the
document describes those views: these shapes document, they never filter or reformat an
answer (routes declare them with `shows`, not as a `response_model`). The conformance test
holds each answer to its shape.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any, get_type_hints

import orjson
from fastapi.responses import JSONResponse
from pydantic import BaseModel, create_model

from ordertrail.app.ports import HeldReport, OrderListing, UnmappedCode, WaitingParcel
from ordertrail.domain.access import Role
from ordertrail.domain.casework.cases import Case
from ordertrail.domain.casework.exceptions import Team
from ordertrail.domain.mapping import CodeMapping
from ordertrail.domain.warehouse import MissingScan
from ordertrail.web.api.docs import ProblemItem


class Plain(JSONResponse):
    """An answer already made plain JSON values by `jsonable`, written by orjson. A route that
    returns it skips FastAPI's own encoder, which walked every answer once more (a tenth of an
    order read's CPU in a profile)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class Viewed(JSONResponse):
    """A read-side view (an order's or a parcel's detail) written by orjson as it is: orjson
    writes dataclasses and enums itself, so the view is not first copied into plain values
    by `jsonable` (three times orjson's own work on an order read). The bytes are the same as
    `Plain(jsonable(view))`'s: what orjson does not write as `jsonable` does is handed back
    to `_as_jsonable`."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=_as_jsonable, option=orjson.OPT_PASSTHROUGH_DATETIME)


def _as_jsonable(value: Any) -> Any:
    """What `jsonable` makes of the values orjson does not write its way."""
    if isinstance(value, datetime | date):  # handed back (OPT_PASSTHROUGH_DATETIME) so that
        return value.isoformat()  # a time is written "14:05", as jsonable writes it
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Mapping):
        return {str(key): item for key, item in value.items()}
    raise TypeError(f"{type(value).__name__} is not JSON")


def view_and(view: type, title: str, **members: Any) -> type[BaseModel]:
    """The shape of `jsonable(view) | {members}`: a view with a few members of its answer."""
    hints = get_type_hints(view)
    own = {f.name: (hints[f.name], ...) for f in dataclasses.fields(view)}
    more = {name: (kind, ...) for name, kind in members.items()}
    model: type[BaseModel] = create_model(title, **own, **more)  # type: ignore[call-overload]
    return model


def shows(
    model: Any, status: int = 200, why: str = "Done.", *, many: bool = False
) -> dict[int | str, dict[str, Any]]:
    """`responses=` entry for an operation's success answer (`many`: a list of `model`)."""
    return {status: {"model": list[model] if many else model, "description": why}}


CaseAnswer = view_and(Case, "CaseAnswer", team=Team)
MissingScanAnswer = view_and(WaitingParcel, "MissingScanAnswer", missing=MissingScan)


class EventsRecorded(BaseModel):
    accepted: int
    duplicates: int


class OrderPage(BaseModel):
    orders: list[OrderListing]
    next_after: str | None


class Mappings(BaseModel):
    mappings: list[CodeMapping]


class UnmappedCodes(BaseModel):
    unmapped: list[UnmappedCode]


class Unmatched(BaseModel):
    unmatched: list[HeldReport]


class Mapped(BaseModel):
    mapping: CodeMapping
    subjects: int
    events: int


class HookAnswer(BaseModel):
    """A delivery taken in; what it said that could not be used is listed, not refused."""

    accepted: int = 0
    duplicates: int = 0
    unmatched: int | None = None
    refused: list[ProblemItem] | None = None
    registered: int | None = None
    not_registered: list[str] | None = None
    duplicate_delivery: bool | None = None


class KeyShown(BaseModel):
    id: int
    name: str
    role: Role
    site: str | None
    starts_with: str
    created_at: str
    created_by: str
    last_used_at: str | None
    revoked_at: str | None


class KeyIssued(KeyShown):
    key: str


class KeyRevoked(BaseModel):
    id: int
    revoked: bool


class Requeued(BaseModel):
    id: str
    status: str
