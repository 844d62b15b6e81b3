"""The KPI measures in SQL: each is one SELECT of rows (order, subject, outcome, duration
bucket, weight and dimensions) over the orders of a scope; the report groups them in the
database, and the drill-down lists the same rows. Events are read only through the
(milestone, subject) index, a few milestones at a time.

The whole report is one statement: what each order's parcels came to, each parcel and its
warehouse scans are common table expressions that both databases work out once, and every
measure reads them (profiling showed each measure re-reading every order's parcels and
events was most of a year's report time)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
    union_all,
)
from sqlalchemy.sql.selectable import CTE, Subquery

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
#: what a measure reads from: a shared expression or a subquery of its own
Rows = CTE | Subquery
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
    """The building blocks of every measure for one scope, each made once per statement."""

    def __init__(self, scope: KpiScope, *, materialize: bool = False) -> None:
        self.scope = scope
        self.monday = _first_monday(scope)
        self.materialize = materialize
        self._made: dict[str, CTE] = {}

    def _once(self, name: str, make: Callable[[], Select[Any]]) -> CTE:
        if name not in self._made:
            made = make().cte(name)
            # worked out once, not folded into each measure that reads it (SQLite would
            # repeat every correlated lookup in each expression using its columns)
            self._made[name] = made.prefix_with("MATERIALIZED") if self.materialize else made
        return self._made[name]

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

    def cohort(self) -> CTE:
        return self._once(
            "cohort",
            lambda: select(
                orders.c.id.label("order_id"),
                orders.c.placed_at,
                orders.c.promise_ends_at,
                orders.c.customer_country,
                week_of(orders.c.placed_at, self.monday).label("week"),
            ).where(*self.order_filter()),
        )

    def per_order(self) -> CTE:
        """Each order of the scope with what its parcels (those the scope counts) came to."""
        return self._once("per_order", self._per_order)

    def _per_order(self) -> Select[Any]:
        # one index lookup of the order's parcels per figure: cheaper on both databases than
        # grouping every parcel of the period and joining the groups back
        cohort = self.cohort()

        def of_parcels(figure: Any) -> Any:
            return (
                select(figure)
                .where(shipments.c.order_id == cohort.c.order_id, *self.parcel_filter())
                .scalar_subquery()
            )

        return select(
            cohort,
            of_parcels(func.count()).label("parcels"),
            of_parcels(func.count(shipments.c.shipped_at)).label("shipped"),
            of_parcels(func.max(shipments.c.shipped_at)).label("shipped_at"),
            of_parcels(func.count(shipments.c.delivered_at)).label("delivered"),
            of_parcels(func.max(shipments.c.delivered_at)).label("delivered_at"),
        )

    def parcels(self) -> CTE:
        """Each parcel of the scope's orders, with its lane (site → customer country)."""
        return self._once("scoped_parcels", self._parcels)

    def _parcels(self) -> Select[Any]:
        cohort = self.cohort()
        country = func.coalesce(cohort.c.customer_country, "?")
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
        )


def _order_rows(o: Rows, outcome: Any = None, bucket_of: Any = None, **more: Any) -> list[Any]:
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
    return select(*_order_rows(o, outcome, week=o.c.week)).where(o.c.shipped > 0)


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
    return select(*_order_rows(o, outcome, week=o.c.week)).where(
        o.c.parcels > 0, o.c.delivered == o.c.parcels
    )


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
    p: Rows, outcome: Any = None, bucket_of: Any = None, *, lanes: bool = True
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


def _scanned(s: _Scoped) -> CTE:
    """Each parcel that left a site, with when each warehouse step was first scanned (a pick
    scanned on the order counts for each of its parcels)."""
    return s._once("scanned", lambda: _scanned_parcels(s))


def _scanned_parcels(s: _Scoped) -> Select[Any]:
    p = s.parcels()
    picked = func.coalesce(
        _first(("picked",), "shipment", p.c.id), _first(("picked",), "order", p.c.order_id)
    )
    return select(
        p,
        picked.label("picked_at"),
        _first(("packed",), "shipment", p.c.id).label("packed_at"),
        _first(("label_created",), "shipment", p.c.id).label("labelled_at"),
    ).where(p.c.site.is_not(None))


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
        select(sites.c.id, sites.c.time_zone, sites.c.cutoff).where(sites.c.cutoff.is_not(None))
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


