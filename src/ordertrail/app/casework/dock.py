"""Dock appointments kept in step with their orders' events: a missed appointment opens a case
for the account's team, and the truck booked again (or checked in) resolves it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from ordertrail.app.ports import UnitOfWork
from ordertrail.domain.b2b.dock import appointment_findings, fold_appointment
from ordertrail.domain.casework.cases import CaseChanges, reconcile
from ordertrail.domain.casework.exceptions import ExceptionKind
from ordertrail.domain.milestones import Phase
from ordertrail.domain.model import Subject, SubjectKind, TrackingEvent

_KINDS = frozenset({ExceptionKind.DOCK_APPOINTMENT_MISSED})


def booked(events: Iterable[TrackingEvent]) -> list[Subject]:
    """The orders among these events' subjects that got news of their dock appointment."""
    return sorted(
        {
            event.subject
            for event in events
            if event.subject.kind is SubjectKind.ORDER
            and event.milestone is not None
            and event.milestone.spec.phase is Phase.APPOINTMENT
        },
        key=lambda subject: subject.id,
    )


def review_appointments(
    uow: UnitOfWork, history: Mapping[Subject, list[TrackingEvent]], now: datetime
) -> CaseChanges:
    """Bring the dock cases of these orders (with their whole own histories) in line."""
    subjects = list(history)
    if not subjects:
        return CaseChanges()
    cases = uow.cases.for_subjects(subjects, open_only=False)
    changes = CaseChanges()
    for subject in subjects:
        found = appointment_findings(fold_appointment(history[subject]))
        more = reconcile(subject, subject.id, cases.get(subject, []), found, now, kinds=_KINDS)
        changes.opened.extend(more.opened)
        changes.updated.extend(more.updated)
        changes.resolved.extend(more.resolved)
    if changes:
        uow.cases.save(changes)
    return changes
