"""Exception cases, what the rules read about parcels, the learned rhythms, and the schedule
of parcels the time-based rules must look at."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select, update
from sqlalchemy import case as when_then

from ordertrail.app.effect_ports import CaseQuery, Lane, ParcelRecord
from ordertrail.domain.casework.cases import Case, CaseChanges, CaseNote, CaseStatus
from ordertrail.domain.casework.exceptions import ExceptionKind, ParcelFacts
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import Subject, SubjectKind, TrackingEvent
from ordertrail.store import codec
from ordertrail.store.repositories import SqlEventLog, chunks, dialect_insert
from ordertrail.store.tables import exception_cases, orders, rhythms, shipments

_CHUNK = 500


class SqlCases:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def for_subjects(
        self, subjects: Iterable[Subject], *, open_only: bool
    ) -> dict[Subject, list[Case]]:
        found: dict[Subject, list[Case]] = defaultdict(list)
        wanted = set(subjects)
        ids = sorted({s.id for s in wanted})
        for start in range(0, len(ids), _CHUNK):
            rows = self._conn.execute(_cases_of(open_only), {"ids": ids[start : start + _CHUNK]})
            for row in rows:
                case = _case(row)
                if case.subject in wanted:  # an id is unique per kind, not across kinds
                    found[case.subject].append(case)
        return found

    def save(self, changes: CaseChanges) -> int:
        """Store the changes; the number of cases opened (a case another worker opened first
        for the same cause is not opened twice)."""
        opened = 0
        if changes.opened:
            statement = (
                dialect_insert(self._conn, exception_cases)
                .on_conflict_do_nothing()
                .returning(exception_cases.c.id)
            )
            for case in changes.opened:  # one by one: how many really opened is the answer
                opened += len(self._conn.execute(statement, _row(case)).all())
        for case in [*changes.updated, *changes.resolved]:
            assert case.id is not None, "only stored cases change"
            values = _row(case)
            del values["opened_at"]
            self._conn.execute(
                update(exception_cases).where(exception_cases.c.id == case.id).values(values)
            )
        return opened

    def find(self, query: CaseQuery) -> list[Case]:
        given: dict[str, Any] = {
            "status": query.status.value if query.status else None,
            "team": query.team.value if query.team else None,
            "kind": query.kind.value if query.kind else None,
            "order_id": query.order_id or None,
            "id": query.case_id,
            "opened_before": query.opened_before or None,
            "due_before": query.due_before or None,
        }
        asked = frozenset(name for name, value in given.items() if value is not None)
        statement = _finding(asked, query.breaks_first)
        wanted = {name: given[name] for name in asked} | {"most": query.limit}
        return [_case(row) for row in self._conn.execute(statement, wanted)]

    def promise_ends(self, order_ids: Iterable[str]) -> dict[str, datetime]:
        ids = sorted(set(order_ids))
        found: dict[str, datetime] = {}
        for start in range(0, len(ids), _CHUNK):
            query = select(orders.c.id, orders.c.promise_ends_at).where(
                orders.c.id.in_(ids[start : start + _CHUNK]),
                orders.c.promise_ends_at.is_not(None),
            )
            found.update({row.id: row.promise_ends_at for row in self._conn.execute(query)})
        return found

    def parcels(self, subjects: Iterable[Subject]) -> dict[Subject, ParcelRecord]:
        """Each shipment's state with what the rules read from its order."""
        ids = sorted({s.id for s in subjects if s.kind is SubjectKind.SHIPMENT})
        found: dict[Subject, ParcelRecord] = {}
        for start in range(0, len(ids), _CHUNK):
            query = (
                select(
                    shipments.c.id,
                    shipments.c.order_id,
                    shipments.c.carrier,
                    shipments.c.service,
                    shipments.c.site,
                    shipments.c.cancelled,
                    shipments.c.fold_state,
                    orders.c.customer,
                    orders.c.own_status,
                    orders.c.promised_by,
                )
                .join(orders, orders.c.id == shipments.c.order_id)
                .where(shipments.c.id.in_(ids[start : start + _CHUNK]))
            )
            for row in self._conn.execute(query):
                customer = row.customer or {}
                facts = ParcelFacts(
                    state=codec.state_from_json(row.fold_state),
                    destination_country=customer.get("country"),
                    destination_postal=customer.get("postal_code"),
                    cancelled=bool(row.cancelled)
                    or row.own_status == Milestone.ORDER_CANCELLED.value,
                    promised_by=_day(row.promised_by),
                    time_zone=customer.get("time_zone"),
                )
                lane = Lane(
                    carrier=row.carrier or "",
                    service=row.service or "",
                    origin=row.site or "",
                    destination=(customer.get("country") or "").upper(),
                )
                subject = Subject(SubjectKind.SHIPMENT, row.id)
                found[subject] = ParcelRecord(subject, row.order_id, facts, lane)
        return found

    def due(self, now: datetime, limit: int) -> list[Subject]:
        """Parcels the time-based rules must look at now, held for this sweep (others skip
        them, so several sweepers never look at one parcel at once)."""
        query = (
            select(shipments.c.id)
            .where(shipments.c.next_check_at <= now)
            .order_by(shipments.c.next_check_at)
            .limit(limit)
        )
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [Subject(SubjectKind.SHIPMENT, id_) for id_ in self._conn.scalars(query)]

    def schedule(self, looks: Mapping[Subject, datetime | None]) -> None:
        rows = [{"b_id": s.id, "next_check_at": at} for s, at in looks.items()]
        if rows:
            statement = (
                update(shipments)
                .where(shipments.c.id == bindparam("b_id"))
                .values(next_check_at=bindparam("next_check_at"))
            )
            self._conn.execute(statement, rows)

    def promises_due(self, now: datetime, limit: int) -> list[str]:
        query = (
            select(orders.c.id)
            .where(orders.c.promise_check_at <= now)
            .order_by(orders.c.promise_check_at, orders.c.id)
            .limit(limit)
        )
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list(self._conn.scalars(query))

    def shipments_of(self, order_ids: Iterable[str]) -> list[Subject]:
        found = []
        for chunk in chunks(order_ids):
            query = select(shipments.c.id).where(shipments.c.order_id.in_(chunk))
            found += [Subject(SubjectKind.SHIPMENT, id_) for id_ in self._conn.scalars(query)]
        return sorted(found, key=lambda subject: subject.id)

    def promises_looked(self, order_ids: Iterable[str]) -> None:
        for chunk in chunks(order_ids):
            self._conn.execute(
                update(orders).where(orders.c.id.in_(chunk)).values(promise_check_at=None)
            )

    def rhythms(self, lanes: Iterable[Lane], milestone: Milestone) -> dict[Lane, timedelta]:
        """The learned rhythm of each lane at `milestone`: the lane's own, else its carrier's
        (learned over all lanes), else none."""
        wanted = set(lanes)
        carriers = {lane.carrier for lane in wanted}
        if not carriers:
            return {}
        query = select(rhythms).where(
            rhythms.c.milestone == milestone.value, rhythms.c.carrier.in_(sorted(carriers))
        )
        learned = {
            Lane(r.carrier, r.service, r.origin, r.destination): timedelta(seconds=r.seconds)
            for r in self._conn.execute(query)
        }
        found = {}
        for lane in wanted:
            general = Lane(lane.carrier, "", "", "")
            if lane in learned or general in learned:
                found[lane] = learned.get(lane) or learned[general]
        return found

    def save_rhythms(
        self, learned: Mapping[tuple[Lane, Milestone], tuple[timedelta, int]], at: datetime
    ) -> None:
        rows = [
            {
                "carrier": lane.carrier,
                "service": lane.service,
                "origin": lane.origin,
                "destination": lane.destination,
                "milestone": milestone.value,
                "seconds": int(gap.total_seconds()),
                "samples": samples,
                "learned_at": at,
            }
            for (lane, milestone), (gap, samples) in learned.items()
        ]
        if rows:
            insert = dialect_insert(self._conn, rhythms)
            changed = {n: insert.excluded[n] for n in ("seconds", "samples", "learned_at")}
            keys = ["carrier", "service", "origin", "destination", "milestone"]
            self._conn.execute(
                insert.on_conflict_do_update(index_elements=keys, set_=changed), rows
            )

    def delivered_histories(
        self, since: datetime, limit: int
    ) -> list[tuple[Lane, list[TrackingEvent]]]:
        """(lane, events) of parcels delivered since `since`: what rhythms are learned from."""
        query = (
            select(shipments.c.id, shipments.c.carrier, shipments.c.service, shipments.c.site)
            .add_columns(orders.c.customer)
            .join(orders, orders.c.id == shipments.c.order_id)
            .where(and_(shipments.c.delivered_at >= since, shipments.c.cancelled.is_(False)))
            .order_by(shipments.c.delivered_at.desc())
            .limit(limit)
        )
        parcels = list(self._conn.execute(query))
        subjects = [Subject(SubjectKind.SHIPMENT, p.id) for p in parcels]
        events = SqlEventLog(self._conn).for_subjects(subjects)
        return [
            (
                Lane(
                    p.carrier or "",
                    p.service or "",
                    p.site or "",
                    ((p.customer or {}).get("country") or "").upper(),
                ),
                events.get(Subject(SubjectKind.SHIPMENT, p.id), []),
            )
            for p in parcels
        ]


