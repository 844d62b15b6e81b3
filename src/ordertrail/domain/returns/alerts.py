"""When a return waits too long on the shop: goods back but not inspected within the
inspection SLA (`return_not_inspected`), or a refund due but not released within the policy's
time (`refund_held`). Pure rules over the folded return, its events and the clock; the sweep
(app/returns/alerts.py) turns what they find into cases, and the console shows the same age.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ordertrail.domain.casework.exceptions import ExceptionKind, Finding
from ordertrail.domain.fold import ordered
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import DomainError, TrackingEvent
from ordertrail.domain.returns.policy import ReturnPolicy
from ordertrail.domain.returns.return_lines import ReturnFile, parcel_news
from ordertrail.domain.returns.rules import awaiting_inspection, refund_due

_H = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class ReturnTimes:
    """When the return's goods first came back, and when its last line was decided."""

    received_at: datetime | None = None
    decided_at: datetime | None = None


def times_of(events: Iterable[TrackingEvent]) -> ReturnTimes:
    received = decided = None
    for event, duplicate in ordered(events):
        milestone = parcel_news(event.milestone)
        if duplicate:
            continue
        if milestone is Milestone.RETURN_RECEIVED and received is None:
            received = event.occurred_at
        elif milestone is Milestone.DISPOSITION_DECIDED:
            decided = event.occurred_at
    return ReturnTimes(received, decided)


@dataclass(frozen=True, slots=True)
class Inspection:
    """Lines waiting for their inspection, since when, and whether that is past the SLA."""

    skus: tuple[str, ...]
    since: datetime
    age: timedelta
    overdue: bool


def inspection_wait(
    file: ReturnFile, times: ReturnTimes, now: datetime, policy: ReturnPolicy
) -> Inspection | None:
    """None when nothing waits for inspection (not back yet, all decided, or closed)."""
    if file.rejected or file.closed or times.received_at is None:
        return None
    waiting = awaiting_inspection(file)
    if not waiting:
        return None
    age = max(now - times.received_at, timedelta(0))
    overdue = age > policy.inspection_sla_hours * _H
    return Inspection(tuple(waiting), times.received_at, age, overdue)


def refund_due_since(file: ReturnFile, times: ReturnTimes) -> datetime | None:
    """Since when a refund is due and not released: the goods are back and inspected where
    the policy inspects (the later of the two moments). None when nothing is due: no goods,
    inspection still open, already refunded or replaced, or the shop runs it elsewhere."""
    if not file.decision or file.replacement or times.received_at is None:
        return None
    try:
        due = refund_due(file)  # refuses a closed return, or one still waiting inspection
    except DomainError:
        return None
    if not due.units:
        return None
    return max(filter(None, (times.received_at, times.decided_at)))


def return_alerts(
    file: ReturnFile, events: Iterable[TrackingEvent], now: datetime, policy: ReturnPolicy
) -> list[Finding]:
    """What the returns team must hear about this return now (empty once it moved on)."""
    times = times_of(events)
    found: list[Finding] = []
    waiting = inspection_wait(file, times, now, policy)
    if waiting is not None and waiting.overdue:
        # the words stay the same while the trouble does (an age in them would rewrite the
        # case at every sweep)
        detail = (
            f"{file.id}: {', '.join(waiting.skus)} back since {_at(waiting.since)} and not "
            f"inspected within the inspection SLA ({policy.inspection_sla_hours} h)"
        )
        found.append(
            Finding(
                ExceptionKind.RETURN_NOT_INSPECTED,
                f"inspection:{waiting.since.isoformat()}",
                waiting.since,
                detail,
            )
        )
    since = refund_due_since(file, times)
    if since is not None and now - since > policy.refund_within_hours * _H:
        detail = (
            f"{file.id}: refund due since {_at(since)} and not released within "
            f"{policy.refund_within_hours} h"
        )
        cause = f"refund:{since.isoformat()}"
        found.append(Finding(ExceptionKind.REFUND_HELD, cause, since, detail))
    return found


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()
