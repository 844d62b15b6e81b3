"""The KPI measures in SQL: each is one SELECT of rows (order, subject, outcome, duration
bucket, weight and dimensions) over a scope (store.kpi_scope); the report groups them in the
database, and the drill-down lists the same rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql.selectable import Subquery

from ordertrail.domain.measures.kpi import minute_of_day, offset_spans, parse_cutoff
from ordertrail.domain.measures.kpi_catalog import Measure
from ordertrail.store.measures.kpi_scope import Scoped, columns_of, order_rows, parcel_rows
from ordertrail.store.measures.kpi_sql import bucket, epoch_seconds
from ordertrail.store.tables import (
    costs,
    events,
    exception_cases,
    outbox,
    page_views,
    returns,
    shipments,
    sites,
)

_CLAIMS = ("damaged", "delivered_reported_missing")
_RELEASED = ("refund_released", "replacement_released")


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


def _promise(delivered_at: Any, ends_at: Any) -> Any:
    return case(
        (ends_at.is_(None), "no_promise"),
        (delivered_at <= ends_at, "on_time"),
        else_="late",
    )


def _orders(s: Scoped) -> Select[Any]:
    o = s.per_order()
    outcome = case((o.c.shipped > 0, "fulfilled"), else_="not_shipped")
    return select(*order_rows(o, outcome, week=o.c.week))


def _on_time(s: Scoped) -> Select[Any]:
    o = s.per_order()
    outcome = _promise(o.c.delivered_at, o.c.promise_ends_at)
    return select(*order_rows(o, outcome, week=o.c.week)).where(
        o.c.parcels > 0, o.c.delivered == o.c.parcels
    )


def _order_cycle(s: Scoped) -> Select[Any]:
    o = s.per_order()
    took = bucket(o.c.placed_at, o.c.shipped_at)
    return select(*order_rows(o, None, took)).where(o.c.parcels > 0, o.c.shipped == o.c.parcels)


def _click_to_door(s: Scoped) -> Select[Any]:
    o = s.per_order()
    took = bucket(o.c.placed_at, o.c.delivered_at)
    return select(*order_rows(o, None, took, week=o.c.week)).where(
        o.c.parcels > 0, o.c.delivered == o.c.parcels
    )


def _returned(order_id: Any) -> Any:
    asked = _has_event(("return_requested",), "return", returns.c.id)
    return exists().where(returns.c.order_id == order_id, asked)


def _accuracy(s: Scoped) -> Select[Any]:
    o = s.per_order()
    claimed = exists().where(
        exception_cases.c.order_id == o.c.order_id, exception_cases.c.kind.in_(_CLAIMS)
    )
    outcome = case((or_(claimed, _returned(o.c.order_id)), "claim"), else_="accurate")
    return select(*order_rows(o, outcome, week=o.c.week)).where(o.c.shipped > 0)


def _exceptions(s: Scoped) -> Select[Any]:
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
    return select(*order_rows(kinds, kinds.c.kind))


def _returns(s: Scoped) -> Select[Any]:
    o = s.per_order()
    outcome = case((_returned(o.c.order_id), "returned"), else_="kept")
    return select(*order_rows(o, outcome, week=o.c.week)).where(
        o.c.parcels > 0, o.c.delivered == o.c.parcels
    )


def _return_cycle(s: Scoped) -> Select[Any]:
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
    rows = columns_of(
        order_id=timed.c.order_id,
        subject_id=timed.c.id,
        placed_at=timed.c.placed_at,
        bucket=bucket(timed.c.asked, timed.c.released),
        weight=literal(1),
    )
    return select(*rows).where(timed.c.asked.is_not(None), timed.c.released.is_not(None))


def _per_order_count(s: Scoped, counted: Subquery) -> Select[Any]:
    cohort = s.cohort()
    return select(
        *columns_of(
            order_id=cohort.c.order_id,
            subject_id=cohort.c.order_id,
            placed_at=cohort.c.placed_at,
            weight=counted.c.n,
        )
    ).join(counted, counted.c.order_id == cohort.c.order_id)


def _messages(s: Scoped) -> Select[Any]:
    sent = (
        select(outbox.c.order_id, func.count().label("n"))
        .where(outbox.c.audience == "customer", outbox.c.status == "sent")
        .group_by(outbox.c.order_id)
        .subquery("sent")
    )
    return _per_order_count(s, sent)


def _page_views(s: Scoped) -> Select[Any]:
    seen = (
        select(page_views.c.order_id, func.sum(page_views.c.views).label("n"))
        .group_by(page_views.c.order_id)
        .subquery("seen")
    )
    return _per_order_count(s, seen)


def _wismo(s: Scoped) -> Select[Any]:
    cohort = s.cohort()
    viewed = exists().where(page_views.c.order_id == cohort.c.order_id)
    contacted = exists().where(
        exception_cases.c.order_id == cohort.c.order_id,
        exception_cases.c.kind == "delivered_reported_missing",
    )
    outcome = case((contacted, "contacted"), else_="answered")
    return select(*order_rows(cohort, outcome)).where(viewed)


def _costs(s: Scoped) -> Select[Any]:
    cohort = s.cohort()
    rows = columns_of(
        order_id=cohort.c.order_id,
        subject_id=costs.c.kind,
        placed_at=cohort.c.placed_at,
        outcome=costs.c.currency,
        weight=costs.c.amount,
    )
    return select(*rows).join(costs, costs.c.order_id == cohort.c.order_id)


def _parcel_on_time(s: Scoped) -> Select[Any]:
    p = s.parcels()
    outcome = _promise(p.c.delivered_at, p.c.promise_ends_at)
    return select(*parcel_rows(p, outcome)).where(p.c.delivered_at.is_not(None))


def _transit(s: Scoped) -> Select[Any]:
    p = s.parcels()
    took = bucket(p.c.shipped_at, p.c.delivered_at)
    return select(*parcel_rows(p, None, took)).where(
        p.c.shipped_at.is_not(None), p.c.delivered_at.is_not(None)
    )


def _first_attempt(s: Scoped) -> Select[Any]:
    p = s.parcels()
    outcome = case(
        (p.c.attempted_at < p.c.delivered_at, "after_failed_attempt"), else_="first_attempt"
    )
    return select(*parcel_rows(p, outcome)).where(p.c.delivered_at.is_not(None))


def _parcel_exceptions(s: Scoped) -> Select[Any]:
    p = s.parcels()
    opened = exists().where(
        exception_cases.c.subject_kind == "shipment", exception_cases.c.subject_id == p.c.id
    )
    outcome = case((opened, "with_exception"), else_="none")
    return select(*parcel_rows(p, outcome))


def _dwell(start: str, end: str) -> Callable[[Scoped], Select[Any]]:
    """Hours between two warehouse steps of the parcels that left a site."""

    def measure(s: Scoped) -> Select[Any]:
        p = s.parcels()
        began, ended = p.c[start], p.c[end]
        took = bucket(began, ended)
        return select(*parcel_rows(p, None, took, lanes=False)).where(
            p.c.site.is_not(None), began.is_not(None), ended.is_not(None)
        )

    return measure


def _missed_scans(s: Scoped) -> Select[Any]:
    c = s.parcels().c
    missed = or_(c.picked_at.is_(None), c.packed_at.is_(None), c.labelled_at.is_(None))
    outcome = case((missed, "missed"), else_="complete")
    return select(*parcel_rows(s.parcels(), outcome, lanes=False)).where(
        c.site.is_not(None), c.shipped_at.is_not(None)
    )


def late_handoffs(s: Scoped, conn: Connection) -> Select[Any]:
    p = s.parcels()
    clocks = conn.execute(
        select(sites.c.id, sites.c.time_zone, sites.c.cutoff).where(sites.c.cutoff.is_not(None))
    ).all()
    if not clocks:
        return select(*parcel_rows(p, literal("after_cutoff"))).where(literal(False))
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
    return select(*parcel_rows(p, outcome, lanes=False)).where(p.c.shipped_at.is_not(None), known)


MEASURES: dict[Measure, Callable[[Scoped], Select[Any]]] = {
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
