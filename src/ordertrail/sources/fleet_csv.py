"""The day's stops as a CSV, one row per parcel (or order) at a stop:

    route,driver,day,stop,parcel,order,window_from,window_until,address
    R-0601,Sam Ortiz,2026-11-25,1,1ZLOCAL0001,,14:00,16:00,"12 Elm St"

`parcel` is a tracking number or shipment id, `order` puts all that order's parcels on the
stop (one of the two per row). The window is HH:MM in `zone` (the fleet's zone) on the route's
day, or full times with their offset. Rows of one stop repeat its number; the stop's window
and address are read from its first row. A route is planned whole or not at all: a fault in
any of its rows keeps that route out (reported at its line) while the other routes land.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ordertrail.app.fleet.routes import RoutePlan, StopPlan
from ordertrail.app.intake.handlers import ItemProblem
from ordertrail.domain.fleet import Window
from ordertrail.domain.model import DomainError
from ordertrail.sources.channels.csv_rows import Row, Rows

COLUMNS = ("route", "driver", "day", "stop", "parcel", "order")


@dataclass(slots=True)
class _Stop:
    parcels: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)
    window: Window | None = None
    address: str | None = None


@dataclass(slots=True)
class _Route:
    line: int
    driver: str
    day: date
    stops: dict[int, _Stop] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RouteFile:
    plans: list[tuple[int, RoutePlan]]  # each with the line it starts on
    problems: list[ItemProblem]  # by line; a route with any is not in `plans`


def read_routes(lines: Iterable[str], zone: ZoneInfo) -> RouteFile:
    rows = Rows(lines)
    routes: dict[str, _Route] = {}
    problems: list[ItemProblem] = []
    refused: set[str] = set()
    for line, row, trouble in rows:
        if line == 1 and not trouble:
            missing = [name for name in COLUMNS if name not in (rows.reader.fieldnames or [])]
            if missing:
                said = f"the header lacks {', '.join(missing)}"
                return RouteFile([], [ItemProblem(1, "(header)", said)])
        problems.extend(trouble)
        if trouble:
            continue
        name = (row.get("route") or "").strip()
        try:
            _add(routes, name, line, row, zone)
        except DomainError as error:
            problems.append(ItemProblem(line, error.field, error.message))
            refused.add(name)
    plans = [
        (route.line, _plan(name, route)) for name, route in routes.items() if name not in refused
    ]
    return RouteFile(plans, problems)


def _add(routes: dict[str, _Route], name: str, line: int, row: Row, zone: ZoneInfo) -> None:
    if not name:
        raise DomainError("route", "every row names its route")
    driver = (row.get("driver") or "").strip()
    day = _day(row.get("day"))
    route = routes.setdefault(name, _Route(line, driver, day))
    if (route.driver, route.day) != (driver, day):
        raise DomainError(
            "driver", f"route '{name}' has another driver or day on line {route.line}"
        )
    number = (row.get("stop") or "").strip()
    if not number.isdigit() or not 0 < int(number) <= 10_000:
        raise DomainError("stop", f"'{number}' is not a stop number (1, 2, 3 …)")
    stop = route.stops.setdefault(int(number), _Stop())
    parcel, order = (row.get("parcel") or "").strip(), (row.get("order") or "").strip()
    if bool(parcel) == bool(order):
        raise DomainError("parcel", "give a parcel or an order on each row (one of the two)")
    (stop.parcels if parcel else stop.orders).append(parcel or order)
    if stop.window is None and (row.get("window_from") or row.get("window_until")):
        stop.window = Window(
            _moment(row.get("window_from"), day, zone, "window_from"),
            _moment(row.get("window_until"), day, zone, "window_until"),
        )
    if stop.address is None and (row.get("address") or "").strip():
        stop.address = row["address"].strip()


def _plan(name: str, route: _Route) -> RoutePlan:
    stops = [
        StopPlan(tuple(s.parcels), tuple(s.orders), s.window, s.address)
        for _, s in sorted(route.stops.items())
    ]
    return RoutePlan(name, route.driver, route.day, stops)


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise DomainError("day", f"'{text}' is not a day like 2026-11-25") from None


def _moment(text: str | None, day: date, zone: ZoneInfo, name: str) -> datetime:
    text = (text or "").strip()
    try:
        if len(text) <= 5:
            return datetime.combine(day, time.fromisoformat(text), zone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise DomainError(name, f"'{text}' is not HH:MM or a time with its offset") from None
    if moment.tzinfo is None:
        raise DomainError(name, f"'{text}' needs its offset, or give HH:MM")
    return moment