@cache
def _cases_of(open_only: bool) -> Any:
    """Built once: this runs in the write path whenever a change may touch a case."""
    query = select(exception_cases).where(
        exception_cases.c.subject_id.in_(bindparam("ids", expanding=True))
    )
    if open_only:
        query = query.where(exception_cases.c.status == CaseStatus.OPEN.value)
    return query.order_by(exception_cases.c.id)


def _row(case: Case) -> dict[str, Any]:
    return {
        "subject_kind": case.subject.kind.value,
        "subject_id": case.subject.id,
        "order_id": case.order_id,
        "kind": case.kind.value,
        "cause": case.cause[:220],
        "team": case.team.value,
        "status": case.status.value,
        "opened_at": case.opened_at,
        "due_at": case.due_at,
        "resolved_at": case.resolved_at,
        "detail": case.detail,
        "history": [
            {"at": note.at.isoformat(), "what": note.what, "by": note.by} for note in case.history
        ],
        "assigned_to": case.assigned_to,
        "acknowledged_by": case.acknowledged_by,
    }


def _case(row: Any) -> Case:
    return Case(
        id=row.id,
        subject=Subject(SubjectKind(row.subject_kind), row.subject_id),
        order_id=row.order_id,
        kind=ExceptionKind(row.kind),
        cause=row.cause,
        opened_at=row.opened_at,
        due_at=row.due_at,
        detail=row.detail,
        status=CaseStatus(row.status),
        resolved_at=row.resolved_at,
        history=tuple(
            CaseNote(datetime.fromisoformat(n["at"]), n["what"], n.get("by", "system"))
            for n in row.history or []
        ),
        assigned_to=row.assigned_to,
        acknowledged_by=row.acknowledged_by,
    )


