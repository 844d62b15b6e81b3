"""The ports of `app.ports`, implemented with SQLAlchemy Core on one connection."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from ordertrail.app.ports import (
    SubjectRef,
    WaitingParcel,
)
from ordertrail.domain.casework.exceptions import next_look
from ordertrail.domain.fold import SubjectState
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import Subject, SubjectKind, TrackingEvent
from ordertrail.domain.order_status import OrderStatus
from ordertrail.store import codec
from ordertrail.store import statements as sql
from ordertrail.store.measures.kpi_rollups import cleared as rollups_cleared
from ordertrail.store.tables import events, orders, returns, shipment_aliases, shipments

_CHUNK = 500  # identifiers per IN (...) list; far below every driver's parameter limit
# Up to this many events go in as one INSERT ... RETURNING; more are sent as an executemany
# after a key lookup, because a long multi-row RETURNING statement is slow to build and parse.
_RETURNING_ROWS = 8

_TABLE_OF: dict[SubjectKind, Table] = {
    SubjectKind.ORDER: orders,
    SubjectKind.SHIPMENT: shipments,
    SubjectKind.RETURN: returns,
}


def among(column: Any, values: Sequence[str]) -> Any:
    """`column IN (values)`, said as `=` for one value: SQLAlchemy rewrites an IN's SQL on
    every execution (a regular expression over the statement), which was most of the cost of
    looking up the one parcel a webhook names."""
    return column == values[0] if len(values) == 1 else column.in_(values)


def chunks(values: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def dialect_insert(conn: Connection, table: Table) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT."""
    return dialect_insert_for(conn.dialect.name, table)


def dialect_insert_for(dialect: str, table: Table) -> Any:
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def insert_new(conn: Connection, table: Table) -> Any:
    """INSERT of rows that leaves a row whose key is taken as it is; built once per table."""
    return _insert_new(conn.dialect.name, table)


@cache
def _insert_new(dialect: str, table: Table) -> Any:
    return dialect_insert_for(dialect, table).on_conflict_do_nothing()


def upsert(conn: Connection, table: Table, key: str, columns: Iterable[str]) -> Any:
    """INSERT of rows with these columns that updates every other column of a row whose `key`
    is taken; built once per shape (building it cost more than running it on SQLite)."""
    return _upsert(conn.dialect.name, table, key, tuple(columns))


@cache
def _upsert(dialect: str, table: Table, key: str, columns: tuple[str, ...]) -> Any:
    insert = dialect_insert_for(dialect, table)
    changed = {name: insert.excluded[name] for name in columns if name != key}
    return insert.on_conflict_do_update(index_elements=[key], set_=changed)


