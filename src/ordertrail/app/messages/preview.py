"""What an order's customer would receive, and when: its events replayed, as they arrived,
through the notification policy — before a shop turns notifications on. Nothing is queued
or sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ordertrail.app.intake.derive import order_history
from ordertrail.app.messages.notify import reach, recipient
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.domain.fold import fold
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Subject, SubjectKind, TrackingEvent
from ordertrail.domain.notifications import Planned, plan, still_worth_sending
from ordertrail.domain.returns.return_lines import fold_return


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """A message the customer would get: when, what, about which parcel, and how."""

    at: datetime
    kind: str
    subject: Subject
    channels: tuple[str, ...]


def preview(uows: UnitOfWorkFactory, order_id: str) -> list[PreviewRow] | None:
    """Replay the order's events as they arrived through the policy: what its customer would
    receive and when (None: no such order). The events are read as ingest reads them (carrier
    code mappings included), so the preview and the outbox agree."""
    with uows(read_only=True) as uow:
        contact = uow.outbox.contacts([order_id]).get(order_id)
        if contact is None:
            return None
        events = order_history(uow, order_id)
        policy = uow.policy
    planned_all: list[Planned] = []
    seen: set[str] = set()
    by_subject: dict[Subject, list[TrackingEvent]] = {}
    #: each subject's status as it stood after each arrival, to drop what went stale
    statuses: dict[Subject, list[tuple[datetime, Milestone | None, Reason | None]]] = {}
    for event in sorted(events, key=lambda e: (e.received_at, e.sort_key)):
        history = by_subject.setdefault(event.subject, [])
        before = fold(history)
        history.append(event)
        after = fold(history)
        statuses.setdefault(event.subject, []).append(
            (event.received_at, after.status, after.reason)
        )
        asked = not _unasked(event.subject, history, order_id)
        for planned in plan(
            event.subject, before, after, recipient(contact), event.received_at, policy, asked=asked
        ):
            if planned.dedupe not in seen:
                seen.add(planned.dedupe)
                planned_all.append(planned)
    rows = []
    for planned in planned_all:
        then = [(s, r) for at, s, r in statuses[planned.subject] if at <= planned.not_before]
        if then and not still_worth_sending(planned.kind, *then[-1]):
            continue  # the worker would find it moved past by then, and drop it
        channels = tuple(channel for channel, _ in reach(planned.kind, contact, policy))
        rows.append(PreviewRow(planned.not_before, planned.kind.value, planned.subject, channels))
    return sorted(rows, key=lambda row: row.at)


def _unasked(subject: Subject, history: list[TrackingEvent], order_id: str) -> bool:
    """A return the customer did not ask for (a parcel coming back): its approval is no news
    to them, as the outbox has it (app/intake/derive.py)."""
    if subject.kind is not SubjectKind.RETURN:
        return False
    return fold_return(subject.id, order_id, history).unasked
