"""One function per command, and the table that maps commands to them: the flow reads here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ordertrail.app.casework.cases import review
from ordertrail.app.intake.commands import (
    Command,
    EventReport,
    MapCode,
    Rebuild,
    RecordEvents,
    RecordScan,
    RegisterOrders,
    RegisterShipments,
)
from ordertrail.app.intake.derive import append_and_derive, lock_order, read, refold, refresh_orders
from ordertrail.app.intake.outcomes import Tally, tally
from ordertrail.app.intake.resolve import Resolver, UnknownShipment
from ordertrail.app.intake.scanning import record_scan
from ordertrail.app.intake.together import Together
from ordertrail.app.ports import (
    Clock,
    DatabaseBusy,
    UnitOfWork,
    UnitOfWorkFactory,
    WriteConflict,
)
from ordertrail.app.returns.flow import RETURN_HANDLERS
from ordertrail.domain.mapping import CodeMapping
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import DomainError, Order, Shipment, Source, TrackingEvent


@dataclass(frozen=True, slots=True)
class ItemProblem:
    """Why one item of a batch was refused: its position, the field, the reason."""

    index: int
    field: str
    message: str


@dataclass(slots=True)
class BatchResult:
    accepted: int = 0
    duplicates: int = 0
    unmatched: int = 0  # held for shipments not registered yet
    problems: list[ItemProblem] = field(default_factory=list)
    #: orders left as they were because the copy sent was older than the one held
    stale: list[str] = field(default_factory=list)
    #: (source kind, outcome) → events, for the events-in figures (RecordEvents only)
    outcomes: Tally = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RebuildResult:
    subjects: int
    events: int
    orders: int


def record_events(
    cmd: RecordEvents, uows: UnitOfWorkFactory, clock: Clock, together: Together | None = None
) -> BatchResult:
    """Append the good events, re-derive every subject and order they touch, in one
    transaction; report the bad ones by position. `together`: derived with the group commit's
    other writes, before it commits (app/intake/together.py)."""
    now = clock.now()
    result = BatchResult()
    with uows() as uow:
        if cmd.keep_unmatched:  # before looking: a registration may be adding the parcel now
            uow.subjects.claim_names(r.shipment for r in cmd.reports if r.shipment)
        resolver = Resolver.load(uow, cmd.reports)
        events: list[tuple[int, TrackingEvent]] = []
        waiting: list[EventReport] = []
        for index, report in enumerate(cmd.reports):
            try:
                events.append((index, resolver.event(report, now)))
            except UnknownShipment as problem:
                if cmd.keep_unmatched:
                    waiting.append(report)
                else:
                    result.problems.append(ItemProblem(index, problem.field, problem.message))
            except DomainError as problem:
                result.problems.append(ItemProblem(index, problem.field, problem.message))
        if cmd.all_or_nothing and result.problems:
            result.outcomes = _refused(cmd.reports, result.problems)
            return result  # leaving the unit of work uncommitted stores nothing
        good = [e for _, e in events]
        if together is None:
            stored = append_and_derive(
                uow, good, held=resolver.held, new_returns=resolver.new_returns, now=now
            )
        else:
            stored = together.append_and_derive(good, resolver.held, resolver.new_returns, now=now)
        duplicates, refused = _repeats(uow, events, stored)
        result.problems.extend(refused)
        result.problems.sort(key=lambda problem: problem.index)
        if cmd.all_or_nothing and result.problems:
            result.outcomes = _refused(cmd.reports, result.problems)
            return result
        held = uow.unmatched.keep(waiting, now) if waiting else 0
        as_read = read(stored, uow.mappings.for_events(stored))
        uow.commit()
    result.accepted = len(stored)
    result.unmatched = held
    result.duplicates = len(duplicates) + len(waiting) - held  # already held, from a re-delivery
    turned_away = _turned_away(cmd.reports, result.problems)
    result.outcomes = tally(as_read, duplicates, turned_away, waiting, held)
    return result


def _refused(reports: Sequence[EventReport], problems: Sequence[ItemProblem]) -> Tally:
    return tally([], [], _turned_away(reports, problems), [], 0)


def _turned_away(
    reports: Sequence[EventReport], problems: Sequence[ItemProblem]
) -> list[EventReport]:
    return [reports[index] for index in sorted({problem.index for problem in problems})]


def _repeats(
    uow: UnitOfWork, events: Sequence[tuple[int, TrackingEvent]], stored: Sequence[TrackingEvent]
) -> tuple[list[TrackingEvent], list[ItemProblem]]:
    """Sort the events not stored: a true re-send (same report) is a duplicate; another report
    under a key already used is refused, so a reused key never silently drops news."""
    first = {event.key: event for event in stored}
    repeated = [(i, e) for i, e in events if first.get(e.key) is not e]
    if repeated:
        first.update(uow.events.by_keys({e.key for _, e in repeated} - first.keys()))
    duplicates, refused = [], []
    for index, event in repeated:
        if event.same_report(first[event.key]):
            duplicates.append(event)
        else:
            message = f"'{event.key}' was already used for a different event"
            refused.append(ItemProblem(index, "key", message))
    return duplicates, refused


def register_orders(cmd: RegisterOrders, uows: UnitOfWorkFactory, clock: Clock) -> BatchResult:
    """Create or update orders with their shipments; refuse an order whose shipment ids or
    tracking numbers already name another order's or another shipment's, and keep the rest.
    An older copy of an order than the one held (a late webhook) is a duplicate."""
    result = BatchResult()
    with uows() as uow:
        claims = _hold_names(uow, [s for order in cmd.orders for s in order.shipments])
        versions = uow.orders.channel_versions({order.id for order in cmd.orders})
        good: dict[str, Order] = {}
        for index, order in enumerate(cmd.orders):
            if _stale(order, versions.get(order.id)):
                result.duplicates += 1
                result.stale.append(order.id)
                continue
            parcels, names = _adopted(order.id, order.shipments, claims)
            refusal = _claim(order.id, parcels, claims)
            if refusal:
                result.problems.append(ItemProblem(index, "shipments", refusal))
            else:
                _link(uow, names, clock.now())
                order = replace(order, shipments=tuple(parcels))
                good[order.id] = order  # a later copy of the same order in one batch wins
                versions[order.id] = order.updated_at or versions.get(order.id)
        if cmd.all_or_nothing and result.problems:
            return result  # leaving the unit of work uncommitted stores nothing
        uow.orders.save(sorted(good.values(), key=lambda order: order.id))
        refresh_orders(uow, good)
        _record_cancellations(uow, good.values(), clock.now())
        _attach_waiting(uow, [s for order in good.values() for s in order.shipments], clock.now())
        uow.commit()
    result.accepted = len(good)
    return result


def register_shipments(
    cmd: RegisterShipments, uows: UnitOfWorkFactory, clock: Clock
) -> BatchResult:
    """Add or update parcels of registered orders, with the same claims on their names."""
    result = BatchResult()
    with uows() as uow:
        claims = _hold_names(uow, cmd.shipments)
        orders = uow.subjects.find_orders({shipment.order_id for shipment in cmd.shipments})
        # a channel's parcel may be a carton known by another id: its version is the carton's
        known = {claims[s.tracking_number][0] for s in cmd.shipments if s.tracking_number in claims}
        versions = uow.orders.shipment_versions({s.id for s in cmd.shipments} | known)
        good: dict[str, Shipment] = {}
        for index, given in enumerate(cmd.shipments):
            if given.order_id not in orders:
                message = f"order '{given.order_id}' is not registered"
                result.problems.append(ItemProblem(index, "order", message))
                continue
            [shipment], names = _adopted(given.order_id, [given], claims)
            if _stale(shipment, versions.get(shipment.id)):
                result.duplicates += 1
                result.stale.append(given.id)
            elif refusal := _claim(shipment.order_id, [shipment], claims):
                result.problems.append(ItemProblem(index, "shipment", refusal))
            else:
                _link(uow, names, clock.now())
                good[shipment.id] = shipment
                versions[shipment.id] = shipment.updated_at or versions.get(shipment.id)
        uow.orders.save_shipments(sorted(good.values(), key=lambda shipment: shipment.id))
        refresh_orders(uow, {shipment.order_id for shipment in good.values()})
        _attach_waiting(uow, good.values(), clock.now())
        uow.commit()
    result.accepted = len(good)
    return result


def _record_cancellations(uow: UnitOfWork, orders: Iterable[Order], now: datetime) -> None:
    """An order a channel says is cancelled gets its `order_cancelled` event, under the key
    that channel's webhook would use, so a file and a webhook saying it never count twice."""
    reports = [
        EventReport(
            source=Source.parse(f"channel:{order.channel}"),
            occurred_at=order.cancelled_at,
            milestone=Milestone.ORDER_CANCELLED,
            order=order.id,
            key=f"{order.channel}:order:{order.external_id or order.id}:cancelled",
        )
        for order in orders
        if order.cancelled_at is not None
    ]
    if not reports:
        return
    resolver = Resolver.load(uow, reports)
    events = [resolver.event(report, now) for report in reports]
    append_and_derive(uow, events, held=resolver.held, new_returns=resolver.new_returns, now=now)


