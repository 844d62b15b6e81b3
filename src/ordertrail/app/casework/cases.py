"""Exception cases kept in step with the parcels: after every change (in the same transaction
as the events that caused it) and, for trouble that is the absence of news, by the sweep."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ordertrail.app.casework.assignees import assignee
from ordertrail.app.effect_ports import CaseQuery, Lane, ParcelRecord
from ordertrail.app.messages.notify import queue_case_news
from ordertrail.app.ports import UnitOfWork, UnitOfWorkFactory
from ordertrail.domain.casework.cases import (
    Case,
    CaseAction,
    CaseChanges,
    reconcile,
    reported_missing,
    standing,
    work,
)
from ordertrail.domain.casework.exceptions import (
    DEFAULT_RHYTHM,
    EARLIEST_LOOK,
    EVENT_KINDS,
    TIME_KINDS,
    ExceptionKind,
    event_findings,
    next_look,
    return_findings,
    time_findings,
)
from ordertrail.domain.casework.rhythm import learn
from ordertrail.domain.fold import SubjectState
from ordertrail.domain.milestones import TROUBLE, Milestone
from ordertrail.domain.model import Subject, SubjectKind
from ordertrail.domain.promise.promised_date import promise_findings
from ordertrail.domain.warehouse import HandOffPromise


def review(
    uow: UnitOfWork,
    states: Mapping[Subject, SubjectState],
    orders: Mapping[Subject, str],
    now: datetime,
    before: Mapping[Subject, SubjectState] | None = None,
) -> CaseChanges:
    """Open, update and resolve the cases of subjects whose state just changed. `before` are
    their states before the change, when known: a change that can neither find trouble nor
    end a case (the usual in-transit scan) is then passed over without a query."""
    subjects = [
        s
        for s in states
        if s.kind is not SubjectKind.ORDER
        and (before is None or _may_matter(before.get(s, SubjectState()), states[s], now))
    ]
    if not subjects:
        return CaseChanges()
    cases = uow.cases.for_subjects(subjects, open_only=False)
    parcels = [
        s
        for s in subjects
        if s.kind is SubjectKind.SHIPMENT and (s in cases or _may_find(states[s]))
    ]
    records = uow.cases.parcels(parcels) if parcels else {}
    changes = CaseChanges()
    for subject, record in records.items():
        known = cases.get(subject, [])
        findings = event_findings(record.facts) + standing(record.facts, now, known)
        kinds = EVENT_KINDS | TIME_KINDS
        _merge(changes, reconcile(subject, record.order_id, known, findings, now, kinds=kinds))
    for subject in subjects:
        if subject.kind is SubjectKind.RETURN and subject in orders:
            found = return_findings(states[subject])
            kinds = frozenset({ExceptionKind.RETURN_IN_MOTION})
            known = cases.get(subject, [])
            _merge(changes, reconcile(subject, orders[subject], known, found, now, kinds=kinds))
    if changes:
        uow.cases.save(changes)
    return changes


def _may_matter(before: SubjectState, after: SubjectState, now: datetime) -> bool:
    if _may_find(after) or _may_find(before):
        return True
    if after.status in _RETURN_WATCH or before.status in _RETURN_WATCH:
        return True
    if before.status_key == after.status_key:
        return False
    # a delivery (or a return to sender) ends a missed promise's case, if there is one
    if after.status is not None and after.status.spec.terminal:
        return True
    # a stall or missing-scan case exists only once the sweep could have looked
    looked = next_look(before, EARLIEST_LOOK, HandOffPromise())
    return looked is not None and looked <= now


_RETURN_WATCH = frozenset({Milestone.RETURN_PICKUP_SCHEDULED, Milestone.RETURN_IN_TRANSIT})


def _may_find(state: SubjectState) -> bool:
    """Could the event rules find anything here? Most scans (in transit again) cannot, and
    skipping them spares the write path a query."""
    if state.status in TROUBLE or state.last_conflict_at is not None:
        return True
    return state.status_location is not None and state.status in (
        Milestone.OUT_FOR_DELIVERY,
        Milestone.DELIVERED,
        Milestone.AVAILABLE_FOR_PICKUP,
    )


def _merge(into: CaseChanges, more: CaseChanges) -> None:
    into.opened.extend(more.opened)
    into.updated.extend(more.updated)
    into.resolved.extend(more.resolved)


@dataclass(slots=True)
class SweepResult:
    looked_at: int = 0
    opened: int = 0
    resolved: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def sweep(
    uows: UnitOfWorkFactory,
    now: datetime,
    *,
    promise: HandOffPromise = HandOffPromise(),
    batch: int = 500,
) -> SweepResult:
    """Run the time-based rules on the parcels that are due (an index on the next time each
    needs a look), batch by batch; its cost follows the parcels due, not all parcels."""
    result = SweepResult()
    while True:
        with uows() as uow:
            due = uow.cases.due(now, batch)
            if due:
                _look(uow, due, now, promise, result)
                uow.commit()
        result.looked_at += len(due)
        if len(due) < batch:
            break
    _look_at_promises(uows, now, promise, batch, result)
    return result


def _look_at_promises(
    uows: UnitOfWorkFactory,
    now: datetime,
    promise: HandOffPromise,
    batch: int,
    result: SweepResult,
) -> None:
    """Orders whose promised day has just ended: each of their parcels gets one look."""
    while True:
        with uows() as uow:
            orders = uow.cases.promises_due(now, batch)
            if not orders:
                return
            parcels = uow.cases.shipments_of(orders)
            _look(uow, parcels, now, promise, result)
            uow.cases.promises_looked(orders)
            uow.commit()
        result.looked_at += len(parcels)
        if len(orders) < batch:
            return


def _look(
    uow: UnitOfWork,
    due: list[Subject],
    now: datetime,
    promise: HandOffPromise,
    result: SweepResult,
) -> None:
    records = uow.cases.parcels(due)
    cases = uow.cases.for_subjects(due, open_only=False)
    rhythms = _rhythms(uow, records.values())
    looks: dict[Subject, datetime | None] = dict.fromkeys(due)
    changes = CaseChanges()
    for subject, record in records.items():
        state = record.facts.state
        rhythm = rhythms.get((record.lane, state.status)) or _default(state.status)
        found = time_findings(record.facts, now, rhythm, promise)
        found += promise_findings(record.facts, now)
        known = cases.get(subject, [])
        _merge(changes, reconcile(subject, record.order_id, known, found, now, kinds=TIME_KINDS))
        following = next_look(state, rhythm, promise)
        # found (or never): nothing more to look for until news arrives and reschedules it
        looks[subject] = following if following is not None and following > now else None
    uow.cases.schedule(looks)
    opened = uow.cases.save(changes)
    queue_case_news(uow, changes.opened, {s: r.facts.state for s, r in records.items()}, now)
    result.opened += opened
    result.resolved += len(changes.resolved)
    for case in changes.opened:
        result.by_kind[case.kind.value] = result.by_kind.get(case.kind.value, 0) + 1


def _rhythms(
    uow: UnitOfWork, records: Iterable[ParcelRecord]
) -> dict[tuple[Lane, Milestone | None], timedelta]:
    found: dict[tuple[Lane, Milestone | None], timedelta] = {}
    by_status: dict[Milestone, set[Lane]] = {}
    for record in records:
        status = record.facts.state.status
        if status in DEFAULT_RHYTHM:
            by_status.setdefault(status, set()).add(record.lane)
    for status, lanes in by_status.items():
        for lane, gap in uow.cases.rhythms(lanes, status).items():
            found[(lane, status)] = gap
    return found


def _default(status: Milestone | None) -> timedelta:
    return DEFAULT_RHYTHM.get(status, timedelta(hours=48)) if status else timedelta(hours=48)


def learn_rhythms(uows: UnitOfWorkFactory, now: datetime, days: int = 90) -> int:
    """Learn each lane's rhythm from parcels delivered in the last `days`; lanes learned."""
    with uows() as uow:
        histories = uow.cases.delivered_histories(now - timedelta(days=days), limit=50_000)
        learned = learn(histories, lambda lane: Lane(lane.carrier, "", "", ""))
        uow.cases.save_rhythms(learned, now)
        uow.commit()
    return len(learned)


