"""`/api/v1/routes`: the local fleet's routes, each a driver's day of stops in driving order,
each stop one or more parcels (by tracking number or shipment id, or every parcel of an
order). A plan with any fault is refused whole, naming the field; nothing is stored."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from ordertrail.app.fleet.routes import RoutePlan, StopPlan, plan_route
from ordertrail.app.fleet.views import RouteView, route_view
from ordertrail.domain.access import Permission
from ordertrail.domain.fleet import MAX_PARCELS_PER_STOP, MAX_STOPS, Window
from ordertrail.domain.model import DomainError
from ordertrail.web.api.answers import shows
from ordertrail.web.api.auth import require
from ordertrail.web.api.docs import ApiRoute, Segment, refusals
from ordertrail.web.problems import problem

_PLAIN = r"^[^\x00-\x1f\x7f-\x9f]*$"
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=_PLAIN)
]


class WindowIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    start: AwareDatetime = Field(alias="from")
    until: AwareDatetime


class StopIn(BaseModel):
    """A stop: its parcels by tracking number or id, and/or orders (all their live parcels)."""

    model_config = ConfigDict(extra="forbid")
    shipments: list[Name] = Field(default_factory=list, max_length=MAX_PARCELS_PER_STOP)
    orders: list[Name] = Field(default_factory=list, max_length=MAX_PARCELS_PER_STOP)
    window: WindowIn | None = None
    address: Annotated[str, StringConstraints(max_length=300, pattern=_PLAIN)] | None = None


class RouteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[
        str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^:/\x00-\x1f]+$")
    ]
    driver: Name
    day: date
    stops: list[StopIn] = Field(min_length=1, max_length=MAX_STOPS)


class RouteParcelAnswer(BaseModel):
    shipment_id: str
    tracking_number: str | None
    status: str | None


class RouteWindow(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    start: str = Field(alias="from")
    until: str


class RouteStopAnswer(BaseModel):
    stop: int
    address: str | None
    window: RouteWindow | None
    done: bool = Field(description="None of its parcels waits on the van any more.")
    parcels: list[RouteParcelAnswer]


class RouteAnswer(BaseModel):
    """A route as the API answers it: its stops in driving order, each parcel's status."""

    model_config = ConfigDict(title="Route")
    id: str
    fleet: str
    driver: str
    day: date
    stops: list[RouteStopAnswer]


def route_json(view: RouteView) -> dict[str, Any]:
    route = view.route
    return {
        "id": route.id,
        "fleet": route.fleet,
        "driver": route.driver,
        "day": route.day.isoformat(),
        "stops": [
            {
                "stop": s.stop.sequence,
                "address": s.stop.address,
                "window": s.stop.window.as_data() if s.stop.window else None,
                "done": s.done,
                "parcels": [
                    {
                        "shipment_id": p.shipment_id,
                        "tracking_number": p.tracking_number,
                        "status": p.status.value if p.status else None,
                    }
                    for p in s.parcels
                ],
            }
            for s in view.stops
        ],
    }


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["fleet"], route_class=ApiRoute)

    @api.post(
        "/routes",
        dependencies=[Depends(require(Permission.PLAN_ROUTES))],
        response_model=None,
        responses={
            **shows(RouteAnswer, 201, "Planned: the route as stored, its parcels assigned."),
            **refusals(
                {
                    422: "A field is not valid, a parcel or driver is unknown, a parcel is "
                    "on another route that day, or the id is taken; nothing was stored."
                }
            ),
        },
    )
    async def plan(request: Request, body: RouteIn) -> Response:
        """Plan a driver's route: its parcels are recorded as taken on by the fleet."""
        system = request.app.state.system
        try:
            stops = [
                StopPlan(
                    s.shipments,
                    s.orders,
                    Window(s.window.start, s.window.until) if s.window else None,
                    s.address,
                )
                for s in body.stops
            ]
            plan = RoutePlan(body.id, body.driver, body.day, stops)
            route = await run_in_threadpool(
                plan_route, system.uows, system.handle, plan, system.clock.now()
            )
        except DomainError as error:
            return problem(422, "Route refused", f"{error.field}: {error.message}")
        view = await run_in_threadpool(route_view, system.uows, route.id)
        assert view is not None
        return JSONResponse(route_json(view), status_code=201)

    @api.get(
        "/routes/{route_id}",
        dependencies=[Depends(require(Permission.READ_ORDERS))],
        response_model=None,
        responses=shows(RouteAnswer) | refusals({404: "No route has this id."}),
    )
    async def show(request: Request, route_id: Segment) -> Response:
        """A route, each stop with its parcels' statuses and whether it is done."""
        view = await run_in_threadpool(route_view, request.app.state.system.uows, route_id)
        if view is None:
            return problem(404, "Not found", f"no route '{route_id}'")
        return JSONResponse(route_json(view))

    return api
