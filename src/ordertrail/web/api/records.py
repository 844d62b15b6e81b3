"""`/api/v1`: orders, shipments and events as JSON."""

from __future__ import annotations

import json
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ordertrail.app import addresses
from ordertrail.app.intake.commands import RecordEvents, RegisterOrders
from ordertrail.app.intake.handlers import ItemProblem
from ordertrail.app.queries import (
    OrderDetail,
    ShipmentDetail,
    jsonable,
    list_orders,
    order_detail,
    shipment_detail,
)
from ordertrail.app.staff.redaction import order_for, parcel_for
from ordertrail.domain.access import Permission, Principal
from ordertrail.domain.milestones import SourceKind
from ordertrail.domain.model import DomainError, Source
from ordertrail.domain.order_status import OrderStatus
from ordertrail.sources.canonical import EventIn, OrderIn, parse_event, parse_order, problems_of
from ordertrail.web.api.answers import EventsRecorded, OrderPage, Plain, Viewed, shows
from ordertrail.web.api.auth import require
from ordertrail.web.api.docs import ApiRoute, refusals
from ordertrail.web.commits import committed
from ordertrail.web.problems import item_errors, problem

_SOURCE_KINDS = frozenset(kind.value for kind in SourceKind)


def _array_of(model: type[Any]) -> dict[str, Any]:
    schema = {"type": "array", "items": {"$ref": f"#/components/schemas/{model.__name__}"}}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _one(model: type[Any]) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


