"""The KPI measures in SQL: each is one SELECT of rows (order, subject, outcome, duration
bucket, weight and dimensions) over the orders of a scope; the report groups them in the
database, and the drill-down lists the same rows. Events are read only through the
(milestone, subject) index, a few milestones at a time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    case,
    exists,
    func,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.sql import Subquery

from ordertrail.app.kpi_ports import BehindFigure, CostTotal, KpiScope, MeasureRow
from ordertrail.domain.kpi import BUCKET_MINUTES, minute_of_day, offset_spans, parse_cutoff
from ordertrail.domain.kpi_catalog import Measure
from ordertrail.store.kpi_sql import bucket, epoch_seconds, week_of
from ordertrail.store.tables import (
    costs,
    events,
    exception_cases,
    orders,
    outbox,
    page_views,
    returns,
    shipments,
    sites,
)

_COLUMNS = (
    "order_id",
    "subject_id",
    "placed_at",
    "outcome",
    "bucket",
    "weight",
    "week",
    "carrier",
    "service",
    "lane",
    "site",
)
_TYPES = {"bucket": BigInteger, "weight": BigInteger, "week": BigInteger}
#: cases that say the order did not arrive as ordered
_CLAIMS = ("damaged", "delivered_reported_missing")
_RELEASED = ("refund_released", "replacement_released")


def _first_monday(scope: KpiScope) -> int:
    start = scope.since.astimezone(UTC)
    monday = datetime(start.year, start.month, start.day, tzinfo=UTC) - timedelta(
        days=start.weekday()
    )
    return int(monday.timestamp())


def _rows(**given: Any) -> list[ColumnElement[Any]]:
    """The standard columns of a measure, NULL where it has no such thing."""
    return [
        (given[name] if name in given else null().cast(_TYPES.get(name, String))).label(name)
        for name in _COLUMNS
    ]


def _first(milestones: tuple[str, ...], kind: str, subject: Any) -> Any:
    """When the subject first reached one of `milestones` (an index lookup)."""
    return (
        select(func.min(events.c.occurred_at))
        .where(
            events.c.milestone.in_(milestones),
            events.c.subject_kind == kind,
            events.c.subject_id == subject,
        )
        .scalar_subquery()
    )


def _has_event(milestones: tuple[str, ...], kind: str, subject: Any, *more: Any) -> Any:
    return exists().where(
        events.c.milestone.in_(milestones),
        events.c.subject_kind == kind,
        events.c.subject_id == subject,
        *more,
    )


class _Scoped:
    """The building blocks of every measure for one scope."""

    def __init__(self, scope: KpiScope) -> None:
        self.scope = scope
        self.monday = _first_monday(scope)

    def parcel_filter(self, table: Any = shipments) -> list[Any]:
        found = [table.c.cancelled.is_(False)]
        if self.scope.carrier:
            found.append(table.c.carrier == self.scope.carrier)
        if self.scope.site:
            found.append(table.c.site == self.scope.site)
        return found

    def order_filter(self) -> list[Any]:
        scope = self.scope
        found = [
            orders.c.placed_at >= scope.since,
            orders.c.placed_at < scope.until,
            or_(orders.c.own_status.is_(None), orders.c.own_status != "order_cancelled"),
        ]
        if scope.channel:
            found.append(orders.c.channel == scope.channel)
        if scope.carrier or scope.site:
            found.append(exists().where(shipments.c.order_id == orders.c.id, *self.parcel_filter()))
        return found

    def cohort(self) -> Subquery:
        return (
            select(
                orders.c.id.label("order_id"),
                orders.c.placed_at,
                orders.c.promise_ends_at,
                orders.c.customer,
                week_of(orders.c.placed_at, self.monday).label("week"),
            )
            .where(*self.order_filter())
            .subquery("cohort")
        )

    def per_order(self) -> Subquery:
        """Each order of the scope with what its parcels (those the scope counts) came to."""
        cohort = self.cohort()
        parcels = (
            select(
                shipments.c.order_id,
                func.count().label("parcels"),
                func.count(shipments.c.shipped_at).label("shipped"),
                func.max(shipments.c.shipped_at).label("shipped_at"),
                func.count(shipments.c.delivered_at).label("delivered"),
                func.max(shipments.c.delivered_at).label("delivered_at"),
            )
            .where(shipments.c.order_id.in_(select(cohort.c.order_id)), *self.parcel_filter())
            .group_by(shipments.c.order_id)
            .subquery("parcels")
        )
        zero = literal(0)
        return (
            select(
                cohort,
                func.coalesce(parcels.c.parcels, zero).label("parcels"),
                func.coalesce(parcels.c.shipped, zero).label("shipped"),
                parcels.c.shipped_at,
                func.coalesce(parcels.c.delivered, zero).label("delivered"),
                parcels.c.delivered_at,
            )
            .select_from(cohort.outerjoin(parcels, parcels.c.order_id == cohort.c.order_id))
            .subquery("per_order")
        )

    def parcels(self) -> Subquery:
        """Each parcel of the scope's orders, with its lane (site → customer country)."""
        cohort = self.cohort()
        country = func.coalesce(cohort.c.customer["country"].as_string(), "?")
        lane = func.coalesce(shipments.c.site, "?") + " → " + country
        return (
            select(
                shipments.c.id,
                shipments.c.order_id,
                cohort.c.placed_at,
                cohort.c.promise_ends_at,
                cohort.c.week,
                func.coalesce(shipments.c.carrier, "unknown").label("carrier"),
                func.coalesce(shipments.c.service, "any").label("service"),
                lane.label("lane"),
                shipments.c.site,
                shipments.c.shipped_at,
                shipments.c.delivered_at,
            )
            .join(cohort, cohort.c.order_id == shipments.c.order_id)
            .where(*self.parcel_filter())
            .subquery("scoped_parcels")
        )


