"""What the fleet's pages read: a driver's day, and how near the van is to a customer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from ordertrail.app.fleet.ports import Driver, RouteParcel
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.domain.fleet import NEAR, Route, Stop, stop_done, stops_ahead
from ordertrail.domain.milestones import Milestone


@dataclass(frozen=True, slots=True)
class StopView:
    stop: Stop
    parcels: list[RouteParcel]
    done: bool

    @property
    def delivered(self) -> bool:
        return all(parcel.status is Milestone.DELIVERED for parcel in self.parcels)


@dataclass(frozen=True, slots=True)
class RouteView:
    route: Route
    stops: list[StopView]

    @property
    def started(self) -> bool:
        waiting = Milestone.CARRIER_ACCEPTED
        return any(p.status is not waiting for s in self.stops for p in s.parcels)


def driver_day(uows: UnitOfWorkFactory, driver: Driver, day: date) -> list[RouteView]:
    """The driver's routes of `day`, each stop with its parcels and whether it is done."""
    if driver.id is None:
        return []
    with uows(read_only=True) as uow:
        routes = uow.fleet.routes_of(driver.id, day)
        return [_view(route, uow.fleet.parcels_of(route.id)) for route in routes]


def route_view(uows: UnitOfWorkFactory, route_id: str) -> RouteView | None:
    with uows(read_only=True) as uow:
        route = uow.fleet.route(route_id)
        return _view(route, uow.fleet.parcels_of(route_id)) if route else None


def _view(route: Route, parcels: list[RouteParcel]) -> RouteView:
    by_stop: dict[int, list[RouteParcel]] = defaultdict(list)
    for parcel in parcels:
        by_stop[parcel.stop].append(parcel)
    stops = []
    for stop in route.stops:
        parcels_here = by_stop[stop.sequence]
        stops.append(StopView(stop, parcels_here, stop_done([p.status for p in parcels_here])))
    return RouteView(route, stops)


def stops_away(uows: UnitOfWorkFactory, shipment_id: str) -> int | None:
    """How many stops the van makes before this parcel's, while it is out for delivery and
    near (fewer than NEAR); None otherwise."""
    with uows(read_only=True) as uow:
        route = uow.fleet.latest_route_of(shipment_id)
        if route is None:
            return None
        view = _view(route, uow.fleet.parcels_of(route.id))
    mine = next(
        (s for s in view.stops if any(p.shipment_id == shipment_id for p in s.parcels)), None
    )
    if mine is None or mine.done:
        return None
    if not any(p.status is Milestone.OUT_FOR_DELIVERY for p in mine.parcels):
        return None
    ahead = stops_ahead([s.stop.sequence for s in view.stops if not s.done], mine.stop.sequence)
    return ahead if ahead < NEAR else None