async def _json_body(request: Request) -> Any:
    body = await request.body()  # web.body_limit stops it at the API's limit as it arrives
    try:
        return json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError) as error:
        raise HTTPException(400, f"the body is not valid JSON: {error}") from None
    except RecursionError:
        raise HTTPException(400, "the body nests too deeply to be an event or order") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _refused_by_kind(payload: list[Any], refused: set[int]) -> dict[tuple[str, str], int]:
    """Refused items per kind of source they named (`unknown` when that is what was wrong)."""
    found: Counter[tuple[str, str]] = Counter()
    for index in refused:
        item = payload[index]
        named = item.get("source") if isinstance(item, dict) else None
        kind = str(named).partition(":")[0].strip().lower() if named else ""
        found[kind if kind in _SOURCE_KINDS else "unknown", "rejected"] += 1
    return dict(found)


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1", route_class=ApiRoute)

    @api.post(
        "/events",
        openapi_extra=_array_of(EventIn),
        response_model=None,
        responses=shows(EventsRecorded, why="Every event landed or was a duplicate.")
        | refusals(
            {
                400: "The body is not a JSON array, or not JSON.",
                413: "More events than one call takes, or a body over 8 MiB.",
                422: "Some events were refused, the rest landed: `errors` names each refused "
                "event by its index; `accepted` and `duplicates` count the others.",
            }
        ),
    )
    async def record_events(
        request: Request, who: Annotated[Principal, Depends(require(Permission.RECORD_EVENTS))]
    ) -> Response:
        """Record a batch of canonical events. Each item stands alone: good items land even
        when others are refused, and the 422 answer lists each refused item by index."""
        system = request.app.state.system
        payload = await _json_body(request)
        if not isinstance(payload, list):
            return problem(400, "Bad request", "send a JSON array of events")
        if len(payload) > system.settings.max_batch:
            return problem(413, "Too large", f"at most {system.settings.max_batch} events a call")
        positions, reports, problems = [], [], []
        for index, item in enumerate(payload):
            try:
                report = parse_event(item)
            except (ValidationError, DomainError) as error:
                problems.extend(problems_of(index, error))
                continue
            if not who.may_speak_for(report.source.kind, report.source.name):
                problems.append(ItemProblem(index, "source", _not_theirs(who, report.source)))
                continue
            reports.append(report)
            positions.append(index)
        if problems:  # refused before the use case saw them: counted here
            system.meter.events_in(_refused_by_kind(payload, {p.index for p in problems}))
        command = RecordEvents(reports)
        # shares one durable commit with the writes arriving beside it; answered after it
        result = await committed(
            request.app.state.commits, lambda _uow, handle: handle(command), len(reports)
        )
        if result.outcomes:
            system.meter.events_in(result.outcomes)
        problems += [ItemProblem(positions[p.index], p.field, p.message) for p in result.problems]
        body = {"accepted": result.accepted, "duplicates": result.duplicates}
        if problems:
            problems.sort(key=lambda p: p.index)
            refused = len({p.index for p in problems})
            return problem(
                422,
                "Some events were refused",
                f"{refused} of {len(payload)} events were refused; the others landed",
                errors=item_errors(problems),
                **body,
            )
        return Plain(body)

    @api.post(
        "/orders",
        openapi_extra=_one(OrderIn),
        status_code=201,
        response_model=None,
        dependencies=[Depends(require(Permission.REGISTER_ORDERS))],
        responses=shows(OrderDetail, 201, "The order as stored, with its derived status.")
        | refusals(
            {
                400: "The body is not JSON.",
                409: "The order contradicts what is stored (a parcel of another order).",
                422: "The order was refused; `errors` names each field and why.",
            }
        ),
    )
    async def register_order(request: Request) -> Response:
        """Create an order (with any shipments it has), or update it if it exists."""
        system = request.app.state.system
        try:
            order = parse_order(await _json_body(request))
        except (ValidationError, DomainError) as error:
            return problem(
                422,
                "Invalid order",
                "the order was refused",
                errors=item_errors(problems_of(0, error)),
            )
        result = await run_in_threadpool(system.handle, RegisterOrders([order]))
        if result.problems:
            return problem(
                409, "Conflict", result.problems[0].message, errors=item_errors(result.problems)
            )
        detail = await run_in_threadpool(order_detail, system.uows, order.id)
        return JSONResponse(
            jsonable(detail),
            status_code=201,
            headers={"Location": f"/api/v1/orders/{addresses.part(order.id)}"},
        )

    @api.get(
        "/orders",
        dependencies=[Depends(require(Permission.READ_ORDERS))],
        response_model=None,
        responses=shows(OrderPage),
    )
    def orders(
        request: Request,
        status: OrderStatus | None = None,
        needs_attention: bool | None = None,
        after: str | None = Query(None, description="Continue after this order id."),
        limit: int = Query(100, ge=1, le=1000),
    ) -> Response:
        """Orders with their derived status, by id; page with `after`."""
        rows = list_orders(
            request.app.state.system.uows,
            status=status,
            needs_attention=needs_attention,
            after=after,
            limit=limit,
        )
        following = rows[-1].id if len(rows) == limit else None
        return Plain({"orders": jsonable(rows), "next_after": following})

    @api.get(
        "/orders/{order_id:path}",
        response_model=None,
        responses=shows(OrderDetail) | refusals({404: "No order has this id."}),
    )
    def order(
        request: Request,
        order_id: str,
        who: Annotated[Principal, Depends(require(Permission.READ_ORDERS))],
    ) -> Response:
        """An order's derived status, its shipments and its whole timeline (the customer's
        contact details only for roles that may read them)."""
        detail = order_detail(request.app.state.system.uows, order_id)
        if detail is None:
            raise HTTPException(404, f"no order has id '{order_id}'")
        return Viewed(order_for(who, detail))

    @api.get(
        "/shipments/{tracking_number:path}",
        response_model=None,
        responses=shows(ShipmentDetail)
        | refusals({404: "No shipment has this tracking number or id."}),
    )
    def shipment(
        request: Request,
        tracking_number: str,
        who: Annotated[Principal, Depends(require(Permission.READ_ORDERS))],
    ) -> Response:
        """A shipment (by tracking number or id) with its own timeline."""
        detail = shipment_detail(request.app.state.system.uows, tracking_number)
        if detail is None:
            raise HTTPException(404, f"no shipment has tracking number or id '{tracking_number}'")
        return Viewed(parcel_for(who, detail))

    return api


def _not_theirs(who: Principal, source: Source) -> str:
    if source.kind is SourceKind.OPS and who.may_speak_for(SourceKind.OPS, who.name):
        return f"an ops event is recorded as its sender, 'ops:{who.name}', not '{source}'"
    return f"a {who.role.value} key may not record events as '{source}'"
