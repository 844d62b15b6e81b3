"""One function per command, and the table that maps commands to them: the flow reads here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ordertrail.app.commands import Command, Rebuild, RecordEvents, RegisterOrders
from ordertrail.app.ports import Clock, UnitOfWork, UnitOfWorkFactory
from ordertrail.app.resolve import Resolver
from ordertrail.domain.fold import SubjectState, can_resume, fold
from ordertrail.domain.model import DomainError, Order, Subject, SubjectKind, TrackingEvent
from ordertrail.domain.order_status import ParcelView, derive_order


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
    problems: list[ItemProblem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RebuildResult:
    subjects: int
    events: int
    orders: int


def record_events(cmd: RecordEvents, uows: UnitOfWorkFactory, clock: Clock) -> BatchResult:
    """Append the good events, re-derive every subject and order they touch, in one
    transaction; report the bad ones by position."""
    now = clock.now()
    result = BatchResult()
    with uows() as uow:
        resolver = Resolver.load(uow, cmd.reports)
        events: list[TrackingEvent] = []
        for index, report in enumerate(cmd.reports):
            try:
                events.append(resolver.event(report, now))
            except DomainError as problem:
                result.problems.append(ItemProblem(index, problem.field, problem.message))
        if cmd.all_or_nothing and result.problems:
            return result  # leaving the unit of work uncommitted stores nothing
        resolver.open_new_returns(uow, events)
        stored = append_and_derive(uow, events, held=resolver.held)
        uow.commit()
    result.accepted = len(stored)
    result.duplicates = len(events) - len(stored)
    return result


def append_and_derive(
    uow: UnitOfWork,
    events: Sequence[TrackingEvent],
    held: Mapping[Subject, SubjectState] | None = None,
) -> list[TrackingEvent]:
    """Store the new events and bring every projection they touch up to date. `held` are
    subjects this unit of work already holds for writing, with their saved states."""
    if not events:
        return []
    held = held or {}
    others = _lock_order({event.subject for event in events} - held.keys())
    saved = {**uow.projections.lock(others), **held}
    stored = uow.events.append(events)
    fresh: dict[Subject, list[TrackingEvent]] = defaultdict(list)
    for event in stored:
        fresh[event.subject].append(event)
    # Most events arrive in order, so the saved state can simply take them; a late event
    # (sorting before what was folded) makes that subject fold its whole history again.
    late = [s for s, new in fresh.items() if not can_resume(saved.get(s, SubjectState()), new)]
    history = uow.events.for_subjects(late)
    states = {
        subject: fold(history[subject]) if subject in history else fold(new, saved.get(subject))
        for subject, new in fresh.items()
    }
    uow.projections.save(states)
    order_of = {event.subject: event.order_id for event in stored if event.order_id}
    refresh_orders(
        uow,
        {
            order_of[subject]
            for subject, state in states.items()
            if subject in order_of and _moves_order(subject, saved.get(subject), state)
        },
    )
    return stored


def _moves_order(subject: Subject, before: SubjectState | None, after: SubjectState) -> bool:
    """Could this change alter its order's status? Most scans (in transit again, unmapped
    codes, conflicts) cannot, and skipping them spares the order's row a write."""
    before = before or SubjectState()
    if subject.kind is SubjectKind.SHIPMENT:
        return ParcelView.of_state(before) != ParcelView.of_state(after)
    return before.status != after.status


def _lock_order(subjects: Iterable[Subject]) -> list[Subject]:
    # Every writer locks shipments, then returns, then orders, each by id: no lock cycles.
    rank = {SubjectKind.SHIPMENT: 0, SubjectKind.RETURN: 1, SubjectKind.ORDER: 2}
    return sorted(subjects, key=lambda s: (rank[s.kind], s.id))


def refresh_orders(uow: UnitOfWork, order_ids: Iterable[str]) -> None:
    """Re-derive each order's status; write only those that changed."""
    inputs = uow.orders.status_inputs(sorted(set(order_ids)))
    summaries = {
        order_id: derive_order(given.own, given.lines, given.parcels, given.returns)
        for order_id, given in inputs.items()
    }
    uow.orders.save_summaries(
        {order_id: s for order_id, s in summaries.items() if s != inputs[order_id].summary}
    )


def register_orders(cmd: RegisterOrders, uows: UnitOfWorkFactory, clock: Clock) -> BatchResult:
    """Create or update orders with their shipments; refuse an order whose shipment already
    belongs to another order, and keep the rest."""
    result = BatchResult()
    with uows() as uow:
        owners = uow.subjects.find_shipments(s.id for order in cmd.orders for s in order.shipments)
        good: dict[str, Order] = {}
        for index, order in enumerate(cmd.orders):
            taken = [
                s.id
                for s in order.shipments
                if s.id in owners and owners[s.id].order_id != order.id
            ]
            if taken:
                owner = owners[taken[0]].order_id
                message = f"shipment '{taken[0]}' already belongs to order '{owner}'"
                result.problems.append(ItemProblem(index, "shipments", message))
                continue
            good[order.id] = order  # a later copy of the same order in one batch wins
        uow.orders.save(list(good.values()))
        refresh_orders(uow, good)
        uow.commit()
    result.accepted = len(good)
    return result


def rebuild(cmd: Rebuild, uows: UnitOfWorkFactory, clock: Clock) -> RebuildResult:
    """Forget every projection and fold the whole log again, in one transaction."""
    events = 0
    with uows() as uow:
        uow.projections.reset()
        subjects = list(uow.events.subjects())
        for start in range(0, len(subjects), 500):
            chunk = _lock_order(subjects[start : start + 500])
            history = uow.events.for_subjects(chunk)
            uow.projections.save({s: fold(history.get(s, [])) for s in chunk})
            events += sum(len(h) for h in history.values())
        order_ids = list(uow.orders.ids())
        for start in range(0, len(order_ids), 500):
            refresh_orders(uow, order_ids[start : start + 500])
        uow.commit()
    return RebuildResult(subjects=len(subjects), events=events, orders=len(order_ids))


Handler = Callable[[Any, UnitOfWorkFactory, Clock], Any]

COMMAND_HANDLERS: dict[type[Command], Handler] = {
    RecordEvents: record_events,
    RegisterOrders: register_orders,
    Rebuild: rebuild,
}


def handle(command: Command, uows: UnitOfWorkFactory, clock: Clock) -> Any:
    return COMMAND_HANDLERS[type(command)](command, uows, clock)