def _order_rows(o: Subquery, outcome: Any = None, bucket_of: Any = None, **more: Any) -> list[Any]:
    return _rows(
        order_id=o.c.order_id,
        subject_id=o.c.order_id,
        placed_at=o.c.placed_at,
        outcome=outcome if outcome is not None else null().cast(String),
        bucket=bucket_of if bucket_of is not None else null().cast(BigInteger),
        weight=more.pop("weight", literal(1)),
        **more,
    )


def _promise(delivered_at: Any, ends_at: Any) -> Any:
    return case(
        (ends_at.is_(None), "no_promise"),
        (delivered_at <= ends_at, "on_time"),
        else_="late",
    )


def _orders(s: _Scoped) -> Select[Any]:
    o = s.per_order()
    outcome = case((o.c.shipped > 0, "fulfilled"), else_="not_shipped")
    return select(*_order_rows(o, outcome, week=o.c.week))


def _on_time(s: _Scoped) -> Select[Any]:
    o = s.per_order()
    outcome = _promise(o.c.delivered_at, o.c.promise_ends_at)
    return select(*_order_rows(o, outcome, week=o.c.week)).where(
        o.c.parcels > 0, o.c.delivered == o.c.parcels
    )


def _order_cycle(s: _Scoped) -> Select[Any]:
    o = s.per_order()
    took = bucket(o.c.placed_at, o.c.shipped_at)
    return select(*_order_rows(o, None, took)).where(o.c.parcels > 0, o.c.shipped == o.c.parcels)


def _click_to_door(s: _Scoped) -> Select[Any]:
    o = s.per_order()
    took = bucket(o.c.placed_at, o.c.delivered_at)
    return select(*_order_rows(o, None, took, week=o.c.week)).where(
        o.c.parcels > 0, o.c.delivered == o.c.parcels
    )


def _returned(order_id: Any) -> Any:
    asked = _has_event(("return_requested",), "return", returns.c.id)
    return exists().where(returns.c.order_id == order_id, asked)


def _accuracy(s: _Scoped) -> Select[Any]:
    o = s.per_order()
    claimed = exists().where(
        exception_cases.c.order_id == o.c.order_id, exception_cases.c.kind.in_(_CLAIMS)
    )
    outcome = case((or_(claimed, _returned(o.c.order_id)), "claim"), else_="accurate")
    return select(*_order_rows(o, outcome)).where(o.c.shipped > 0)


