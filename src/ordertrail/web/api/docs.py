"""What the OpenAPI document says that route signatures alone do not: what each operation
can refuse, and in which words, and what one segment of a path can hold.

Every refusal of `/api/v1` and `/hooks` is an RFC 9457 problem document (web/problems.py), so
the document describes them with one shared `ProblemDetails` schema. The refusals every route
of a kind shares are declared once, by the route class `ApiRoute`; a route adds its own (404 for
a lookup, 409 for a conflict) with `refusals({...})`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Path
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from ordertrail.web.problems import PROBLEM_JSON

#: A `{name}` of a path that is not `:path`: never empty and never a slash (the address would
#: then match another route, or none), at most 100 characters (no id is longer).
Segment = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[^/\x00]+$")]


class ProblemItem(BaseModel):
    """One refused part of a request: a field, and for a batch the item's position in it."""

    index: int | None = Field(None, description="The refused item's position in the batch.")
    field: str = Field(description="The refused field, dotted; empty for the item as a whole.")
    message: str = Field(description="Why it was refused.")


class ScanAnswer(BaseModel):
    """What a scanned step came to, as the station shows it."""

    status: str = Field(description="recorded, duplicate or refused")
    message: str
    order_id: str | None
    shipment_id: str | None
    milestone: str | None


class ProblemDetails(BaseModel):
    """An RFC 9457 problem document. Members other than `type`, `title`, `status` and
    `detail` are extensions some operations add; a client ignores those it does not know."""

    # RFC 9457 lets a problem carry extension members; an operation's own are listed below.
    model_config = ConfigDict(extra="allow", title="ProblemDetails")

    type: str = Field("about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(ge=400, le=599, description="The HTTP status of this answer.")
    detail: str = Field(description="What went wrong with this request, for a person.")
    instance: str | None = Field(None, description="A URI naming this occurrence.")
    errors: list[ProblemItem] | None = Field(
        None, description="Each refused field (and, in a batch, item) with the reason."
    )
    accepted: int | None = Field(None, description="`POST /api/v1/events`: events that landed.")
    duplicates: int | None = Field(
        None, description="`POST /api/v1/events`: events already recorded, not recorded again."
    )
    scan: ScanAnswer | None = Field(None, description="`POST /api/v1/scans`: the refused scan.")
    check: str | None = Field(
        None, description="`/readyz`, `/healthz`: the check that failed (database, schema)."
    )


SCHEMA_REF = {"$ref": f"#/components/schemas/{ProblemDetails.__name__}"}

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before sending again.",
        "schema": {"type": "integer", "minimum": 0},
    }
}
_CHALLENGE = {
    "WWW-Authenticate": {"description": "The scheme to send: Bearer.", "schema": {"type": "string"}}
}


def refusals(reasons: Mapping[int, str]) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status it answers with a problem document, and why."""
    return {status: _problem(why) for status, why in reasons.items()}


def _problem(why: str, headers: Mapping[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": why, "content": {PROBLEM_JSON: {"schema": SCHEMA_REF}}}
    if headers:
        answer["headers"] = dict(headers)
    return answer


def _needs_key(route: APIRoute) -> bool:
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        if getattr(dependency.call, "permission", None) is not None:
            return True
        pending.extend(dependency.dependencies)
    return False


def _takes_body(route: APIRoute) -> bool:
    return route.body_field is not None or "requestBody" in (route.openapi_extra or {})


def shared_refusals(route: APIRoute) -> dict[int | str, dict[str, Any]]:
    """What any API route of this shape can answer besides what it says itself."""
    shared: dict[int | str, dict[str, Any]] = {
        400: _problem("The address holds a NUL character, or the body could not be read."),
    }
    if _needs_key(route):
        shared[401] = _problem("No API key, or one that is unknown or revoked.", _CHALLENGE)
        shared[403] = _problem("The key's role (or site) may not do this.")
    if _takes_body(route):
        shared[413] = _problem("The body is larger than this operation takes.")
    # Every operation reads or writes the database (the key check alone reads it).
    shared[422] = _problem("The request is not valid; `errors` names each field and why.")
    shared[503] = _problem(
        "The database is busy (other writers kept it past the wait) or unavailable (down, "
        "restarting, out of connections or of room): send the same request again after "
        "Retry-After seconds.",
        _RETRY_AFTER,
    )
    return shared


class ApiRoute(APIRoute):
    """A route of `/api/v1` or `/hooks`: its operation declares the refusals it shares with
    every route of its shape, besides the ones it declares itself."""

    def __init__(self, path: str, endpoint: Any, **options: Any) -> None:
        super().__init__(path, endpoint, **options)
        self.responses = {**shared_refusals(self), **self.responses}