#: Measures of the same rows (one per order, or per parcel) with the same dimensions and no
#: duration: one GROUP BY counts them all, each outcome in its own column.
_TOGETHER = (
    (Measure.ORDERS, Measure.ON_TIME, Measure.ACCURACY, Measure.RETURNS),
    (Measure.PARCEL_ON_TIME, Measure.FIRST_ATTEMPT, Measure.PARCEL_EXCEPTIONS),
)
_DIMENSIONS = ("week", "carrier", "service", "lane", "site")
_APART = "|"


class SqlKpis:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def _query(self, measure: Measure, scoped: _Scoped) -> Select[Any]:
        if measure is Measure.LATE_HANDOFFS:
            return _late_handoffs(scoped, self._conn)
        return _MEASURES[measure](scoped)

    def _grouped(self, measure: Measure, scoped: _Scoped) -> Select[Any]:
        m = self._query(measure, scoped).subquery(f"measured_{measure.value}")
        groups = (m.c.outcome, m.c.bucket, m.c.week, m.c.carrier, m.c.service, m.c.lane, m.c.site)
        return select(
            literal(measure.value).label("measure"), *groups, func.sum(m.c.weight).label("weight")
        ).group_by(*groups)

    def _select(self, measure: Measure, scope: KpiScope) -> Subquery:
        return self._query(measure, _Scoped(scope)).subquery("measured")

    def measures(
        self, wanted: Iterable[Measure], scope: KpiScope
    ) -> dict[Measure, list[MeasureRow]]:
        scoped = _Scoped(scope, materialize=_can_materialize(self._conn))
        wanted = list(wanted)
        together = [group for group in _TOGETHER if set(group) <= set(wanted)]
        alone = [m for m in wanted if not any(m in group for group in together)]
        # each measure grouped on its own: one sort of the whole union's rows cost more
        # than all the measures' own work
        parts = [self._together(group, scoped) for group in together]
        parts += [self._grouped(measure, scoped) for measure in alone]
        found: dict[Measure, list[MeasureRow]] = {measure: [] for measure in wanted}
        for row in self._conn.execute(select(union_all(*parts).subquery())):
            named = row.measure.split(_APART)
            outcomes = row.outcome.split(_APART) if len(named) > 1 else [row.outcome]
            for name, outcome in zip(named, outcomes, strict=True):
                if outcome != "":
                    found[Measure(name)].append(_measure_row(row, outcome))
        return found

    def _together(self, group: tuple[Measure, ...], scoped: _Scoped) -> Select[Any]:
        """One pass over the rows several measures share; each measure's outcome, or '' for
        a row it does not count, joined by `_APART`."""
        queries = [self._query(measure, scoped) for measure in group]
        outcomes = []
        for query in queries:
            outcome = query.selected_columns.outcome.element
            if query.whereclause is not None:
                outcome = case((query.whereclause, outcome))
            outcomes.append(func.coalesce(outcome, ""))
        joined: ColumnElement[Any] = outcomes[0]
        for outcome in outcomes[1:]:
            joined = joined + _APART + outcome
        first = queries[0].selected_columns
        dimensions = [first[name] for name in _DIMENSIONS]
        return select(
            literal(_APART.join(m.value for m in group)).label("measure"),
            joined.label("outcome"),
            null().cast(BigInteger).label("bucket"),
            *dimensions,
            func.count().label("weight"),
        ).group_by(joined, *(d.element for d in dimensions))

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


def _can_materialize(conn: Connection) -> bool:
    """`WITH ... AS MATERIALIZED` is PostgreSQL 12's and SQLite 3.35's."""
    dialect = conn.dialect
    if dialect.name == "sqlite":
        return bool(dialect.dbapi.sqlite_version_info >= (3, 35))  # type: ignore[union-attr]
    return dialect.name == "postgresql" and (dialect.server_version_info or (0,)) >= (12,)


def _measure_row(row: Any, outcome: str | None) -> MeasureRow:
    return MeasureRow(
        outcome=outcome,
        bucket=None if row.bucket is None else int(row.bucket),
        weight=int(row.weight or 0),
        week=None if row.week is None else int(row.week),
        carrier=row.carrier,
        service=row.service,
        lane=row.lane,
        site=row.site,
    )


def _aware(value: Any) -> datetime:
    """A subquery's instant comes back as the driver gives it (SQLite: text)."""
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