def _exceptions(s: _Scoped) -> Select[Any]:
    cohort = s.cohort()
    about = [exception_cases.c.order_id == cohort.c.order_id]
    if s.scope.carrier or s.scope.site:  # only cases about the parcels counted
        counted = select(shipments.c.id).where(*s.parcel_filter())
        about += [
            exception_cases.c.subject_kind == "shipment",
            exception_cases.c.subject_id.in_(counted),
        ]
    kinds = (
        select(cohort.c.order_id, cohort.c.placed_at, cohort.c.week, exception_cases.c.kind)
        .select_from(cohort.join(exception_cases, and_(*about)))
        .distinct()
        .subquery("kinds")
    )
    return select(*_order_rows(kinds, kinds.c.kind))


def _returns(s: _Scoped) -> Select[Any]:
    o = s.per_order()
    outcome = case((_returned(o.c.order_id), "returned"), else_="kept")
    return select(*_order_rows(o, outcome)).where(o.c.parcels > 0, o.c.delivered == o.c.parcels)


def _return_cycle(s: _Scoped) -> Select[Any]:
    cohort = s.cohort()
    timed = (
        select(
            returns.c.id,
            cohort.c.order_id,
            cohort.c.placed_at,
            cohort.c.week,
            _first(("return_requested",), "return", returns.c.id).label("asked"),
            _first(_RELEASED, "return", returns.c.id).label("released"),
        )
        .join(cohort, cohort.c.order_id == returns.c.order_id)
        .subquery("timed")
    )
    rows = _rows(
        order_id=timed.c.order_id,
        subject_id=timed.c.id,
        placed_at=timed.c.placed_at,
        bucket=bucket(timed.c.asked, timed.c.released),
        weight=literal(1),
    )
    return select(*rows).where(timed.c.asked.is_not(None), timed.c.released.is_not(None))


def _per_order_count(s: _Scoped, counted: Subquery) -> Select[Any]:
    cohort = s.cohort()
    return select(
        *_rows(
            order_id=cohort.c.order_id,
            subject_id=cohort.c.order_id,
            placed_at=cohort.c.placed_at,
            weight=counted.c.n,
        )
    ).join(counted, counted.c.order_id == cohort.c.order_id)


def _messages(s: _Scoped) -> Select[Any]:
    sent = (
        select(outbox.c.order_id, func.count().label("n"))
        .where(outbox.c.audience == "customer", outbox.c.status == "sent")
        .group_by(outbox.c.order_id)
        .subquery("sent")
    )
    return _per_order_count(s, sent)


def _page_views(s: _Scoped) -> Select[Any]:
    seen = (
        select(page_views.c.order_id, func.sum(page_views.c.views).label("n"))
        .group_by(page_views.c.order_id)
        .subquery("seen")
    )
    return _per_order_count(s, seen)


def _wismo(s: _Scoped) -> Select[Any]:
    cohort = s.cohort()
    viewed = exists().where(page_views.c.order_id == cohort.c.order_id)
    contacted = exists().where(
        exception_cases.c.order_id == cohort.c.order_id,
        exception_cases.c.kind == "delivered_reported_missing",
    )
    outcome = case((contacted, "contacted"), else_="answered")
    return select(*_order_rows(cohort, outcome)).where(viewed)


def _costs(s: _Scoped) -> Select[Any]:
    cohort = s.cohort()
    rows = _rows(
        order_id=cohort.c.order_id,
        subject_id=costs.c.kind,
        placed_at=cohort.c.placed_at,
        outcome=costs.c.currency,
        weight=costs.c.amount,
    )
    return select(*rows).join(costs, costs.c.order_id == cohort.c.order_id)


def _parcel_rows(
    p: Subquery, outcome: Any = None, bucket_of: Any = None, *, lanes: bool = True
) -> list[Any]:
    by_lane = {"carrier": p.c.carrier, "service": p.c.service, "lane": p.c.lane} if lanes else {}
    return _rows(
        order_id=p.c.order_id,
        subject_id=p.c.id,
        placed_at=p.c.placed_at,
        outcome=outcome if outcome is not None else null().cast(String),
        bucket=bucket_of if bucket_of is not None else null().cast(BigInteger),
        weight=literal(1),
        site=p.c.site,
        **by_lane,
    )


