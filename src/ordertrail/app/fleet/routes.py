"""Planning a driver's day: a route of stops, each stop one or more parcels named by tracking
number, shipment id or order. Every parcel must be known and on no other route that day; a
plan with any fault stores nothing. A planned route's parcels are recorded as taken on by the
fleet (`carrier_accepted`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from ordertrail.app.fleet.reports import Record, stop_reports
from ordertrail.app.intake.commands import RecordEvents
from ordertrail.app.ports import UnitOfWork, UnitOfWorkFactory
from ordertrail.domain.fleet import Route, Stop, StopAction, Window
from ordertrail.domain.model import DomainError


@dataclass(frozen=True, slots=True)
class StopPlan:
    parcels: Sequence[str] = ()  # tracking numbers or shipment ids
    orders: Sequence[str] = ()  # every live parcel of the order
    window: Window | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class RoutePlan:
    id: str
    driver: str
    day: date
    stops: Sequence[StopPlan] = field(default_factory=list)


def plan_route(uows: UnitOfWorkFactory, record: Record, plan: RoutePlan, now: datetime) -> Route:
    """Store the route and record its parcels as assigned; DomainError names what is wrong."""
    with uows() as uow:
        driver = uow.fleet.driver(plan.driver.strip())
        if driver is None or driver.id is None or driver.disabled:
            raise DomainError("driver", f"no driver named '{plan.driver}' (ordertrail drivers add)")
        if uow.fleet.route(plan.id) is not None:
            raise DomainError("id", f"route '{plan.id}' exists already")
        stops = tuple(
            Stop(number, _parcels_of(uow, number, stop), stop.window, stop.address)
            for number, stop in enumerate(plan.stops, start=1)
        )
        route = Route(plan.id, driver.fleet, driver.name, plan.day, stops)
        parcels = [parcel for stop in stops for parcel in stop.shipments]
        taken = uow.fleet.routes_with(parcels, plan.day)
        if taken:
            parcel, other = next(iter(sorted(taken.items())))
            raise DomainError("stops", f"parcel '{parcel}' is on route '{other}' that day")
        uow.fleet.save_route(route, driver.id, now)
        uow.commit()
    reports = stop_reports(route, stops, StopAction.ASSIGNED, now, "assigned")
    record(RecordEvents(reports, all_or_nothing=True))
    return route


def _parcels_of(uow: UnitOfWork, number: int, stop: StopPlan) -> tuple[str, ...]:
    where = f"stops[{number}]"
    found = uow.subjects.find_shipments(stop.parcels)
    missing = [name for name in stop.parcels if name not in found]
    if missing:
        raise DomainError(f"{where}.shipments", f"no parcel '{missing[0]}' is known")
    parcels = [found[name].subject.id for name in stop.parcels]
    facts = uow.orders.facts(stop.orders)
    for order_id in stop.orders:
        if order_id not in facts:
            raise DomainError(f"{where}.orders", f"no order '{order_id}' is known")
        live = [shipment.id for shipment, _ in facts[order_id].shipments if not shipment.cancelled]
        if not live:
            raise DomainError(f"{where}.orders", f"order '{order_id}' has no parcel to deliver")
        parcels.extend(live)
    return tuple(dict.fromkeys(parcels))  # a parcel named twice on one stop is one parcel


def route_of(uows: UnitOfWorkFactory, route_id: str) -> Route | None:
    with uows(read_only=True) as uow:
        return uow.fleet.route(route_id)