def _hold_names(uow: UnitOfWork, shipments: Iterable[Shipment]) -> dict[str, tuple[str, str]]:
    """Claim and hold every id and tracking number these shipments use — before any order
    row, in the lock order every writer keeps — and say which shipment and order owns each."""
    names = {name for s in shipments for name in (s.id, s.tracking_number) if name}
    uow.subjects.claim_names(names)
    known = uow.subjects.find_shipments(names, hold=True)
    return {name: (ref.subject.id, ref.order_id) for name, ref in known.items()}


def _stale(copy: Order | Shipment, held: datetime | None) -> bool:
    """Is this an older copy of an order or parcel than the one stored (channels deliver out
    of order)?"""
    return held is not None and copy.updated_at is not None and copy.updated_at < held


def _attach_waiting(uow: UnitOfWork, shipments: Iterable[Shipment], now: datetime) -> None:
    """Record the reports that arrived before these shipments were registered, as received
    then."""
    names = {n for s in shipments for n in (s.id, s.tracking_number) if n}
    waiting = uow.unmatched.take(names)
    if not waiting:
        return
    resolver = Resolver.load(uow, [report for report, _ in waiting])
    events = []
    for report, received_at in waiting:
        try:
            events.append(resolver.event(report, received_at))
        except DomainError:  # accepted once, so never dropped: it waits on, for ops to see
            uow.unmatched.keep([report], received_at)
    append_and_derive(uow, events, held=resolver.held, new_returns=resolver.new_returns, now=now)


def _adopted(
    order_id: str, parcels: Iterable[Shipment], claims: dict[str, tuple[str, str]]
) -> tuple[list[Shipment], dict[str, str]]:
    """A channel's parcel whose tracking number already names another parcel of the same
    order (a carton the warehouse scanned and labelled) is that parcel: it takes the carton's
    id, bringing its lines, and its own id becomes another name of the carton — one box, one
    timeline. Returns the parcels and the names to link (channel id → carton id)."""
    kept, names = [], {}
    for parcel in parcels:
        owner = claims.get(parcel.tracking_number or "")
        if (
            owner
            and owner[1] == order_id
            and owner[0] != parcel.id
            and claims.get(parcel.id) in (None, owner)
        ):
            names[parcel.id] = owner[0]
            parcel = replace(parcel, id=owner[0])
        kept.append(parcel)
    return kept, names


def _link(uow: UnitOfWork, names: dict[str, str], now: datetime) -> None:
    for alias, shipment_id in names.items():
        uow.subjects.link(alias, shipment_id, now, "channel")


def _claim(
    order_id: str, parcels: Iterable[Shipment], claims: dict[str, tuple[str, str]]
) -> str | None:
    """Claim each shipment's id and tracking number for this order, or say why not."""
    mine: dict[str, tuple[str, str]] = {}
    for shipment in parcels:
        owner = (shipment.id, order_id)
        for name in filter(None, (shipment.id, shipment.tracking_number)):
            taken = mine.get(name) or claims.get(name)
            if taken and taken[1] != order_id:
                return f"shipment '{name}' already belongs to order '{taken[1]}'"
            if taken and taken != owner:
                return f"'{name}' already names shipment '{taken[0]}'"
            mine[name] = owner
    claims.update(mine)
    return None


def rebuild(cmd: Rebuild, uows: UnitOfWorkFactory, clock: Clock) -> RebuildResult:
    """Forget every projection and fold the whole log again, in one transaction."""
    events = 0
    with uows() as uow:
        uow.projections.reset()
        subjects = list(uow.events.subjects())
        for start in range(0, len(subjects), 500):
            states = refold(uow, lock_order(subjects[start : start + 500]))
            events += sum(state.events for state in states.values())
        order_ids = list(uow.orders.ids())
        for start in range(0, len(order_ids), 500):
            refresh_orders(uow, order_ids[start : start + 500])
        uow.commit()
    return RebuildResult(subjects=len(subjects), events=events, orders=len(order_ids))


@dataclass(frozen=True, slots=True)
class MapResult:
    mapping: CodeMapping
    subjects: int
    events: int


def map_code(cmd: MapCode, uows: UnitOfWorkFactory, clock: Clock) -> MapResult:
    """Store what a carrier code means, then fold again every shipment that saw it, so
    statuses correct themselves; refuses a meaning a carrier code cannot have."""
    mapping = CodeMapping(
        cmd.carrier, cmd.raw_code, cmd.milestone, cmd.reason, cmd.mapped_by, clock.now(), cmd.note
    )
    with uows() as uow:
        uow.mappings.save(mapping)
        subjects = lock_order(uow.mappings.subjects_with(mapping.key))
        uow.projections.lock(subjects)
        states = refold(uow, subjects)
        orders = uow.events.orders_of(subjects)
        review(uow, states, {}, clock.now())
        refresh_orders(uow, orders)
        uow.commit()
    events = sum(state.events for state in states.values())
    return MapResult(mapping, subjects=len(subjects), events=events)


Handler = Callable[[Any, UnitOfWorkFactory, Clock], Any]

#: A command that lost a race with another writer (a deadlock victim, a busy database) is run
#: again from the start: every handler is idempotent, so a retry can only finish the job.
ATTEMPTS = 3

COMMAND_HANDLERS: dict[type[Command], Handler] = {
    RecordEvents: record_events,
    RegisterOrders: register_orders,
    RegisterShipments: register_shipments,
    RecordScan: record_scan,
    Rebuild: rebuild,
    MapCode: map_code,
    **RETURN_HANDLERS,
}


def handle(command: Command, uows: UnitOfWorkFactory, clock: Clock) -> Any:
    handler = COMMAND_HANDLERS[type(command)]
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return handler(command, uows, clock)
        except DatabaseBusy:
            raise  # it waited its time already: the caller says so (503, exit 1)
        except WriteConflict:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")
