"""Which messages a change earns: customers hear only what matters to them, staff first.

Pure: a status change of one parcel (or order, or return), the order's priority and promise,
and the policy in force give the messages to send and the earliest time to send each.

- Routine orders get milestone messages: confirmed, shipped (the carrier has it, not just a
  label), delayed when that breaks the promise, out for delivery, delivered, and the trouble a
  customer can act on or must know of (a failed attempt with what to do next, ready for
  pickup, an address to confirm, a parcel damaged, lost, held at customs or on its way back,
  a promised date missed); then, for a return, approved (with how to send it back — never for
  a return the customer did not ask for: a parcel they refused, or the carrier brought back),
  received, and refund or replacement released.
- High-value and time-sensitive orders may get more (in transit, and each change of the
  delivery window they see — never the carrier's every new date).
- Never the same message twice for a parcel (a second failed attempt is a new message), none for
  a status the parcel already moved past (the sender checks again before sending), none for
  internal-only scans, and none in the customer's quiet hours (it waits for the morning).
- Trouble opens a staff case at once; the customer's message about it waits `staff_lead`, so
  staff always hear first. Each trouble is said once per parcel, except a failed attempt:
  every attempt is news.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ordertrail.domain.fold import SubjectState
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Subject
from ordertrail.domain.promise.eta_window import WindowChange


class MessageKind(StrEnum):
    ORDER_CONFIRMED = "order_confirmed"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    ETA_CHANGED = "eta_changed"
    DELAYED = "delayed"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    FAILED_ATTEMPT = "failed_attempt"
    READY_FOR_PICKUP = "ready_for_pickup"
    ADDRESS_ISSUE = "address_issue"
    DAMAGED = "damaged"
    LOST = "lost"
    CUSTOMS_HOLD = "customs_hold"
    RETURNED_TO_SENDER = "returned_to_sender"
    RUNNING_LATE = "running_late"
    RETURN_APPROVED = "return_approved"
    RETURN_RECEIVED = "return_received"
    REFUND_RELEASED = "refund_released"
    REPLACEMENT_RELEASED = "replacement_released"


_BY_MILESTONE = {
    Milestone.ORDER_CONFIRMED: MessageKind.ORDER_CONFIRMED,
    Milestone.DELAYED: MessageKind.DELAYED,
    Milestone.OUT_FOR_DELIVERY: MessageKind.OUT_FOR_DELIVERY,
    Milestone.DELIVERED: MessageKind.DELIVERED,
    Milestone.DELIVERY_ATTEMPTED: MessageKind.FAILED_ATTEMPT,
    Milestone.AVAILABLE_FOR_PICKUP: MessageKind.READY_FOR_PICKUP,
    Milestone.RETURN_APPROVED: MessageKind.RETURN_APPROVED,
    Milestone.RETURN_RECEIVED: MessageKind.RETURN_RECEIVED,
    Milestone.REFUND_RELEASED: MessageKind.REFUND_RELEASED,
    Milestone.REPLACEMENT_RELEASED: MessageKind.REPLACEMENT_RELEASED,
}
#: Trouble a carrier reports with a reason that is news of its own, whether it calls it an
#: attempt, an exception or a delay.
_BY_REASON = {
    Reason.ADDRESS_ISSUE: MessageKind.ADDRESS_ISSUE,
    Reason.DAMAGED: MessageKind.DAMAGED,
    Reason.LOST: MessageKind.LOST,
    Reason.CUSTOMS_HOLD: MessageKind.CUSTOMS_HOLD,
    Reason.PAYMENT_REQUIRED: MessageKind.CUSTOMS_HOLD,
}
_REPORTED_AS = frozenset({Milestone.DELIVERY_ATTEMPTED, Milestone.EXCEPTION, Milestone.DELAYED})
_STILL_TRUE = {
    MessageKind.OUT_FOR_DELIVERY: Milestone.OUT_FOR_DELIVERY,
    MessageKind.FAILED_ATTEMPT: Milestone.DELIVERY_ATTEMPTED,
    MessageKind.READY_FOR_PICKUP: Milestone.AVAILABLE_FOR_PICKUP,
    MessageKind.DELAYED: Milestone.DELAYED,
    MessageKind.IN_TRANSIT: Milestone.IN_TRANSIT,
    MessageKind.RETURNED_TO_SENDER: Milestone.RETURNED_TO_SENDER,
}
#: Messages about trouble staff have a case for: they wait `staff_lead`, so staff hear first.
STAFF_FIRST = frozenset(
    {
        MessageKind.FAILED_ATTEMPT,
        MessageKind.ADDRESS_ISSUE,
        MessageKind.DAMAGED,
        MessageKind.LOST,
        MessageKind.CUSTOMS_HOLD,
        MessageKind.RETURNED_TO_SENDER,
        MessageKind.RUNNING_LATE,
    }
)

ROUTINE = frozenset(
    {
        MessageKind.ORDER_CONFIRMED,
        MessageKind.SHIPPED,
        MessageKind.DELAYED,
        MessageKind.OUT_FOR_DELIVERY,
        MessageKind.DELIVERED,
        MessageKind.FAILED_ATTEMPT,
        MessageKind.READY_FOR_PICKUP,
        MessageKind.ADDRESS_ISSUE,
        MessageKind.DAMAGED,
        MessageKind.LOST,
        MessageKind.CUSTOMS_HOLD,
        MessageKind.RETURNED_TO_SENDER,
        MessageKind.RUNNING_LATE,
        MessageKind.RETURN_APPROVED,
        MessageKind.RETURN_RECEIVED,
        MessageKind.REFUND_RELEASED,
        MessageKind.REPLACEMENT_RELEASED,
    }
)
CLOSER_WATCH = ROUTINE | {MessageKind.IN_TRANSIT, MessageKind.ETA_CHANGED}
#: Short, urgent, actionable: worth a text message when the customer gave a phone number.
SMS_WORTHY = frozenset(
    {
        MessageKind.OUT_FOR_DELIVERY,
        MessageKind.FAILED_ATTEMPT,
        MessageKind.READY_FOR_PICKUP,
        MessageKind.ADDRESS_ISSUE,
    }
)


@dataclass(frozen=True, slots=True)
class Policy:
    """What each priority class hears, and when customers may be disturbed."""

    by_priority: dict[str, frozenset[MessageKind]] = field(
        default_factory=lambda: {
            "routine": ROUTINE,
            "high_value": CLOSER_WATCH,
            "time_sensitive": CLOSER_WATCH,
        }
    )
    quiet_from: time = time(21, 0)
    quiet_until: time = time(8, 0)
    #: the brand's zone, for customers whose own zone is unknown
    time_zone: str = "UTC"
    #: how long a customer's trouble message waits after staff are told
    staff_lead: timedelta = timedelta(minutes=10)
    sms: frozenset[MessageKind] = SMS_WORTHY

    def kinds(self, priority: str) -> frozenset[MessageKind]:
        return self.by_priority.get(priority, self.by_priority.get("routine", ROUTINE))


@dataclass(frozen=True, slots=True)
class Recipient:
    """What the policy reads about the order a message is for."""

    priority: str = "routine"
    promised_by: date | None = None
    time_zone: str | None = None


@dataclass(frozen=True, slots=True)
class Planned:
    kind: MessageKind
    subject: Subject
    #: the same message always has the same key: the outbox stores it once
    dedupe: str
    #: when it may go to the customer (after staff heard, outside quiet hours)
    not_before: datetime
    #: when it may go to the shop's systems (after staff heard; they keep no quiet hours)
    earliest: datetime


def plan(
    subject: Subject,
    before: SubjectState,
    after: SubjectState,
    recipient: Recipient,
    now: datetime,
    policy: Policy = Policy(),
    window: WindowChange | None = None,
    *,
    asked: bool = True,
) -> list[Planned]:
    """The customer messages one subject's change earns; `window` is the change of the
    delivery window its customer sees, if it changed; `asked` is False for a return the
    customer did not ask for (opened for a parcel coming back)."""
    allowed = policy.kinds(recipient.priority)
    found: list[tuple[MessageKind, str]] = []
    moved = after.status_key != before.status_key and after.status is not None
    if moved and after.status is not None:
        kind = _kind(before, after, recipient)
        if kind is not None:
            # each failed attempt is news; every other message is said once per parcel
            once = kind is not MessageKind.FAILED_ATTEMPT
            found.append((kind, kind.value if once else f"{kind.value}:{after.status_key}"))
    # the window customers see, not the carrier's every new date: a delay says it already
    told_delay = any(kind is MessageKind.DELAYED for kind, _ in found)
    if window is not None and not _terminal(after) and not told_delay:
        key = f"eta:{window.earliest.isoformat()}:{window.latest.isoformat()}"
        found.append((MessageKind.ETA_CHANGED, key))
    planned = []
    for kind, key in found:
        if kind not in allowed or (kind is MessageKind.RETURN_APPROVED and not asked):
            continue
        earliest = now + policy.staff_lead if kind in STAFF_FIRST else now
        planned.append(
            Planned(
                kind=kind,
                subject=subject,
                dedupe=f"{subject.kind}:{subject.id}:{key}",
                not_before=outside_quiet_hours(earliest, recipient.time_zone, policy),
                earliest=earliest,
            )
        )
    return planned


def plan_apology(
    subject: Subject,
    state: SubjectState,
    recipient: Recipient,
    now: datetime,
    policy: Policy = Policy(),
) -> list[Planned]:
    """The "running late" message for a parcel that missed its promised day: once per parcel,
    after staff heard — unless the customer already heard of the trouble holding it up (a
    delay past the promise, a failed attempt, damage ...), which said as much."""
    if MessageKind.RUNNING_LATE not in policy.kinds(recipient.priority):
        return []
    if (state.status is not None and state.status.spec.terminal) or state.reason is Reason.REFUSED:
        return []  # it arrived, or is on its way back (refused, say): not late news
    told = _kind(SubjectState(), state, recipient) if state.status is not None else None
    if told in STAFF_FIRST or told in (MessageKind.DELAYED, MessageKind.READY_FOR_PICKUP):
        return []
    earliest = now + policy.staff_lead
    return [
        Planned(
            kind=MessageKind.RUNNING_LATE,
            subject=subject,
            dedupe=f"{subject.kind}:{subject.id}:{MessageKind.RUNNING_LATE.value}",
            not_before=outside_quiet_hours(earliest, recipient.time_zone, policy),
            earliest=earliest,
        )
    ]


def _kind(before: SubjectState, after: SubjectState, recipient: Recipient) -> MessageKind | None:
    status = after.status
    assert status is not None
    if not status.spec.customer_visible:
        return None
    first_carrier_scan = before.possession_at is None and after.possession_at is not None
    if first_carrier_scan and status in (Milestone.CARRIER_ACCEPTED, Milestone.IN_TRANSIT):
        return MessageKind.SHIPPED  # the carrier has it, whatever its first scan said
    if status is Milestone.IN_TRANSIT and before.status is not Milestone.IN_TRANSIT:
        return MessageKind.IN_TRANSIT
    if status in _REPORTED_AS and after.reason in _BY_REASON:
        return _BY_REASON[after.reason]
    if status is Milestone.DELAYED and not _breaks_promise(after, recipient):
        return None
    if status is Milestone.DELIVERY_ATTEMPTED and after.reason is Reason.REFUSED:
        return None  # the customer turned it away: nothing for them to act on
    if status is Milestone.RETURNED_TO_SENDER:
        return MessageKind.RETURNED_TO_SENDER
    return _BY_MILESTONE.get(status)


def _breaks_promise(state: SubjectState, recipient: Recipient) -> bool:
    """A delay matters to the customer when it moves delivery past what was promised (or
    when nobody can say it does not)."""
    if recipient.promised_by is None or not state.eta:
        return True
    try:
        expected = date.fromisoformat(state.eta[:10])
    except ValueError:
        return True
    return expected > recipient.promised_by


def _terminal(state: SubjectState) -> bool:
    return state.status is not None and state.status.spec.terminal


def outside_quiet_hours(moment: datetime, zone: str | None, policy: Policy) -> datetime:
    """`moment`, or the end of the quiet hours it falls in, in the customer's zone."""
    tz = _zone(zone) or _zone(policy.time_zone) or ZoneInfo("UTC")
    local = moment.astimezone(tz)
    start, end = policy.quiet_from, policy.quiet_until
    clock = local.timetz().replace(tzinfo=None)
    quiet = (clock >= start or clock < end) if start > end else (start <= clock < end)
    if not quiet:
        return moment
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=tz).astimezone(moment.tzinfo)


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def still_worth_sending(
    kind: MessageKind, status: Milestone | None, reason: Reason | None = None
) -> bool:
    """Checked again just before sending: no "out for delivery" once it was delivered, no
    "damaged" once the carrier scans it moving again."""
    if kind in _BY_REASON.values():
        return status in _REPORTED_AS and reason is not None and _BY_REASON.get(reason) is kind
    if kind is MessageKind.RUNNING_LATE:
        return status is None or not status.spec.terminal
    wanted = _STILL_TRUE.get(kind)
    return wanted is None or status is wanted


def might_message(before: SubjectState, after: SubjectState, window_changed: bool = False) -> bool:
    """Could this change earn any message, whoever the customer? Most scans (in transit
    again) cannot, and the write path skips them without reading the order."""
    if window_changed:
        return True
    if after.status is None or after.status_key == before.status_key:
        return False
    return _kind(before, after, Recipient()) is not None
