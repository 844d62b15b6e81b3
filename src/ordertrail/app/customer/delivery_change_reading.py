"""What a parcel's timeline and cases say of the customer's delivery choices: the trouble it
is in, the latest choice and where it stands, and the customer's day and business calendar
(read for app/customer/delivery_change.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.queries import ShipmentDetail, TimelineRow
from ordertrail.domain.casework.cases import Case, CaseStatus
from ordertrail.domain.casework.exceptions import ExceptionKind
from ordertrail.domain.customer.delivery_change import (
    Choice,
    ParcelSituation,
    failed_attempts,
    pending_choice,
)
from ordertrail.domain.fold import Effect
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Customer, Subject, SubjectKind
from ordertrail.domain.promise.business_days import BusinessCalendar

REQUESTED = Milestone.DELIVERY_CHANGE_REQUESTED
CONFIRMED = Milestone.DELIVERY_CHANGE_CONFIRMED
#: How long a choice may wait for the carrier's answer before it counts as lost.
WAITING_AT_MOST = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class ChoiceMade:
    """The latest choice for a parcel and where it stands: `waiting` (the carrier is being
    asked), `with_staff` (operations arrange it), `confirmed` (the carrier took it) or
    `settled` (staff arranged it)."""

    choice: Choice
    day: date | None
    asked_at: datetime
    state: str


def _journey(rows: list[TimelineRow]) -> list[TimelineRow]:
    return [row for row in rows if row.effect in (Effect.APPLIED, Effect.CORRECTION)]


def trouble_key(detail: ShipmentDetail) -> str:
    """The event that put the parcel where it is: one choice may be made per such news."""
    journey = _journey(detail.timeline)
    return journey[-1].key if journey else "none"


def situation_of(
    uows: UnitOfWorkFactory, detail: ShipmentDetail, now: datetime
) -> tuple[ParcelSituation, ChoiceMade | None]:
    """What the rules read about the parcel, and the choice the page shows (the one still
    waiting, or the one made for the trouble the parcel is in now)."""
    rows = [row for row in detail.timeline if row.effect is Effect.NOTED]
    asked = [(n, row) for n, row in enumerate(rows) if is_said(row, REQUESTED)]
    confirmed = [n for n, row in enumerate(rows) if is_said(row, CONFIRMED)]
    cases = _cases(uows, detail)
    settled = {c.cause.removeprefix("choice:") for c in cases if c.status is CaseStatus.RESOLVED}
    pending = pending_choice([(row.key, n) for n, row in asked], confirmed, settled)
    journey = _journey(detail.timeline)
    milestones = [Milestone(row.milestone) for row in journey if row.milestone]
    trouble = trouble_key(detail)
    made = None
    if asked:
        at, row = asked[-1]
        if row.key == pending or row.data.get("for") == trouble:
            made = _made(row, at, confirmed, settled, {c.cause for c in cases})
        if made is not None and made.state == "waiting" and now - made.asked_at > WAITING_AT_MOST:
            # asked, but neither the carrier's answer nor a case was kept (the process
            # stopped in between): the customer may choose again rather than wait for good
            made, pending = None, None
    situation = ParcelSituation(
        status=Milestone(detail.status) if detail.status else None,
        reason=Reason(detail.exception_reason) if detail.exception_reason else None,
        failed_attempts=failed_attempts(milestones),
        pending=pending,
        already_chosen=made is not None,
    )
    return situation, made


def _made(
    row: TimelineRow, at: int, confirmed: list[int], settled: set[str], causes: set[str]
) -> ChoiceMade:
    if any(n > at for n in confirmed):
        state = "confirmed"
    elif row.key in settled:
        state = "settled"
    elif f"choice:{row.key}" in causes:
        state = "with_staff"
    else:
        state = "waiting"
    day = row.data.get("day")
    return ChoiceMade(
        Choice(row.data["choice"]),
        date.fromisoformat(day) if isinstance(day, str) else None,
        row.occurred_at,
        state,
    )


def is_said(row: TimelineRow, milestone: Milestone) -> bool:
    return row.milestone == milestone.value


def _cases(uows: UnitOfWorkFactory, detail: ShipmentDetail) -> list[Case]:
    subject = Subject(SubjectKind.SHIPMENT, detail.id)
    with uows(read_only=True) as uow:
        known = uow.cases.for_subjects([subject], open_only=False).get(subject, [])
    return [case for case in known if case.kind is ExceptionKind.DELIVERY_CHANGE]


def place_of(
    uows: UnitOfWorkFactory, order_id: str, now: datetime
) -> tuple[tzinfo, date, BusinessCalendar]:
    """The customer's zone, today there, and the carrier's business days there."""
    with uows(read_only=True) as uow:
        facts = uow.orders.facts([order_id]).get(order_id)
        customer = facts.order.customer if facts else Customer()
        zone = _zone(customer)
        today = now.astimezone(zone).date()
        if not customer.country:
            return zone, today, BusinessCalendar()
        return zone, today, uow.eta_rules.calendar(customer.country, None, today)


def _zone(customer: Customer) -> tzinfo:
    try:
        return ZoneInfo(customer.time_zone) if customer.time_zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC
