"""Append events and bring every projection they touch up to date, inside one unit of work."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ordertrail.app.casework.cases import review
from ordertrail.app.casework.dock import booked, review_appointments
from ordertrail.app.messages.notify import queue_messages
from ordertrail.app.ports import UnitOfWork
from ordertrail.app.promise.eta import reestimate
from ordertrail.app.returns.automatic import automatic_returns
from ordertrail.app.returns.news import queue_return_news
from ordertrail.app.returns.project import policy_events, project_returns, returns_among
from ordertrail.domain.fold import SubjectState, can_resume, fold
from ordertrail.domain.mapping import CodeKey, CodeMapping, interpret
from ordertrail.domain.model import Return, Subject, SubjectKind, TrackingEvent
from ordertrail.domain.order_status import ParcelView, derive_order

# Every writer takes row locks in this order — shipments, then returns, then orders, each by
# id — and takes all of them before appending, so two writers can never wait on each other.
_LOCK_RANK = {SubjectKind.SHIPMENT: 0, SubjectKind.RETURN: 1, SubjectKind.ORDER: 2}


def lock_order(subjects: Iterable[Subject]) -> list[Subject]:
    return sorted(subjects, key=lambda s: (_LOCK_RANK[s.kind], s.id))


def append_and_derive(
    uow: UnitOfWork,
    events: Sequence[TrackingEvent],
    held: Mapping[Subject, SubjectState] | None = None,
    new_returns: Mapping[str, Return] | None = None,
    *,
    now: datetime,
) -> list[TrackingEvent]:
    """Store the new events, re-derive what they touch and bring its exception cases in
    line, all in this unit of work; return the events stored.

    `held` are shipments this unit of work already holds, with their saved states;
    `new_returns` are returns to open if (and only if) one of their events is stored.
    """
    if not events:
        return []
    appended = append(uow, events, held or {}, new_returns or {})
    derive(uow, appended, now=now)
    return appended.stored


@dataclass(slots=True)
class Appended:
    """Events just stored, and what deriving from them needs."""

    #: the saved states of the subjects (and their orders) the events are about, held
    saved: dict[Subject, SubjectState]
    #: each subject's stored events, read through the mappings in force
    fresh: dict[Subject, list[TrackingEvent]]
    stored: list[TrackingEvent]


def append(
    uow: UnitOfWork,
    events: Sequence[TrackingEvent],
    held: Mapping[Subject, SubjectState],
    new_returns: Mapping[str, Return],
) -> Appended:
    """Hold what the events are about (in the lock order), store them and open the returns
    they bring; nothing is derived yet."""
    about = {e.subject for e in events}
    # their orders are held too (refreshed below), but only an order an event is about is
    # folded: the others' own states are not wanted
    orders = {Subject(SubjectKind.ORDER, e.order_id) for e in events if e.order_id} - about
    others = lock_order((about | orders) - held.keys())
    saved = {**uow.projections.lock(others, unread=orders), **held}
    stored = uow.events.append(events)
    fresh: dict[Subject, list[TrackingEvent]] = defaultdict(list)
    for event in read(stored, uow.mappings.for_events(stored)):
        fresh[event.subject].append(event)
    _open_returns(uow, fresh, new_returns)
    return Appended(saved, dict(fresh), stored)


def derive(uow: UnitOfWork, appended: Appended, *, now: datetime) -> None:
    """Re-derive what stored events touch: states, returns, cases, estimates, messages, orders,
    and what the returns policy does by itself."""
    saved, fresh, stored = appended.saved, appended.fresh, appended.stored
    # Most events arrive in order, so the saved state can simply take them; a late event
    # (sorting before what was folded) makes that subject fold its whole history again.
    late = [s for s, new in fresh.items() if not can_resume(saved.get(s, SubjectState()), new)]
    history = histories(uow, late)
    states = {
        subject: fold(history[subject]) if subject in history else fold(new, saved.get(subject))
        for subject, new in fresh.items()
    }
    uow.projections.save(states)
    follow: list[TrackingEvent] = []
    unasked: set[Subject] = set()
    if reverse := returns_among(fresh):
        found = {**histories(uow, set(reverse) - history.keys()), **history}
        files = project_returns(uow, found)
        follow = policy_events(files, now)
        news = [event for subject in reverse for event in fresh[subject]]
        queue_return_news(uow, news, {file.id: file for file in files}, now)
        unasked = {Subject(SubjectKind.RETURN, file.id) for file in files if file.unasked}
    order_of = {event.subject: event.order_id for event in stored if event.order_id}
    cases = review(uow, states, order_of, now, before=saved)
    if docked := booked(stored):
        found = {**histories(uow, set(docked) - history.keys()), **history}
        dock_cases = review_appointments(uow, {s: found[s] for s in docked if s in found}, now)
        cases.opened.extend(dock_cases.opened)
    windows = reestimate(uow, saved, states, fresh, now)
    queue_messages(
        uow, saved, states, order_of, cases.opened, now, uow.policy, windows, unasked=unasked
    )
    refresh_orders(
        uow,
        {
            order_of[subject]
            for subject, state in states.items()
            if subject in order_of and _moves_order(subject, saved.get(subject), state)
        },
    )
    # what the returns policy does by itself (a refund on receipt, a return for a parcel that
    # turned back) follows in the same unit of work; its keys are fixed, so the second time
    # round nothing new is stored
    turned, opened = automatic_returns(uow, saved, states, now)
    append_and_derive(uow, follow + turned, new_returns=opened, now=now)


def read(
    events: Iterable[TrackingEvent], mappings: Mapping[CodeKey, CodeMapping]
) -> list[TrackingEvent]:
    """Events as the mappings in force read them; what is stored stays as it arrived."""
    return [interpret(event, mappings) for event in events]


def histories(uow: UnitOfWork, subjects: Iterable[Subject]) -> dict[Subject, list[TrackingEvent]]:
    """Each subject's whole history, read through the mappings in force."""
    found = uow.events.for_subjects(subjects)
    mappings = uow.mappings.for_events(e for history in found.values() for e in history)
    return {subject: read(history, mappings) for subject, history in found.items()}