def _parcel_on_time(s: _Scoped) -> Select[Any]:
    p = s.parcels()
    outcome = _promise(p.c.delivered_at, p.c.promise_ends_at)
    return select(*_parcel_rows(p, outcome)).where(p.c.delivered_at.is_not(None))


def _transit(s: _Scoped) -> Select[Any]:
    p = s.parcels()
    took = bucket(p.c.shipped_at, p.c.delivered_at)
    return select(*_parcel_rows(p, None, took)).where(
        p.c.shipped_at.is_not(None), p.c.delivered_at.is_not(None)
    )


def _first_attempt(s: _Scoped) -> Select[Any]:
    p = s.parcels()
    failed = _has_event(
        ("delivery_attempted",), "shipment", p.c.id, events.c.occurred_at < p.c.delivered_at
    )
    outcome = case((failed, "after_failed_attempt"), else_="first_attempt")
    return select(*_parcel_rows(p, outcome)).where(p.c.delivered_at.is_not(None))


def _parcel_exceptions(s: _Scoped) -> Select[Any]:
    p = s.parcels()
    opened = exists().where(
        exception_cases.c.subject_kind == "shipment", exception_cases.c.subject_id == p.c.id
    )
    outcome = case((opened, "with_exception"), else_="none")
    return select(*_parcel_rows(p, outcome))


def _scanned(s: _Scoped) -> Subquery:
    """Each parcel that left a site, with when each warehouse step was first scanned (a pick
    scanned on the order counts for each of its parcels)."""
    p = s.parcels()
    picked = func.coalesce(
        _first(("picked",), "shipment", p.c.id), _first(("picked",), "order", p.c.order_id)
    )
    return (
        select(
            p,
            picked.label("picked_at"),
            _first(("packed",), "shipment", p.c.id).label("packed_at"),
            _first(("label_created",), "shipment", p.c.id).label("labelled_at"),
        )
        .where(p.c.site.is_not(None))
        .subquery("scanned")
    )


def _dwell(start: str, end: str) -> Callable[[_Scoped], Select[Any]]:
    def measure(s: _Scoped) -> Select[Any]:
        scanned = _scanned(s)
        began, ended = scanned.c[start], scanned.c[end]
        took = bucket(began, ended)
        return select(*_parcel_rows(scanned, None, took, lanes=False)).where(
            began.is_not(None), ended.is_not(None)
        )

    return measure


def _missed_scans(s: _Scoped) -> Select[Any]:
    scanned = _scanned(s)
    c = scanned.c
    missed = or_(c.picked_at.is_(None), c.packed_at.is_(None), c.labelled_at.is_(None))
    outcome = case((missed, "missed"), else_="complete")
    return select(*_parcel_rows(scanned, outcome, lanes=False)).where(c.shipped_at.is_not(None))


