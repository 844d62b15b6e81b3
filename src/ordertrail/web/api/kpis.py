"""`/api/v1/kpis`: the KPI report and the orders behind each figure; `/api/v1/costs`:
fulfillment costs in."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from starlette.concurrency import run_in_threadpool

from ordertrail.app.intake.handlers import ItemProblem
from ordertrail.app.measures.costs import record_costs
from ordertrail.app.measures.kpi_ports import BehindFigure, KpiScope
from ordertrail.app.measures.kpis import orders_behind, report, scope_of
from ordertrail.app.queries import jsonable
from ordertrail.domain.access import Permission
from ordertrail.domain.measures.costs import Cost, CostKind, CostTarget, currency_code
from ordertrail.domain.measures.kpi_catalog import KPIS
from ordertrail.domain.model import DomainError, Money
from ordertrail.web.api.answers import EventsRecorded, shows
from ordertrail.web.api.auth import require
from ordertrail.web.api.docs import ApiRoute, Segment, refusals
from ordertrail.web.problems import item_errors, problem

Name = Annotated[str | None, Query(max_length=100)]


class KpiReport(BaseModel):
    """The report; `kpis` holds each KPI by name, counts always beside ratios (see README)."""

    period: dict[str, str]
    filters: dict[str, str | None]
    orders: dict[str, int]
    kpis: dict[str, Any]
    carriers: list[dict[str, Any]]
    sites: list[dict[str, Any]]
    weeks: list[dict[str, Any]]


class KpiOrders(BaseModel):
    kpi: str
    orders: list[BehindFigure]
    next_after: str | None


class CostIn(BaseModel):
    """One cost: what it is for (exactly one of order, shipment, return, site), its kind,
    its amount in minor units (cents) and currency, and the day it was incurred."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    order: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    shipment: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    return_: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = Field(
        None, alias="return"
    )
    site: Annotated[str, StringConstraints(min_length=1, max_length=50)] | None = None
    kind: CostKind
    amount: int = Field(ge=0, le=10**13, description="Minor units: 495 is USD 4.95.")
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")]
    date: date
    key: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


def _cost(item: Any) -> Cost:
    given = CostIn.model_validate(item)
    named = [
        (target, value)
        for target, value in (
            (CostTarget.ORDER, given.order),
            (CostTarget.SHIPMENT, given.shipment),
            (CostTarget.RETURN, given.return_),
            (CostTarget.SITE, given.site),
        )
        if value
    ]
    if len(named) != 1:
        raise DomainError("order", "name exactly one of order, shipment, return or site")
    target, target_id = named[0]
    money = Money(given.amount, currency_code(given.currency))
    return Cost(target, target_id, given.kind, money, given.date, "api", key=given.key or "")


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1", route_class=ApiRoute)
    reader = [Depends(require(Permission.READ_KPIS))]

    def scoped(
        request: Request,
        since: date | None,
        until: date | None,
        channel: str | None,
        carrier: str | None,
        site: str | None,
    ) -> KpiScope:
        now = request.app.state.system.clock.now()
        try:
            return scope_of(now, since, until, channel=channel, carrier=carrier, site=site)
        except DomainError as error:
            raise HTTPException(422, f"{error.field}: {error.message}") from None

    @api.get(
        "/kpis",
        dependencies=reader,
        response_model=None,
        responses=shows(KpiReport) | refusals({422: "A filter is not valid, or since > until."}),
    )
    def kpis(
        request: Request,
        since: Annotated[date | None, Query(description="First day (UTC) orders placed.")] = None,
        until: Annotated[date | None, Query(description="Last day (UTC), included.")] = None,
        channel: Name = None,
        carrier: Name = None,
        site: Name = None,
    ) -> dict[str, Any]:
        """The KPI report over the orders placed from `since` to `until` (default: the last
        28 days), optionally of one channel, carrier or site."""
        scope = scoped(request, since, until, channel, carrier, site)
        return report(request.app.state.system.uows, scope)

    @api.get(
        "/kpis/{name}/orders",
        dependencies=reader,
        response_model=None,
        responses=shows(KpiOrders) | refusals({404: "No KPI has this name."}),
    )
    def behind(
        request: Request,
        name: Segment,
        since: date | None = None,
        until: date | None = None,
        channel: Name = None,
        carrier: Name = None,
        site: Name = None,
        outcome: Name = None,
        after: Annotated[str | None, Query(max_length=100)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        """The orders behind a figure (with the parcel or return counted, how it came out and
        how long it took), by order id; page with `after`, narrow with `outcome`."""
        if name not in KPIS:
            raise HTTPException(404, f"no KPI is named '{name}'; try one of {', '.join(KPIS)}")
        scope = scoped(request, since, until, channel, carrier, site)
        rows = orders_behind(
            request.app.state.system.uows,
            name,
            scope,
            outcome=outcome,
            after=after,
            limit=limit,
        )
        following = rows[-1].order_id if len(rows) == limit else None
        return {"kpi": name, "orders": jsonable(rows), "next_after": following}

    @api.post(
        "/costs",
        dependencies=[Depends(require(Permission.RECORD_COSTS))],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"type": "array", "items": CostIn.model_json_schema()}
                    }
                },
            }
        },
        response_model=None,
        responses=shows(EventsRecorded, why="Every cost was recorded, or was already.")
        | refusals(
            {
                422: "Some costs were refused, the rest landed: `errors` names each by index.",
            }
        ),
    )
    async def costs(request: Request) -> Response:
        """Record fulfillment costs (a JSON array); each stands alone."""
        system = request.app.state.system
        try:
            payload = await request.json()
        except ValueError:
            return problem(400, "Bad request", "the body is not valid JSON")
        if not isinstance(payload, list) or len(payload) > system.settings.max_batch:
            return problem(422, "Invalid costs", "send a JSON array of at most max_batch costs")
        given, problems = [], []
        for index, item in enumerate(payload):
            try:
                given.append((index, _cost(item)))
            except ValidationError as error:
                for found in error.errors():
                    where = ".".join(str(p) for p in found["loc"])
                    problems.append(ItemProblem(index, where, found["msg"]))
            except DomainError as error:
                problems.append(ItemProblem(index, error.field, error.message))
        recorded = await run_in_threadpool(record_costs, system.uows, given, system.clock.now())
        problems = sorted([*problems, *recorded.problems], key=lambda p: p.index)
        body = {"accepted": recorded.accepted, "duplicates": recorded.duplicates}
        if problems:
            return problem(
                422,
                "Some costs were refused",
                f"{len({p.index for p in problems})} of {len(payload)} costs were refused",
                errors=item_errors(problems),
                **body,
            )
        return JSONResponse(body)

    return api
