"""Delivery estimates in the database: lane histograms, the window each parcel's customer
sees, and every change of it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, and_, delete, func, or_, select, tuple_

from ordertrail.app.promise.eta_ports import LaneStats, ParcelFacts
from ordertrail.domain.milestones import Reason
from ordertrail.domain.model import Customer, Subject, SubjectKind, TrackingEvent
from ordertrail.domain.promise.eta import Basis, Estimate, Pause
from ordertrail.domain.promise.eta_window import Cause, Shown, WindowChange
from ordertrail.domain.promise.transit_model import Histogram, LaneKey, Leg, Level
from ordertrail.store import codec
from ordertrail.store.repositories import SqlEventLog, chunks, upsert
from ordertrail.store.statements import among_ids, ids_given
from ordertrail.store.tables import eta_changes, eta_lanes, eta_shown, orders, shipments

_FACTS = (
    shipments.c.id,
    shipments.c.order_id,
    shipments.c.carrier,
    shipments.c.service,
    shipments.c.site,
    shipments.c.fold_state,
    orders.c.customer,
    orders.c.promised_from,
    orders.c.promised_by,
)


# Built once: every scan that moves a parcel asks both (see store/statements.py for why).


@cache
def _parcels(one: bool) -> Any:
    return (
        select(*_FACTS)
        .join(orders, orders.c.id == shipments.c.order_id)
        .where(among_ids(shipments.c.id, one), shipments.c.cancelled.is_(False))
    )


@cache
def _changes_of(one: bool) -> Any:
    return (
        select(eta_changes)
        .where(among_ids(eta_changes.c.shipment_id, one))
        .order_by(eta_changes.c.at, eta_changes.c.id)
    )


@cache
def _shown_of(one: bool) -> Any:
    return select(eta_shown).where(among_ids(eta_shown.c.shipment_id, one))


class SqlEstimates:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def parcels(self, shipment_ids: Iterable[str]) -> dict[str, ParcelFacts]:
        found: dict[str, ParcelFacts] = {}
        for chunk in chunks(shipment_ids):
            one, given = ids_given(chunk)
            found.update({row.id: _facts(row) for row in self._conn.execute(_parcels(one), given)})
        return found

    def histograms(self, keys: Iterable[LaneKey]) -> dict[tuple[LaneKey, Leg], Histogram]:
        wanted = sorted(set(keys))
        found: dict[tuple[LaneKey, Leg], Histogram] = {}
        columns = (
            eta_lanes.c.carrier,
            eta_lanes.c.service,
            eta_lanes.c.origin,
            eta_lanes.c.destination,
            eta_lanes.c.level,
        )
        for start in range(0, len(wanted), 200):
            rows = [
                (k.carrier, k.service, k.origin, k.destination, k.level.value)
                for k in wanted[start : start + 200]
            ]
            query = select(eta_lanes).where(tuple_(*columns).in_(rows))
            for row in self._conn.execute(query):
                found[(_key(row), Leg(row.leg))] = Histogram(tuple(row.counts))
        return found

    def replace_lanes(self, learned: Mapping[tuple[LaneKey, Leg], Histogram], at: datetime) -> None:
        self._conn.execute(delete(eta_lanes))
        rows = [
            {
                "carrier": key.carrier,
                "service": key.service,
                "origin": key.origin,
                "destination": key.destination,
                "level": key.level.value,
                "leg": leg.value,
                "counts": list(histogram.counts),
                "samples": histogram.samples,
                "learned_at": at,
            }
            for (key, leg), histogram in learned.items()
        ]
        if rows:
            self._conn.execute(eta_lanes.insert(), rows)

    def lanes(self) -> list[LaneStats]:
        query = select(eta_lanes).order_by(
            eta_lanes.c.carrier,
            eta_lanes.c.service,
            eta_lanes.c.origin,
            eta_lanes.c.destination,
            eta_lanes.c.level,
            eta_lanes.c.leg,
        )
        return [
            LaneStats(_key(row), Leg(row.leg), Histogram(tuple(row.counts)), row.learned_at)
            for row in self._conn.execute(query)
        ]

    def last_learned(self) -> datetime | None:
        found: datetime | None = self._conn.execute(
            select(func.max(eta_lanes.c.learned_at))
        ).scalar()
        return found

    def shown(self, shipment_ids: Iterable[str]) -> dict[str, Shown]:
        found: dict[str, Shown] = {}
        for chunk in chunks(shipment_ids):
            one, given = ids_given(chunk)
            rows = self._conn.execute(_shown_of(one), given)
            found.update({row.shipment_id: _shown(row) for row in rows})
        return found

    def save_shown(self, shown: Mapping[str, tuple[str, Shown]]) -> None:
        rows = [_shown_row(sid, order_id, window) for sid, (order_id, window) in shown.items()]
        if rows:
            self._conn.execute(upsert(self._conn, eta_shown, "shipment_id", rows[0]), rows)

    def add_changes(self, changes: Sequence[tuple[str, str, WindowChange]]) -> None:
        rows = [
            {
                "shipment_id": sid,
                "order_id": order_id,
                "at": change.at,
                "was_earliest": change.was_earliest,
                "was_latest": change.was_latest,
                "earliest": change.earliest,
                "latest": change.latest,
                "cause": change.cause.value,
                "basis": change.basis.value,
            }
            for sid, order_id, change in changes
        ]
        if rows:
            self._conn.execute(eta_changes.insert(), rows)

    def changes(self, shipment_ids: Iterable[str]) -> dict[str, list[WindowChange]]:
        found: dict[str, list[WindowChange]] = defaultdict(list)
        for chunk in chunks(shipment_ids):
            one, given = ids_given(chunk)
            for row in self._conn.execute(_changes_of(one), given):
                found[row.shipment_id].append(
                    WindowChange(
                        row.at,
                        _day(row.was_earliest),
                        _day(row.was_latest),
                        _day(row.earliest),
                        _day(row.latest),
                        Cause(row.cause),
                        Basis(row.basis),
                    )
                )
        return dict(found)

    def due(self, ended_before: date, limit: int) -> list[str]:
        query = (
            select(eta_shown.c.shipment_id)
            .where(eta_shown.c.due.is_(True), eta_shown.c.latest < ended_before)
            .order_by(eta_shown.c.latest, eta_shown.c.shipment_id)
            .limit(limit)
        )
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list(self._conn.scalars(query))

    def delivered(
        self, since: datetime, limit: int
    ) -> list[tuple[ParcelFacts, list[TrackingEvent]]]:
        query = (
            select(*_FACTS)
            .join(orders, orders.c.id == shipments.c.order_id)
            .where(
                and_(
                    shipments.c.delivered_at >= since,
                    shipments.c.cancelled.is_(False),
                    shipments.c.shipped_at.is_not(None),
                    or_(shipments.c.carrier.is_not(None), shipments.c.site.is_not(None)),
                )
            )
            .order_by(shipments.c.delivered_at.desc())
            .limit(limit)
        )
        parcels = [_facts(row) for row in self._conn.execute(query)]
        found: list[tuple[ParcelFacts, list[TrackingEvent]]] = []
        for start in range(0, len(parcels), 500):
            batch = parcels[start : start + 500]
            subjects = [Subject(SubjectKind.SHIPMENT, p.shipment_id) for p in batch]
            events = SqlEventLog(self._conn).for_subjects(subjects)
            found += [(p, events.get(s, [])) for p, s in zip(batch, subjects, strict=True)]
        return found


def _facts(row: Any) -> ParcelFacts:
    customer = row.customer or {}
    return ParcelFacts(
        shipment_id=row.id,
        order_id=row.order_id,
        carrier=row.carrier or "",
        service=row.service or "",
        site=row.site or "",
        customer=Customer(**{k: v for k, v in customer.items() if k in _CUSTOMER_FIELDS}),
        state=codec.state_from_json(row.fold_state),
        promised_from=_day(row.promised_from) if row.promised_from else None,
        promised_by=_day(row.promised_by) if row.promised_by else None,
    )


_CUSTOMER_FIELDS = frozenset(Customer.__dataclass_fields__)


def _key(row: Any) -> LaneKey:
    return LaneKey(row.carrier, row.service, row.origin, row.destination, Level(row.level))


def _day(value: date | str) -> date:
    """A date column as a date (SQLite hands some back as text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _shown_row(shipment_id: str, order_id: str, shown: Shown) -> dict[str, Any]:
    model = shown.model
    return {
        "shipment_id": shipment_id,
        "order_id": order_id,
        "earliest": shown.earliest,
        "latest": shown.latest,
        "confidence": shown.confidence,
        "basis": shown.basis.value,
        "changed": shown.changed,
        "paused": shown.paused.value if shown.paused else None,
        "reason": shown.reason.value if shown.reason else None,
        "trouble": shown.trouble.value if shown.trouble else None,
        "reached_destination_at": shown.reached_destination_at,
        "set_at": shown.set_at,
        "model": _estimate_json(model) if model else None,
        "estimated_at": shown.estimated_at,
        # the worker looks again at a window once it has passed, unless news is awaited
        "due": shown.has_window and shown.paused is None and shown.basis is not Basis.DELIVERED,
    }


def _estimate_json(estimate: Estimate) -> dict[str, Any]:
    return {
        "earliest": estimate.earliest.isoformat() if estimate.earliest else None,
        "latest": estimate.latest.isoformat() if estimate.latest else None,
        "confidence": estimate.confidence,
        "basis": estimate.basis.value,
        "paused": estimate.paused.value if estimate.paused else None,
        "reason": estimate.reason.value if estimate.reason else None,
    }


def _estimate(data: Mapping[str, Any]) -> Estimate:
    return Estimate(
        earliest=date.fromisoformat(data["earliest"]) if data.get("earliest") else None,
        latest=date.fromisoformat(data["latest"]) if data.get("latest") else None,
        confidence=data.get("confidence"),
        basis=Basis(data["basis"]),
        paused=Pause(data["paused"]) if data.get("paused") else None,
        reason=Reason(data["reason"]) if data.get("reason") else None,
    )


def _shown(row: Any) -> Shown:
    return Shown(
        earliest=_day(row.earliest) if row.earliest else None,
        latest=_day(row.latest) if row.latest else None,
        confidence=row.confidence,
        basis=Basis(row.basis),
        changed=row.changed,
        paused=Pause(row.paused) if row.paused else None,
        reason=Reason(row.reason) if row.reason else None,
        trouble=Cause(row.trouble) if row.trouble else None,
        reached_destination_at=row.reached_destination_at,
        set_at=row.set_at,
        model=_estimate(row.model) if row.model else None,
        estimated_at=row.estimated_at,
    )
