"""The KPI report a fulfillment manager opens every Monday, and the orders behind each
figure. The database counts (app.kpi_ports); this module turns counts into figures with the
domain's maths, counts always beside ratios (the JSON shape is a public contract)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ordertrail.app.measures.kpi_ports import BehindFigure, KpiScope, MeasureRow
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.domain.measures.costs import major, minor_digits
from ordertrail.domain.measures.kpi import PerOrder, Rate, Spread, merge, spread
from ordertrail.domain.measures.kpi_catalog import KPIS, Measure
from ordertrail.domain.model import DomainError, Money

#: A report without dates covers the four weeks up to today.
DEFAULT_DAYS = 28

Rows = list[MeasureRow]


#: the days a report may name: orders are refused outside 1970 to 2200, and a report reads its
#: sites' clocks day by day, so a period is bounded too
EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(2200, 12, 31)
MAX_DAYS = 366 * 5


def scope_of(
    now: datetime,
    since: date | None = None,
    until: date | None = None,
    *,
    channel: str | None = None,
    carrier: str | None = None,
    site: str | None = None,
) -> KpiScope:
    """Orders placed from the start of `since` to the end of `until` (UTC days, both
    included)."""
    last = until or now.astimezone(UTC).date()
    first = since or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise DomainError("since", f"{first} comes after until ({last})")
    for name, day in (("since", first), ("until", last)):
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            raise DomainError(name, f"{day} is outside {EARLIEST_DAY}–{LATEST_DAY}")
    if (last - first).days > MAX_DAYS:
        raise DomainError("since", f"a report covers at most {MAX_DAYS} days")
    return KpiScope(
        since=datetime.combine(first, time(0), UTC),
        until=datetime.combine(last + timedelta(days=1), time(0), UTC),
        channel=channel or None,
        carrier=carrier or None,
        site=site or None,
    )


def report(uows: UnitOfWorkFactory, scope: KpiScope) -> dict[str, Any]:
    with uows(read_only=True) as uow:
        measured = uow.kpis.measures(Measure, scope)
        site_costs = uow.kpis.site_costs(scope)
    m = measured
    orders = _outcomes(m[Measure.ORDERS])
    placed, fulfilled = sum(orders.values()), orders.get("fulfilled", 0)
    exceptions = _outcomes(m[Measure.EXCEPTIONS])
    wismo = _outcomes(m[Measure.WISMO])
    spent: dict[str, int] = defaultdict(int)
    for row in m[Measure.COSTS]:
        spent[str(row.outcome)] += row.weight
    for total in site_costs:
        spent[total.currency] += total.amount
    kpis = {
        "on_time_delivery_rate": _on_time(m[Measure.ON_TIME]),
        "order_cycle_time": _spread(m[Measure.ORDER_CYCLE]),
        "click_to_door": _spread(m[Measure.CLICK_TO_DOOR]),
        "order_accuracy_rate": _rate(m[Measure.ACCURACY], "accurate", "claim"),
        "fulfillment_cost_per_order": _cost_per_order(spent, fulfilled),
        "first_attempt_delivery_rate": _rate(
            m[Measure.FIRST_ATTEMPT], "first_attempt", "after_failed_attempt"
        ),
        "exception_rate": {
            "denominator": placed,
            "by_kind": {kind: _json(Rate(n, placed)) for kind, n in sorted(exceptions.items())},
        },
        "return_rate": _rate(m[Measure.RETURNS], "returned", "kept"),
        "return_cycle_time": _spread(m[Measure.RETURN_CYCLE]),
        "messages_per_order": _per_order(m[Measure.MESSAGES], placed),
        "tracking_page_views_per_order": _per_order(m[Measure.PAGE_VIEWS], placed),
        "wismo_contacts_avoided": {
            "value": wismo.get("answered", 0),
            "orders_viewed": sum(wismo.values()),
            "contacted": wismo.get("contacted", 0),
        },
    }
    return {
        "period": {
            "since": scope.since.date().isoformat(),
            "until": (scope.until - timedelta(days=1)).date().isoformat(),
        },
        "filters": {"channel": scope.channel, "carrier": scope.carrier, "site": scope.site},
        "orders": {"placed": placed, "fulfilled": fulfilled},
        "kpis": kpis,
        "carriers": _carriers(m),
        "sites": _sites(m),
        "weeks": _weeks(m, scope),
    }


def orders_behind(
    uows: UnitOfWorkFactory,
    name: str,
    scope: KpiScope,
    *,
    outcome: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> list[BehindFigure]:
    """The orders (with the parcel or return counted) behind KPI `name`; KeyError for a name
    no KPI has."""
    measure = KPIS[name].measure
    with uows(read_only=True) as uow:
        return uow.kpis.behind(measure, scope, outcome, after, limit)


def _outcomes(rows: Iterable[MeasureRow]) -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    for row in rows:
        found[str(row.outcome)] += row.weight
    return dict(found)


def _json(rate: Rate) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "value": rate.value,
        "numerator": rate.numerator,
        "denominator": rate.denominator,
    }
    if rate.excluded is not None:
        shown["excluded"] = dict(rate.excluded)
    return shown


def _rate(rows: Iterable[MeasureRow], counted: str, other: str) -> dict[str, Any]:
    found = _outcomes(rows)
    return _json(Rate(found.get(counted, 0), found.get(counted, 0) + found.get(other, 0)))


def _on_time(rows: Iterable[MeasureRow]) -> dict[str, Any]:
    found = _outcomes(rows)
    on_time, late = found.get("on_time", 0), found.get("late", 0)
    return _json(Rate(on_time, on_time + late, {"no_promise": found.get("no_promise", 0)}))


def _spread(rows: Iterable[MeasureRow]) -> dict[str, Any]:
    return _spread_json(spread(_histogram(rows)))


def _histogram(rows: Iterable[MeasureRow]) -> list[tuple[int, int]]:
    return merge([[(row.bucket, row.weight) for row in rows if row.bucket is not None]])


def _spread_json(found: Spread) -> dict[str, Any]:
    return {"median_hours": found.median_hours, "p90_hours": found.p90_hours, "count": found.count}


def _per_order(rows: Iterable[MeasureRow], placed: int) -> dict[str, Any]:
    total = sum(row.weight for row in rows)
    figure = PerOrder(total, placed)
    return {"value": figure.value, "numerator": total, "denominator": placed}


def _cost_per_order(spent: dict[str, int], fulfilled: int) -> dict[str, Any]:
    by_currency: dict[str, Any] = {}
    for currency, amount in sorted(spent.items()):
        per_order = None
        if fulfilled:
            per_order = round(major(Money(amount, currency)) / fulfilled, minor_digits(currency))
        by_currency[currency] = {
            "value": per_order,
            "numerator": major(Money(amount, currency)),
            "numerator_minor": amount,
        }
    return {"denominator": fulfilled, "by_currency": by_currency}


def _grouped(rows: Rows, key: Callable[[MeasureRow], Any]) -> dict[Any, Rows]:
    found: dict[Any, Rows] = defaultdict(list)
    for row in rows:
        found[key(row)].append(row)
    return found


def _scorecard(m: dict[Measure, Rows], key: Callable[[MeasureRow], Any]) -> dict[Any, Any]:
    on_time = _grouped(m[Measure.PARCEL_ON_TIME], key)
    transit = _grouped(m[Measure.TRANSIT], key)
    first = _grouped(m[Measure.FIRST_ATTEMPT], key)
    trouble = _grouped(m[Measure.PARCEL_EXCEPTIONS], key)
    found = {}
    for group in sorted(set(trouble) | set(on_time), key=str):
        found[group] = {
            "parcels": sum(row.weight for row in trouble.get(group, [])),
            "on_time_delivery_rate": _on_time(on_time.get(group, [])),
            "transit_time": _spread(transit.get(group, [])),
            "first_attempt_delivery_rate": _rate(
                first.get(group, []), "first_attempt", "after_failed_attempt"
            ),
            "exception_rate": _rate(trouble.get(group, []), "with_exception", "none"),
        }
    return found


def _carriers(m: dict[Measure, Rows]) -> list[dict[str, Any]]:
    services = _scorecard(m, lambda row: (row.carrier, row.service))
    lanes = _scorecard(m, lambda row: (row.carrier, row.lane))
    shown = []
    for carrier, figures in _scorecard(m, lambda row: row.carrier).items():
        shown.append(
            {
                "carrier": carrier,
                **figures,
                "services": [
                    {"service": service, **f}
                    for (c, service), f in services.items()
                    if c == carrier
                ],
                "lanes": [{"lane": lane, **f} for (c, lane), f in lanes.items() if c == carrier],
            }
        )
    return shown


def _sites(m: dict[Measure, Rows]) -> list[dict[str, Any]]:
    def by_site(measure: Measure) -> dict[Any, Rows]:
        return _grouped([row for row in m[measure] if row.site is not None], lambda r: r.site)

    missed, late = by_site(Measure.MISSED_SCANS), by_site(Measure.LATE_HANDOFFS)
    dwell = {
        name: by_site(measure)
        for name, measure in (
            ("pick_to_pack", Measure.PICK_TO_PACK),
            ("pack_to_label", Measure.PACK_TO_LABEL),
            ("label_to_handoff", Measure.LABEL_TO_HANDOFF),
        )
    }
    shown = []
    for site in sorted(set(missed) | set(late) | {s for d in dwell.values() for s in d}):
        shown.append(
            {
                "site": site,
                "handed_off": sum(row.weight for row in missed.get(site, [])),
                **{name: _spread(rows.get(site, [])) for name, rows in dwell.items()},
                "missed_scan_rate": _rate(missed.get(site, []), "missed", "complete"),
                "late_handoff_rate": (
                    _rate(late[site], "after_cutoff", "before_cutoff") if site in late else None
                ),
            }
        )
    return shown


def _weeks(m: dict[Measure, Rows], scope: KpiScope) -> list[dict[str, Any]]:
    """Week by week (weeks start on Monday), for charts."""
    first_monday = scope.since.date() - timedelta(days=scope.since.weekday())
    placed = _grouped(m[Measure.ORDERS], lambda row: row.week)
    on_time = _grouped(m[Measure.ON_TIME], lambda row: row.week)
    door = _grouped(m[Measure.CLICK_TO_DOOR], lambda row: row.week)
    last = (scope.until - timedelta(days=1)).date()
    weeks = (last - first_monday).days // 7 + 1
    return [
        {
            "week_of": (first_monday + timedelta(weeks=week)).isoformat(),
            "orders": sum(row.weight for row in placed.get(week, [])),
            "on_time_delivery_rate": _on_time(on_time.get(week, [])),
            "click_to_door": _spread(door.get(week, [])),
        }
        for week in range(weeks)
    ]
