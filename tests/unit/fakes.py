"""In-memory implementations of the storage ports, for handler tests that run in milliseconds.

They keep the promises of `app.ports` (the contract tests hold the SQL store to the same ones)
with plain dicts; a unit of work works on copies and publishes them on commit.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from ordertrail.app.effect_ports import CaseQuery, Contact, Lane, OutboxMessage, ParcelRecord
from ordertrail.app.intake.commands import EventReport
from ordertrail.app.ports import (
    HeldReport,
    OrderFacts,
    OrderListing,
    StatusInputs,
    SubjectRef,
    UnmappedCode,
)
from ordertrail.app.promise.eta_ports import EtaRules
from ordertrail.app.returns.ports import ReturnedUnits, ReturnListing
from ordertrail.domain.casework.cases import Case, CaseChanges, CaseStatus
from ordertrail.domain.casework.exceptions import ParcelFacts, Team
from ordertrail.domain.casework.saved_filters import SavedFilter
from ordertrail.domain.fold import SubjectState
from ordertrail.domain.mapping import CodeKey, CodeMapping, code_key
from ordertrail.domain.model import (
    Customer,
    Order,
    Return,
    Shipment,
    Subject,
    SubjectKind,
    TrackingEvent,
)
from ordertrail.domain.notifications import Policy
from ordertrail.domain.order_status import OrderStatus, OrderSummary, ParcelView
from ordertrail.domain.returns.policy import ReturnPolicy
from ordertrail.domain.returns.return_lines import ReturnFile


@dataclass
class Tables:
    orders: dict[str, Order] = field(default_factory=dict)
    shipments: dict[str, Shipment] = field(default_factory=dict)
    returns: dict[str, Return] = field(default_factory=dict)
    events: dict[str, TrackingEvent] = field(default_factory=dict)
    states: dict[Subject, SubjectState] = field(default_factory=dict)
    summaries: dict[str, OrderSummary] = field(default_factory=dict)
    mappings: dict[CodeKey, CodeMapping] = field(default_factory=dict)
    unmatched: list[tuple[EventReport, datetime]] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    outbox: dict[str, OutboxMessage] = field(default_factory=dict)
    return_files: dict[str, ReturnFile] = field(default_factory=dict)
    rma: int = 1000
    saved_filters: dict[int, SavedFilter] = field(default_factory=dict)


class MemoryUnitOfWork:
    def __init__(self, committed: Tables) -> None:
        self._committed = committed
        self.tables = copy.deepcopy(committed)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.tables = copy.deepcopy(self._committed)

    def commit(self) -> None:
        self._committed.__dict__.update(copy.deepcopy(self.tables).__dict__)

    @property
    def subjects(self) -> MemoryUnitOfWork:
        return self

    @property
    def events(self) -> MemoryEventLog:
        return MemoryEventLog(self.tables)

    @property
    def projections(self) -> MemoryProjections:
        return MemoryProjections(self.tables)

    @property
    def orders(self) -> MemoryOrders:
        return MemoryOrders(self.tables)

    @property
    def mappings(self) -> MemoryMappings:
        return MemoryMappings(self.tables)

    @property
    def unmatched(self) -> MemoryUnmatched:
        return MemoryUnmatched(self.tables)

    @property
    def cases(self) -> MemoryCases:
        return MemoryCases(self.tables)

    @property
    def outbox(self) -> MemoryOutbox:
        return MemoryOutbox(self.tables)

    @property
    def estimates(self) -> MemoryEstimates:
        return MemoryEstimates()

    @property
    def returns(self) -> MemoryReturns:
        return MemoryReturns(self.tables)

    @property
    def saved_filters(self) -> MemorySavedFilters:
        return MemorySavedFilters(self.tables)

    policy = Policy()
    eta_rules = EtaRules()
    return_policy = ReturnPolicy()

    # Subjects
    def find_orders(self, ids: Iterable[str]) -> set[str]:
        return {order_id for order_id in ids if order_id in self.tables.orders}

    def find_shipments(
        self, ids_or_tracking: Iterable[str], *, hold: bool = False
    ) -> dict[str, SubjectRef]:
        found = {}
        for name in ids_or_tracking:
            for shipment in self.tables.shipments.values():
                if name in (shipment.id, shipment.tracking_number):
                    subject = Subject(SubjectKind.SHIPMENT, shipment.id)
                    state = self.tables.states.get(subject) if hold else None
                    found[name] = SubjectRef(subject, shipment.order_id, state)
        return found

    def claim_names(self, names: Iterable[str]) -> None:
        pass  # one unit of work at a time in memory

    def find_returns(self, ids: Iterable[str]) -> dict[str, SubjectRef]:
        return {
            i: SubjectRef(Subject(SubjectKind.RETURN, i), self.tables.returns[i].order_id)
            for i in ids
            if i in self.tables.returns
        }


@dataclass
class MemoryEventLog:
    tables: Tables

    def append(self, events: Sequence[TrackingEvent]) -> list[TrackingEvent]:
        stored = []
        for event in events:
            if event.key not in self.tables.events:
                self.tables.events[event.key] = event
                stored.append(event)
        return stored

    def for_subjects(self, subjects: Iterable[Subject]) -> dict[Subject, list[TrackingEvent]]:
        wanted = set(subjects)
        found: dict[Subject, list[TrackingEvent]] = {}
        for event in self.tables.events.values():
            if event.subject in wanted:
                found.setdefault(event.subject, []).append(event)
        return found

    def by_keys(self, keys: Iterable[str]) -> dict[str, TrackingEvent]:
        return {key: self.tables.events[key] for key in keys if key in self.tables.events}

    def for_order(self, order_id: str) -> list[TrackingEvent]:
        return [e for e in self.tables.events.values() if e.order_id == order_id]

    def subjects(self) -> Iterator[Subject]:
        yield from {event.subject for event in self.tables.events.values()}

    def orders_of(self, subjects: Iterable[Subject]) -> set[str]:
        wanted = set(subjects)
        return {
            e.order_id for e in self.tables.events.values() if e.subject in wanted and e.order_id
        }


@dataclass
class MemoryUnmatched:
    tables: Tables

    def keep(self, reports: Sequence[EventReport], received_at: datetime) -> int:
        new = [r for r in reports if all(r != held for held, _ in self.tables.unmatched)]
        self.tables.unmatched.extend((report, received_at) for report in new)
        return len(new)

    def take(self, names: Iterable[str]) -> list[tuple[EventReport, datetime]]:
        wanted = set(names)
        taken = [(r, at) for r, at in self.tables.unmatched if r.shipment in wanted]
        self.tables.unmatched = [
            (r, at) for r, at in self.tables.unmatched if r.shipment not in wanted
        ]
        return taken

    def count(self) -> int:
        return len(self.tables.unmatched)

    def waiting(self, limit: int) -> list[HeldReport]:
        return [
            HeldReport(r.shipment or "", str(r.source), r.milestone, r.raw_code, r.occurred_at, at)
            for r, at in self.tables.unmatched[:limit]
        ]


@dataclass
class MemoryMappings:
    tables: Tables

    def for_events(self, events: Iterable[TrackingEvent]) -> dict[CodeKey, CodeMapping]:
        keys = {key for key in map(code_key, events) if key}
        return {key: m for key, m in self.tables.mappings.items() if key in keys}

    def save(self, mapping: CodeMapping) -> None:
        self.tables.mappings[mapping.key] = mapping

    def all(self) -> list[CodeMapping]:
        return [self.tables.mappings[key] for key in sorted(self.tables.mappings)]

    def subjects_with(self, key: CodeKey) -> list[Subject]:
        return sorted(
            {e.subject for e in self.tables.events.values() if code_key(e) == key},
            key=lambda s: (s.kind, s.id),
        )

    def unmapped(self, limit: int) -> list[UnmappedCode]:
        groups: dict[CodeKey, list[TrackingEvent]] = {}
        for event in self.tables.events.values():
            key = code_key(event)
            if key and event.milestone is None and key not in self.tables.mappings:
                groups.setdefault(key, []).append(event)
        found = [
            UnmappedCode(
                key[0],
                found[0].raw_code or "",
                len(found),
                len({e.subject for e in found}),
                min(e.occurred_at for e in found),
                max(e.occurred_at for e in found),
                tuple(sorted({e.raw_description for e in found if e.raw_description}))[:3],
            )
            for key, found in groups.items()
        ]
        return sorted(found, key=lambda code: (-code.events, code.carrier))[:limit]


@dataclass
class MemoryProjections:
    tables: Tables

    def lock(
        self, subjects: Sequence[Subject], *, unread: Collection[Subject] = ()
    ) -> dict[Subject, SubjectState]:
        return {s: self.tables.states[s] for s in subjects if s in self.tables.states}

    def save(self, states: Mapping[Subject, SubjectState]) -> None:
        self.tables.states.update(states)

    def reset(self) -> None:
        self.tables.states.clear()
        self.tables.summaries.clear()


@dataclass
class MemoryOrders:
    tables: Tables

    def save(self, orders: Sequence[Order]) -> None:
        for order in orders:
            self.tables.orders[order.id] = order
            for shipment in order.shipments:
                self.tables.shipments[shipment.id] = replace(shipment, order_id=order.id)

    def save_shipments(self, shipments: Sequence[Shipment]) -> None:
        for shipment in shipments:
            self.tables.shipments[shipment.id] = shipment

    def channel_versions(self, order_ids: Iterable[str]) -> dict[str, datetime | None]:
        held = self.tables.orders
        return {i: held[i].updated_at for i in order_ids if i in held}

    def add_returns(self, returns: Sequence[Return]) -> None:
        for ret in returns:
            self.tables.returns.setdefault(ret.id, ret)

    def facts(self, order_ids: Iterable[str]) -> dict[str, OrderFacts]:
        return {
            i: OrderFacts(
                order=self.tables.orders[i],
                own=self._state(SubjectKind.ORDER, i),
                shipments=[(s, self._state(SubjectKind.SHIPMENT, s.id)) for s in self._parcels(i)],
                returns=[(r, self._state(SubjectKind.RETURN, r.id)) for r in self._returns(i)],
                summary=self._summary(i),
            )
            for i in order_ids
            if i in self.tables.orders
        }

    def status_inputs(self, order_ids: Iterable[str]) -> dict[str, StatusInputs]:
        return {
            i: StatusInputs(
                lines=fact.order.lines,
                own=fact.own.status,
                parcels=[ParcelView.of_state(state, s.lines) for s, state in fact.shipments],
                returns=[state.status for _, state in fact.returns],
                summary=self._summary(i),
            )
            for i, fact in self.facts(order_ids).items()
        }

    def save_summaries(self, summaries: Mapping[str, OrderSummary]) -> None:
        self.tables.summaries.update(summaries)

    def ids(self) -> Iterator[str]:
        yield from sorted(self.tables.orders)

    def page(
        self, *, status: str | None, needs_attention: bool | None, after: str | None, limit: int
    ) -> list[OrderListing]:
        rows = [
            OrderListing(
                o.id,
                o.channel,
                o.placed_at,
                self._summary(o.id).status,
                self._summary(o.id).needs_attention,
            )
            for o in sorted(self.tables.orders.values(), key=lambda o: o.id)
            if (after is None or o.id > after)
            and (status is None or self._summary(o.id).status == status)
            and (needs_attention is None or self._summary(o.id).needs_attention == needs_attention)
        ]
        return rows[:limit]

    def customer(self, order_id: str) -> Customer | None:
        found = self.tables.orders.get(order_id)
        return found.customer if found else None

    def shipment(self, id_or_tracking: str) -> Shipment | None:
        return next(
            (
                s
                for s in self.tables.shipments.values()
                if id_or_tracking in (s.id, s.tracking_number)
            ),
            None,
        )

    def parcel(self, id_or_tracking: str) -> tuple[Shipment, SubjectState] | None:
        found = self.shipment(id_or_tracking)
        return (found, self._state(SubjectKind.SHIPMENT, found.id)) if found else None

    def registered(self, order_id: str) -> Order | None:
        found = self.tables.orders.get(order_id)
        return replace(found, shipments=()) if found else None

    def _parcels(self, order_id: str) -> list[Shipment]:
        return sorted(
            (s for s in self.tables.shipments.values() if s.order_id == order_id),
            key=lambda s: s.id,
        )

    def _returns(self, order_id: str) -> list[Return]:
        return [r for r in self.tables.returns.values() if r.order_id == order_id]

    def _state(self, kind: SubjectKind, subject_id: str) -> SubjectState:
        return self.tables.states.get(Subject(kind, subject_id), SubjectState())

    def _summary(self, order_id: str) -> OrderSummary:
        return self.tables.summaries.get(order_id, OrderSummary(OrderStatus.PLACED, False))


class MemoryUnitOfWorkFactory:
    def __init__(self) -> None:
        self.committed = Tables()

    def __call__(self, *, read_only: bool = False, wait: bool = True) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.committed)

    def link_secret(self) -> bytes:
        return b"a secret for tests"


class MemoryEstimates:
    """No parcel is estimated in memory (estimates are tested on SQL): the write path finds
    nothing to estimate and moves on."""

    def parcels(self, shipment_ids: Iterable[str]) -> dict[str, object]:
        return {}

    def shown(self, shipment_ids: Iterable[str]) -> dict[str, object]:
        return {}

    def changes(self, shipment_ids: Iterable[str]) -> dict[str, list[object]]:
        return {}


@dataclass
class MemoryCases:
    """Cases and what the rules read, from the same dicts (sweeps are tested on SQL)."""

    tables: Tables

    def for_subjects(
        self, subjects: Iterable[Subject], *, open_only: bool
    ) -> dict[Subject, list[Case]]:
        wanted = set(subjects)
        found: dict[Subject, list[Case]] = {}
        for case in self.tables.cases:
            if case.subject in wanted and (not open_only or case.status is CaseStatus.OPEN):
                found.setdefault(case.subject, []).append(case)
        return found

    def save(self, changes: CaseChanges) -> int:
        known = {(c.subject, c.key) for c in self.tables.cases}
        opened = [c for c in changes.opened if (c.subject, c.key) not in known]
        for number, case in enumerate(opened, start=len(self.tables.cases) + 1):
            self.tables.cases.append(replace(case, id=number))
        changed = {case.id: case for case in [*changes.updated, *changes.resolved]}
        self.tables.cases = [changed.get(c.id, c) for c in self.tables.cases]
        return len(opened)

    def find(self, query: CaseQuery) -> list[Case]:
        """By status and order (what the order views ask); the SQL store does the rest."""
        return [
            case
            for case in self.tables.cases
            if (query.status is None or case.status is query.status)
            and (query.order_id is None or case.order_id == query.order_id)
        ][: query.limit]

    def parcels(self, subjects: Iterable[Subject]) -> dict[Subject, ParcelRecord]:
        found = {}
        for subject in subjects:
            shipment = self.tables.shipments.get(subject.id)
            if subject.kind is not SubjectKind.SHIPMENT or shipment is None:
                continue
            order = self.tables.orders[shipment.order_id]
            facts = ParcelFacts(
                self.tables.states.get(subject, SubjectState()),
                order.customer.country,
                order.customer.postal_code,
                shipment.cancelled,
            )
            lane = Lane(shipment.carrier or "", shipment.service or "", shipment.site or "", "")
            found[subject] = ParcelRecord(subject, shipment.order_id, facts, lane)
        return found

    def promise_ends(self, order_ids: Iterable[str]) -> dict[str, datetime]:
        """No promised day ends in memory (the end in the customer's zone is SQL's)."""
        return {}


@dataclass
class MemorySavedFilters:
    """Saved queue filters by id; one name per team, as in the table."""

    tables: Tables

    def of_teams(self, teams: Iterable[Team]) -> list[SavedFilter]:
        wanted = set(teams)
        found = [f for f in self.tables.saved_filters.values() if f.team in wanted]
        return sorted(found, key=lambda f: (f.team.value, f.name))

    def keep(self, saved: SavedFilter) -> SavedFilter:
        same = [
            i
            for i, f in self.tables.saved_filters.items()
            if (f.team, f.name) == (saved.team, saved.name)
        ]
        for i in same:
            del self.tables.saved_filters[i]
        new_id = max(self.tables.saved_filters, default=0) + 1
        self.tables.saved_filters[new_id] = replace(saved, id=new_id)
        return self.tables.saved_filters[new_id]

    def get(self, filter_id: int) -> SavedFilter | None:
        return self.tables.saved_filters.get(filter_id)

    def forget(self, filter_id: int) -> None:
        self.tables.saved_filters.pop(filter_id, None)


@dataclass
class MemoryOutbox:
    """Queued messages by dedupe key (delivery is tested against real servers)."""

    tables: Tables

    def contacts(self, order_ids: Iterable[str]) -> dict[str, Contact]:
        found = {}
        for order_id in order_ids:
            order = self.tables.orders.get(order_id)
            if order is not None:
                customer = order.customer
                found[order_id] = Contact(
                    order.priority,
                    order.promised_by,
                    customer.time_zone,
                    customer.email,
                    customer.phone,
                )
        return found

    def add_tokens(self, hashes: Sequence[str], order_id: str, now: datetime) -> None:
        pass  # links are tested against the SQL store

    def add(self, messages: Sequence[OutboxMessage], now: datetime) -> None:
        for message in messages:
            self.tables.outbox.setdefault(message.dedupe, message)


@dataclass
class MemoryReturns:
    tables: Tables

    def next_number(self) -> int:
        self.tables.rma += 1
        return self.tables.rma

    def save_files(self, files: Sequence[ReturnFile]) -> None:
        self.tables.return_files.update({file.id: file for file in files})

    def units_on_order(self, order_id: str) -> list[ReturnedUnits]:
        return [
            ReturnedUnits(f.id, f.status, p.line.sku, p.line.quantity)
            for f in self.tables.return_files.values()
            if f.order_id == order_id
            for p in f.lines
        ]

    def by_tracking(self, names: Iterable[str]) -> dict[str, SubjectRef]:
        wanted = set(names)
        return {
            f.tracking_number: SubjectRef(Subject(SubjectKind.RETURN, f.id), f.order_id)
            for f in self.tables.return_files.values()
            if f.tracking_number in wanted
        }

    def page(
        self, *, status: str | None, order_id: str | None, after: str | None, limit: int
    ) -> list[ReturnListing]:
        found = [
            ReturnListing(
                f.id, f.order_id, f.status, f.kind, f.team, f.requested_at, f.tracking_number
            )
            for f in sorted(self.tables.return_files.values(), key=lambda f: f.id)
            if (status is None or f.status == status)
            and (order_id is None or f.order_id == order_id)
            and (after is None or f.id > after)
        ]
        return found[:limit]

    def in_states(
        self, statuses: Iterable[str], *, limit: int, newest_first: bool = False
    ) -> list[ReturnListing]:
        wanted = set(statuses)
        found = [
            ReturnListing(
                f.id, f.order_id, f.status, f.kind, f.team, f.requested_at, f.tracking_number
            )
            for f in self.tables.return_files.values()
            if f.status in wanted
        ]
        found.sort(
            key=lambda r: (r.requested_at or datetime.min.replace(tzinfo=UTC), r.id),
            reverse=newest_first,
        )
        return found[:limit]
