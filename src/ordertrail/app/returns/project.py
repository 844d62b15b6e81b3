"""Bring returns' derived rows up to date with their events (after an append or a rebuild),
and say what the policy does by itself next."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from ordertrail.app.ports import UnitOfWork
from ordertrail.domain.milestones import SourceKind
from ordertrail.domain.model import Source, Subject, SubjectKind, TrackingEvent
from ordertrail.domain.returns.return_lines import ReturnFile, fold_return
from ordertrail.domain.returns.rules import follow_ups

SYSTEM = Source(SourceKind.SYSTEM)


def project_returns(
    uow: UnitOfWork, histories: Mapping[Subject, list[TrackingEvent]]
) -> list[ReturnFile]:
    """Fold each return among `histories` (whole histories) and store what it comes to."""
    files = [
        fold_return(subject.id, _order_of(history), history)
        for subject, history in histories.items()
        if subject.kind is SubjectKind.RETURN and history
    ]
    uow.returns.save_files(files)
    return files


def policy_events(files: Sequence[ReturnFile], now: datetime) -> list[TrackingEvent]:
    """The policy's own next steps for these returns, as `system` events. Each has one key per
    return and step, so however often a return is looked at, the step is recorded once."""
    found = []
    for file in files:
        for milestone, data in follow_ups(file):
            at = max(now, file.updated_at or now)
            found.append(
                TrackingEvent(
                    key=f"{file.id}:{milestone.value}:by-policy",
                    subject=Subject(SubjectKind.RETURN, file.id),
                    milestone=milestone,
                    source=SYSTEM,
                    occurred_at=at,
                    received_at=now,
                    order_id=file.order_id,
                    data=data,
                )
            )
    return found


def returns_among(subjects: Iterable[Subject]) -> list[Subject]:
    return [subject for subject in subjects if subject.kind is SubjectKind.RETURN]


def _order_of(history: list[TrackingEvent]) -> str:
    return next(event.order_id for event in history if event.order_id)