def _late_handoffs(s: _Scoped, conn: Connection) -> Select[Any]:
    p = s.parcels()
    clocks = conn.execute(
        select(sites.c.id, sites.c.time_zone, sites.c.carrier_cutoff).where(
            sites.c.carrier_cutoff.is_not(None)
        )
    ).all()
    if not clocks:
        return select(*_parcel_rows(p, literal("after_cutoff"))).where(literal(False))
    # parcels of the period are handed off within weeks of it
    start, end = s.scope.since - timedelta(days=1), s.scope.until + timedelta(days=120)
    offsets, cutoffs = [], []
    for site, zone, cutoff in clocks:
        cutoffs.append((p.c.site == site, minute_of_day(parse_cutoff(cutoff))))
        for span in offset_spans(zone, start, end):
            within = and_(p.c.site == site, p.c.shipped_at >= span.start, p.c.shipped_at < span.end)
            offsets.append((within, span.minutes))
    offset = case(*offsets, else_=0)
    local_minute = (epoch_seconds(p.c.shipped_at) // 60 + offset) % 1440
    outcome = case(
        (local_minute > case(*cutoffs, else_=1440), "after_cutoff"), else_="before_cutoff"
    )
    known = p.c.site.in_([site for site, _, _ in clocks])
    return select(*_parcel_rows(p, outcome, lanes=False)).where(p.c.shipped_at.is_not(None), known)


_MEASURES: dict[Measure, Callable[[_Scoped], Select[Any]]] = {
    Measure.ORDERS: _orders,
    Measure.ON_TIME: _on_time,
    Measure.ORDER_CYCLE: _order_cycle,
    Measure.CLICK_TO_DOOR: _click_to_door,
    Measure.ACCURACY: _accuracy,
    Measure.EXCEPTIONS: _exceptions,
    Measure.RETURNS: _returns,
    Measure.RETURN_CYCLE: _return_cycle,
    Measure.MESSAGES: _messages,
    Measure.PAGE_VIEWS: _page_views,
    Measure.WISMO: _wismo,
    Measure.COSTS: _costs,
    Measure.PARCEL_ON_TIME: _parcel_on_time,
    Measure.TRANSIT: _transit,
    Measure.FIRST_ATTEMPT: _first_attempt,
    Measure.PARCEL_EXCEPTIONS: _parcel_exceptions,
    Measure.PICK_TO_PACK: _dwell("picked_at", "packed_at"),
    Measure.PACK_TO_LABEL: _dwell("packed_at", "labelled_at"),
    Measure.LABEL_TO_HANDOFF: _dwell("labelled_at", "shipped_at"),
    Measure.MISSED_SCANS: _missed_scans,
}


class SqlKpis:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def _select(self, measure: Measure, scope: KpiScope) -> Subquery:
        scoped = _Scoped(scope)
        if measure is Measure.LATE_HANDOFFS:
            query = _late_handoffs(scoped, self._conn)
        else:
            query = _MEASURES[measure](scoped)
        return query.subquery("measured")

    def measure(self, measure: Measure, scope: KpiScope) -> list[MeasureRow]:
        m = self._select(measure, scope)
        groups = (m.c.outcome, m.c.bucket, m.c.week, m.c.carrier, m.c.service, m.c.lane, m.c.site)
        query = select(*groups, func.sum(m.c.weight).label("weight")).group_by(*groups)
        return [
            MeasureRow(
                outcome=row.outcome,
                bucket=None if row.bucket is None else int(row.bucket),
                weight=int(row.weight or 0),
                week=None if row.week is None else int(row.week),
                carrier=row.carrier,
                service=row.service,
                lane=row.lane,
                site=row.site,
            )
            for row in self._conn.execute(query)
        ]

    def behind(
        self,
        measure: Measure,
        scope: KpiScope,
        outcome: str | None,
        after: str | None,
        limit: int,
    ) -> list[BehindFigure]:
        m = self._select(measure, scope)
        query = select(m).order_by(m.c.order_id, m.c.subject_id).limit(limit)
        if outcome is not None:
            query = query.where(m.c.outcome == outcome)
        if after is not None:
            query = query.where(m.c.order_id > after)
        return [
            BehindFigure(
                order_id=row.order_id,
                subject_id=row.subject_id,
                placed_at=_aware(row.placed_at),
                outcome=row.outcome,
                hours=None if row.bucket is None else round(row.bucket * BUCKET_MINUTES / 60, 2),
                weight=int(row.weight),
                carrier=row.carrier,
                site=row.site,
            )
            for row in self._conn.execute(query)
        ]

    def site_costs(self, scope: KpiScope) -> list[CostTotal]:
        query = (
            select(
                costs.c.currency,
                costs.c.kind,
                func.sum(costs.c.amount),
                func.count(),
            )
            .where(
                costs.c.order_id.is_(None),
                costs.c.incurred_on >= scope.since.date(),
                costs.c.incurred_on < scope.until.date(),
            )
            .group_by(costs.c.currency, costs.c.kind)
        )
        if scope.site:
            query = query.where(costs.c.site == scope.site)
        return [
            CostTotal(str(currency), str(kind), int(amount), int(n))
            for currency, kind, amount, n in self._conn.execute(query)
        ]


def _aware(value: Any) -> datetime:
    """A subquery's instant comes back as the driver gives it (SQLite: text)."""
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