def find_cases(uows: UnitOfWorkFactory, query: CaseQuery) -> list[Case]:
    with uows(read_only=True) as uow:
        return uow.cases.find(query)


def work_case(
    uows: UnitOfWorkFactory, case_id: int, action: CaseAction, by: str, text: str, now: datetime
) -> Case | None:
    """Acknowledge, assign (to a staff member who may take cases), note or resolve a case;
    None when there is no such case. Raises CaseClosed (or ValueError for an empty note or
    resolution, or someone who cannot take it) with the reason."""
    with uows() as uow:
        found = uow.cases.find(CaseQuery(status=None, case_id=case_id, limit=1))
        if not found:
            return None
        if action is CaseAction.ASSIGN:
            text = assignee(uow.staff, text)
        changed = work(found[0], action, by, text, now)
        uow.cases.save(CaseChanges(updated=[changed]))
        uow.commit()
    return changed


class NotDelivered(Exception):
    """A parcel can be reported missing only once it was delivered."""


def report_missing(
    uows: UnitOfWorkFactory, shipment: str, by: str, note: str, now: datetime
) -> Case:
    """A customer (through support) says a delivered parcel never arrived: a case for
    support, holding the proof-of-delivery details the carrier gave."""
    with uows() as uow:
        found = uow.subjects.find_shipments([shipment], hold=True).get(shipment)
        state = found.state if found else None
        if found is None or state is None or state.status is not Milestone.DELIVERED:
            raise NotDelivered(f"'{shipment}' is not a delivered parcel")
        delivered = [
            e
            for e in uow.events.for_subjects([found.subject]).get(found.subject, [])
            if e.key == state.status_key
        ]
        case = reported_missing(
            found.subject, found.order_id, state, next(iter(delivered), None), by, note, now
        )
        known = uow.cases.for_subjects([found.subject], open_only=False).get(found.subject, [])
        existing = next((c for c in known if c.key == case.key), None)
        if existing is not None:
            return existing  # reported before: one case per delivery
        uow.cases.save(CaseChanges(opened=[case]))
        stored = uow.cases.for_subjects([found.subject], open_only=False)[found.subject]
        uow.commit()
        return next(c for c in stored if c.key == case.key)