class SqlSubjects:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def find_orders(self, ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(ids):
            one, given = sql.ids_given(chunk)
            found.update(self._conn.scalars(sql.ids_in(orders, one), given))
        return found

    def find_shipments(
        self, ids_or_tracking: Iterable[str], *, hold: bool = False
    ) -> dict[str, SubjectRef]:
        names = set(ids_or_tracking)
        if hold and len(names) > _CHUNK:
            return self._find_then_hold(names)
        found: dict[str, SubjectRef] = {}
        for chunk in chunks(names):
            one, given = sql.ids_given(chunk)
            for row in self._conn.execute(sql.shipments_named(hold, one), given):
                state = codec.state_from_json(row.fold_state) if hold else None
                ref = SubjectRef(Subject(SubjectKind.SHIPMENT, row.id), row.order_id, state)
                found[row.id] = ref
                if row.tracking_number:
                    found[row.tracking_number] = ref
        if missing := names - found.keys():  # rare: a relabelled parcel's old name, or news
            self._add_aliases(missing, found, hold)
        return found

    def _add_aliases(self, names: set[str], found: dict[str, SubjectRef], hold: bool) -> None:
        aliases: dict[str, str] = {}
        for chunk in chunks(names):
            one, given = sql.ids_given(chunk)
            rows = self._conn.execute(sql.aliases_named(one), given)
            aliases.update({row.name: row.shipment_id for row in rows})
        if aliases:
            owners = self.find_shipments(set(aliases.values()) - found.keys(), hold=hold)
            owners.update(found)
            found.update({alias: owners[owner] for alias, owner in aliases.items()})

    def link(self, alias: str, shipment_id: str, at: datetime, by: str) -> None:
        row = {"name": alias, "shipment_id": shipment_id, "linked_at": at, "linked_by": by}
        self._conn.execute(insert_new(self._conn, shipment_aliases), row)

    def _find_then_hold(self, names: set[str]) -> dict[str, SubjectRef]:
        """More than one query's worth: find first, then hold strictly in id order, as every
        other writer does, so two large batches cannot deadlock."""
        found = self.find_shipments(names)
        held = SqlProjections(self._conn).lock(
            sorted({ref.subject for ref in found.values()}, key=lambda s: s.id)
        )
        return {
            name: replace(ref, state=held.get(ref.subject, SubjectState()))
            for name, ref in found.items()
        }

    def claim_names(self, names: Iterable[str]) -> None:
        wanted = sorted(set(names))
        if not wanted or self._conn.dialect.name != "postgresql":
            return  # SQLite: one writer at a time already
        # one transaction-scoped advisory lock per name, taken in a fixed order
        self._conn.execute(sql.claim_names(), {"names": wanted})

    def find_returns(self, ids: Iterable[str]) -> dict[str, SubjectRef]:
        found: dict[str, SubjectRef] = {}
        for chunk in chunks(ids):
            one, given = sql.ids_given(chunk)
            for row in self._conn.execute(sql.returns_named(one), given):
                found[row.id] = SubjectRef(Subject(SubjectKind.RETURN, row.id), row.order_id)
        return found


class SqlEventLog:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def append(self, batch: Sequence[TrackingEvent]) -> list[TrackingEvent]:
        first_of_key: dict[str, TrackingEvent] = {}
        for event in batch:
            first_of_key.setdefault(event.key, event)
        unique = list(first_of_key.values())
        if not unique:
            return []
        dialect = self._conn.dialect.name
        if len(unique) <= _RETURNING_ROWS:  # a webhook's worth: one round trip
            rows = [codec.event_row(e) for e in unique]
            stored = set(self._conn.scalars(sql.insert_events(dialect, returning=True), rows))
            return [event for event in unique if event.key in stored]
        known: set[str] = set()
        for chunk in chunks(e.key for e in unique):
            one, given = sql.ids_given(chunk)
            known.update(self._conn.scalars(sql.known_keys(one), given))
        new = [event for event in unique if event.key not in known]
        if not new:
            return []
        # The keys not seen now are exactly the ones stored: SQLite has one writer, and on
        # PostgreSQL every writer holds its subjects' rows before appending to them. Only a
        # key reused for another subject at this very moment could race; the conflict clause
        # then keeps the first event, and `rebuild` settles the projection.
        self._conn.execute(sql.insert_events(dialect), [codec.event_row(e) for e in new])
        return new

    def for_subjects(self, subjects: Iterable[Subject]) -> dict[Subject, list[TrackingEvent]]:
        by_kind: dict[SubjectKind, list[str]] = defaultdict(list)
        for subject in subjects:
            by_kind[subject.kind].append(subject.id)
        found: dict[Subject, list[TrackingEvent]] = defaultdict(list)
        for kind, ids in by_kind.items():
            for chunk in chunks(ids):
                one, given = sql.ids_given(chunk)
                for row in self._conn.execute(sql.events_of(one), {"kind": kind.value, **given}):
                    event = codec.event_from_row(row)
                    found[event.subject].append(event)
        return dict(found)

    def by_keys(self, keys: Iterable[str]) -> dict[str, TrackingEvent]:
        found: dict[str, TrackingEvent] = {}
        for chunk in chunks(keys):
            one, given = sql.ids_given(chunk)
            for row in self._conn.execute(sql.events_keyed(one), given):
                found[row.key] = codec.event_from_row(row)
        return found

    def for_order(self, order_id: str) -> list[TrackingEvent]:
        rows = self._conn.execute(sql.events_of_order(), {"order_id": order_id})
        return [codec.event_from_row(row) for row in rows]

    def orders_of(self, subjects: Iterable[Subject]) -> set[str]:
        found: set[str] = set()
        by_kind: dict[SubjectKind, list[str]] = defaultdict(list)
        for subject in subjects:
            by_kind[subject.kind].append(subject.id)
        for kind, ids in by_kind.items():
            for chunk in chunks(ids):
                query = (
                    select(events.c.order_id)
                    .distinct()
                    .where(events.c.subject_kind == kind.value, among(events.c.subject_id, chunk))
                )
                found.update(self._conn.scalars(query))
        return found

    def subjects(self) -> Iterator[Subject]:
        query = select(events.c.subject_kind, events.c.subject_id).distinct()
        for kind, subject_id in self._conn.execute(query):
            yield Subject(SubjectKind(kind), subject_id)


class SqlProjections:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def lock(
        self, subjects: Sequence[Subject], *, unread: Collection[Subject] = ()
    ) -> dict[Subject, SubjectState]:
        if unread and self._conn.dialect.name == "sqlite":  # nothing to hold a row against
            subjects = [subject for subject in subjects if subject not in unread]
        by_kind: dict[SubjectKind, list[str]] = defaultdict(list)
        for subject in subjects:  # kinds in the caller's lock order
            by_kind[subject.kind].append(subject.id)
        found: dict[Subject, SubjectState] = {}
        for kind in by_kind:
            table = _TABLE_OF[kind]
            for chunk in chunks(by_kind[kind]):
                one, given = sql.ids_given(chunk)
                for row in self._conn.execute(sql.fold_states(table, one), given):
                    if row.fold_state:
                        found[Subject(kind, row.id)] = codec.state_from_json(row.fold_state)
        return found

    def save(self, states: Mapping[Subject, SubjectState]) -> None:
        by_kind: dict[SubjectKind, list[dict[str, Any]]] = defaultdict(list)
        for subject, state in states.items():
            by_kind[subject.kind].append(_projection_row(subject, state))
        for kind, rows in by_kind.items():
            columns = tuple(name for name in rows[0] if name != "b_id")
            self._conn.execute(sql.save_projection(_TABLE_OF[kind], columns), rows)

    def reset(self) -> None:
        cleared = {"status": None, "fold_state": None}
        self._conn.execute(
            update(shipments).values(
                **cleared,
                exception_reason=None,
                eta=None,
                shipped_at=None,
                delivered_at=None,
                last_event_at=None,
                status_at=None,
                next_check_at=None,
                **rollups_cleared(shipments),
            )
        )
        self._conn.execute(update(returns).values(**cleared))
        self._conn.execute(
            update(orders).values(
                **rollups_cleared(orders),
                fold_state=None,
                own_status=None,
                status=OrderStatus.PLACED.value,
                needs_attention=False,
            )
        )

    def waiting_since(self, status: Milestone, before: datetime, limit: int) -> list[WaitingParcel]:
        query = (
            select(
                shipments.c.id,
                shipments.c.order_id,
                shipments.c.tracking_number,
                shipments.c.carrier,
                shipments.c.site,
                shipments.c.status_at,
            )
            .join(orders, orders.c.id == shipments.c.order_id)
            .where(
                shipments.c.status == status.value,
                shipments.c.status_at < before,
                shipments.c.cancelled.is_(False),
                or_(
                    orders.c.own_status.is_(None),
                    orders.c.own_status != Milestone.ORDER_CANCELLED.value,
                ),
            )
            .order_by(shipments.c.status_at)
            .limit(limit)
        )
        return [
            WaitingParcel(
                r.id, r.order_id, r.tracking_number, r.carrier, r.site, status, r.status_at
            )
            for r in self._conn.execute(query)
        ]


def _projection_row(subject: Subject, state: SubjectState) -> dict[str, Any]:
    row: dict[str, Any] = {"b_id": subject.id, "fold_state": codec.state_json(state)}
    if subject.kind is SubjectKind.SHIPMENT:
        row.update(
            status=state.status.value if state.status else None,
            exception_reason=state.reason.value if state.reason else None,
            eta=state.eta,
            shipped_at=state.possession_at,
            delivered_at=state.delivered_at,
            last_event_at=state.last_event_at,
            status_at=state.status_at,
            # news is when the time-based exception rules next need a look (a stall, a scan
            # that should have come)
            next_check_at=next_look(state),
            # news settles polling too: a delivered parcel is asked about no more, and one
            # that had gone quiet (or was un-delivered by ops) is asked about again
            polling_done=bool(state.status and state.status.spec.terminal),
        )
    elif subject.kind is SubjectKind.RETURN:
        pass  # a return's status is its own fold's (app/returns/project.py)
    else:  # the order's own events: whether the store cancelled it, for queries to filter on
        row["own_status"] = state.status.value if state.status else None
    return row