def _breaks_first() -> Any:
    """The earlier of the order's promised day's end (when there is one) and the deadline."""
    ends, due = orders.c.promise_ends_at, exception_cases.c.due_at
    return when_then((and_(ends.is_not(None), ends < due), ends), else_=due)


def _day(value: date | str | None) -> date | None:
    """A date column as a date (SQLite hands some back as text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


_FILTERS: dict[str, Any] = {
    "status": lambda c: c.status == bindparam("status"),
    "team": lambda c: c.team == bindparam("team"),
    "kind": lambda c: c.kind == bindparam("kind"),
    "order_id": lambda c: c.order_id == bindparam("order_id"),
    "id": lambda c: c.id == bindparam("id"),
    "opened_before": lambda c: c.opened_at < bindparam("opened_before"),
    "due_before": lambda c: c.due_at < bindparam("due_before"),
}


@cache
def _finding(asked: frozenset[str], breaks_first: bool) -> Any:
    """The statement for one shape of case query (which filters it uses), built once per
    shape: every order read and every work-list page asks one."""
    statement = select(exception_cases)
    for name in sorted(asked):
        statement = statement.where(_FILTERS[name](exception_cases.c))
    if breaks_first:
        statement = statement.outerjoin(orders, orders.c.id == exception_cases.c.order_id)
        statement = statement.order_by(_breaks_first(), exception_cases.c.id)
    else:
        statement = statement.order_by(exception_cases.c.opened_at, exception_cases.c.id)
    return statement.limit(bindparam("most"))