def order_history(uow: UnitOfWork, order_id: str) -> list[TrackingEvent]:
    """Every event of an order and its parcels and returns, read through the mappings in
    force: what anything replaying the order must see, as ingest saw it."""
    found = uow.events.for_order(order_id)
    return read(found, uow.mappings.for_events(found))


def refold(uow: UnitOfWork, subjects: Sequence[Subject]) -> dict[Subject, SubjectState]:
    """Fold each subject's whole history again and save it."""
    history = histories(uow, subjects)
    states = {subject: fold(history.get(subject, [])) for subject in subjects}
    uow.projections.save(states)
    project_returns(uow, {s: history[s] for s in returns_among(subjects) if s in history})
    return states


def _open_returns(
    uow: UnitOfWork, fresh: Mapping[Subject, list[TrackingEvent]], new: Mapping[str, Return]
) -> None:
    opened = [new[s.id] for s in fresh if s.kind is SubjectKind.RETURN and s.id in new]
    if opened:
        uow.orders.add_returns(opened)


def _moves_order(subject: Subject, before: SubjectState | None, after: SubjectState) -> bool:
    """Could this change alter its order's status? Most scans (in transit again, unmapped
    codes, conflicts) cannot, and skipping them spares the order's row a write."""
    before = before or SubjectState()
    if subject.kind is SubjectKind.RETURN:
        return True  # a return's own fold (not this one) says where it stands: ask it
    if subject.kind is SubjectKind.SHIPMENT:
        return ParcelView.of_state(before) != ParcelView.of_state(after)
    return before.status != after.status


def refresh_orders(uow: UnitOfWork, order_ids: Iterable[str]) -> None:
    """Re-derive each order's status; write only those that changed."""
    inputs = uow.orders.status_inputs(sorted(set(order_ids)))
    summaries = {
        order_id: derive_order(given.own, given.lines, given.parcels, given.returns, given.returned)
        for order_id, given in inputs.items()
    }
    uow.orders.save_summaries(
        {order_id: s for order_id, s in summaries.items() if s != inputs[order_id].summary}
    )
