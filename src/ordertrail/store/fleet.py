"""The local fleet's drivers, routes and stops in the database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from ordertrail.app.fleet.ports import Driver, RouteParcel
from ordertrail.domain.fleet import Route, Stop, Window
from ordertrail.domain.milestones import Milestone
from ordertrail.store.repositories import chunks
from ordertrail.store.tables import (
    fleet_drivers,
    fleet_routes,
    fleet_stop_parcels,
    fleet_stops,
    shipments,
)


class SqlFleet:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_driver(self, driver: Driver, at: datetime) -> bool:
        values = {"fleet": driver.fleet, "pin_hash": driver.pin_hash}
        changed = self._conn.execute(
            update(fleet_drivers).where(fleet_drivers.c.name == driver.name).values(values)
        ).rowcount
        if changed:
            return False
        self._conn.execute(insert(fleet_drivers).values(name=driver.name, created_at=at, **values))
        return True

    def set_disabled(self, name: str, disabled: bool, at: datetime) -> bool:
        changed = self._conn.execute(
            update(fleet_drivers)
            .where(fleet_drivers.c.name == name)
            .values(disabled_at=at if disabled else None)
        ).rowcount
        return bool(changed)

    def driver(self, name: str) -> Driver | None:
        return self._driver(fleet_drivers.c.name == name)

    def driver_by_id(self, driver_id: int) -> Driver | None:
        return self._driver(fleet_drivers.c.id == driver_id)

    def _driver(self, where: Any) -> Driver | None:
        row = self._conn.execute(select(fleet_drivers).where(where)).first()
        return _driver(row) if row else None

    def drivers(self) -> list[Driver]:
        rows = self._conn.execute(select(fleet_drivers).order_by(fleet_drivers.c.name))
        return [_driver(row) for row in rows]

    def save_route(self, route: Route, driver_id: int, at: datetime) -> None:
        self._conn.execute(
            insert(fleet_routes).values(
                id=route.id, fleet=route.fleet, driver_id=driver_id, day=route.day, created_at=at
            )
        )
        self._conn.execute(
            insert(fleet_stops),
            [
                {
                    "route_id": route.id,
                    "sequence": stop.sequence,
                    "window_start": stop.window.start if stop.window else None,
                    "window_end": stop.window.end if stop.window else None,
                    "address": stop.address,
                }
                for stop in route.stops
            ],
        )
        self._conn.execute(
            insert(fleet_stop_parcels),
            [
                {"route_id": route.id, "sequence": s.sequence, "shipment_id": p, "day": route.day}
                for s in route.stops
                for p in s.shipments
            ],
        )

    def route(self, route_id: str) -> Route | None:
        found = self._routes(fleet_routes.c.id == route_id)
        return found[0] if found else None

    def routes_of(self, driver_id: int, day: date) -> list[Route]:
        return self._routes((fleet_routes.c.driver_id == driver_id) & (fleet_routes.c.day == day))

    def _routes(self, where: Any) -> list[Route]:
        query = (
            select(fleet_routes, fleet_drivers.c.name.label("driver"))
            .join(fleet_drivers, fleet_drivers.c.id == fleet_routes.c.driver_id)
            .where(where)
            .order_by(fleet_routes.c.id)
        )
        heads = list(self._conn.execute(query))
        if not heads:
            return []
        ids = [head.id for head in heads]
        stops = self._conn.execute(
            select(fleet_stops)
            .where(fleet_stops.c.route_id.in_(ids))
            .order_by(fleet_stops.c.sequence)
        )
        parcels: dict[tuple[str, int], list[str]] = {}
        listed = select(fleet_stop_parcels).where(fleet_stop_parcels.c.route_id.in_(ids))
        for row in self._conn.execute(listed.order_by(fleet_stop_parcels.c.shipment_id)):
            parcels.setdefault((row.route_id, row.sequence), []).append(row.shipment_id)
        by_route: dict[str, list[Stop]] = {}
        for row in stops:
            window = Window(row.window_start, row.window_end) if row.window_start else None
            here = tuple(parcels[(row.route_id, row.sequence)])
            stop = Stop(row.sequence, here, window, row.address)
            by_route.setdefault(row.route_id, []).append(stop)
        return [
            Route(head.id, head.fleet, head.driver, head.day, tuple(by_route[head.id]))
            for head in heads
        ]

    def routes_with(self, shipment_ids: Iterable[str], day: date) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in chunks(shipment_ids):
            query = select(fleet_stop_parcels.c.shipment_id, fleet_stop_parcels.c.route_id).where(
                fleet_stop_parcels.c.shipment_id.in_(chunk), fleet_stop_parcels.c.day == day
            )
            found.update({row.shipment_id: row.route_id for row in self._conn.execute(query)})
        return found

    def latest_route_of(self, shipment_id: str) -> Route | None:
        route_id = self._conn.execute(_latest_route(), {"shipment_id": shipment_id}).scalar()
        return self.route(route_id) if route_id is not None else None

    def parcels_of(self, route_id: str) -> list[RouteParcel]:
        query = (
            select(
                fleet_stop_parcels.c.sequence,
                fleet_stop_parcels.c.shipment_id,
                shipments.c.tracking_number,
                shipments.c.status,
            )
            .join(shipments, shipments.c.id == fleet_stop_parcels.c.shipment_id)
            .where(fleet_stop_parcels.c.route_id == route_id)
            .order_by(fleet_stop_parcels.c.sequence, fleet_stop_parcels.c.shipment_id)
        )
        return [
            RouteParcel(
                row.sequence,
                row.shipment_id,
                row.tracking_number,
                Milestone(row.status) if row.status else None,
            )
            for row in self._conn.execute(query)
        ]


def _driver(row: Any) -> Driver:
    return Driver(
        name=row.name,
        fleet=row.fleet,
        pin_hash=row.pin_hash,
        id=row.id,
        disabled=row.disabled_at is not None,
    )


@cache
def _latest_route() -> Any:  # every tracking page asks it of each parcel on its way
    return (
        select(fleet_stop_parcels.c.route_id)
        .where(fleet_stop_parcels.c.shipment_id == bindparam("shipment_id"))
        .order_by(fleet_stop_parcels.c.day.desc(), fleet_stop_parcels.c.route_id.desc())
        .limit(1)
    )
