"""A customer's choice for a parcel in trouble (domain/customer/delivery_change.py): offered
on the tracking page, recorded on the parcel's timeline as `delivery_change_requested`, sent
to the carrier where its system takes such changes (then `delivery_change_confirmed`), and
otherwise a `delivery_change` case for operations, who arrange it with the carrier by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ordertrail.app.commands import EventReport, RecordEvents
from ordertrail.app.delivery_change_ports import CarrierAnswer, CarrierDeliveryChanges
from ordertrail.app.handlers import record_events
from ordertrail.app.notify import order_of_token, queue_case_news
from ordertrail.app.ports import Clock, UnitOfWorkFactory
from ordertrail.app.queries import ShipmentDetail, TimelineRow, shipment_detail
from ordertrail.domain.business_days import BusinessCalendar
from ordertrail.domain.cases import Case, CaseChanges, CaseNote, CaseStatus
from ordertrail.domain.customer.delivery_change import (
    ChangeRefused,
    Choice,
    DeliveryChange,
    ParcelSituation,
    choose,
    days_offered,
    failed_attempts,
    offered,
    pending_choice,
)
from ordertrail.domain.exceptions import ExceptionKind
from ordertrail.domain.fold import Effect
from ordertrail.domain.milestones import Milestone, Reason, SourceKind
from ordertrail.domain.model import Customer, Source, Subject, SubjectKind

_REQUESTED = Milestone.DELIVERY_CHANGE_REQUESTED
_CONFIRMED = Milestone.DELIVERY_CHANGE_CONFIRMED
#: How long a choice may wait for the carrier's answer before it counts as lost.
WAITING_AT_MOST = timedelta(minutes=15)
#: who staff see asked, on the case
_CUSTOMER = "the customer, on the tracking page"


class NotTheirParcel(Exception):
    """The ticket opens no order, or not the order of that parcel (the same answer for both)."""


@dataclass(frozen=True, slots=True)
class ChoiceMade:
    """The latest choice for a parcel and where it stands: `waiting` (the carrier is being
    asked), `with_staff` (operations arrange it), `confirmed` (the carrier took it) or
    `settled` (staff arranged it)."""

    choice: Choice
    day: date | None
    asked_at: datetime
    state: str


@dataclass(frozen=True, slots=True)
class ParcelChoices:
    """What the page offers for one parcel: the choices (with the days one may pick), or the
    choice already made."""

    tracking_number: str
    offered: bool
    days: list[date]
    made: ChoiceMade | None


def parcel_choices(
    uows: UnitOfWorkFactory, order_id: str, tracking_numbers: list[str], now: datetime
) -> dict[str, ParcelChoices]:
    """Each of the order's parcels the page could offer a choice for, by tracking number."""
    found: dict[str, ParcelChoices] = {}
    for number in tracking_numbers:
        detail = shipment_detail(uows, number)
        if detail is None or detail.order_id != order_id:
            continue
        situation, made = _situation(uows, detail, now)
        if not offered(situation) and made is None:
            continue
        zone, today, calendar = _calendar(uows, order_id, now)
        days = days_offered(today, calendar) if offered(situation) else []
        if made is not None:  # said in the customer's own day
            made = replace(made, asked_at=made.asked_at.astimezone(zone))
        found[number] = ParcelChoices(number, offered(situation), days, made)
    return found


def request_change(
    uows: UnitOfWorkFactory,
    clock: Clock,
    carriers: CarrierDeliveryChanges,
    ticket: str,
    tracking: str,
    choice: str,
    day: str,
) -> ChoiceMade:
    """The customer's choice, checked, recorded and passed on; raises NotTheirParcel or
    ChangeRefused (with the reason the page words)."""
    now = clock.now()
    order_id = order_of_token(uows, ticket, now)
    detail = shipment_detail(uows, tracking) if order_id else None
    if detail is None or detail.order_id != order_id or detail.tracking_number != tracking:
        raise NotTheirParcel(tracking)
    situation, _ = _situation(uows, detail, now)
    _, today, calendar = _calendar(uows, detail.order_id, now)
    change = choose(situation, choice, day, today, calendar)
    # one choice per trouble (a lost one may be made again): two pages sending at once make
    # the same key, and the second records nothing
    trouble = _trouble_key(detail)
    noted = [row for row in detail.timeline if row.effect is Effect.NOTED]
    earlier = [row for row in noted if _is(row, _REQUESTED) and row.data.get("for") == trouble]
    key = f"delivery-change:{detail.id}:{trouble}:{len(earlier)}"
    data = {**change.as_data(), "for": trouble}
    asked = _record(uows, clock, detail.id, Milestone.DELIVERY_CHANGE_REQUESTED, key, data)
    if not asked:
        raise ChangeRefused("pending")
    answer = _ask(carriers, detail, change)
    if answer.taken:
        said = {"for": key, "reference": answer.reference or ""}
        source = Source(SourceKind.CARRIER, detail.carrier or "unknown")
        confirmation = f"{key}:confirmed"
        _record(
            uows, clock, detail.id, Milestone.DELIVERY_CHANGE_CONFIRMED, confirmation, said, source
        )
        return ChoiceMade(change.choice, change.day, now, "confirmed")
    _open_case(uows, detail, key, change, answer, now)
    return ChoiceMade(change.choice, change.day, now, "with_staff")


def _ask(
    carriers: CarrierDeliveryChanges, detail: ShipmentDetail, change: DeliveryChange
) -> CarrierAnswer:
    if not detail.carrier or not detail.tracking_number:
        return CarrierAnswer(False, why="the parcel has no carrier tracking number")
    try:
        return carriers.ask(detail.carrier, detail.tracking_number, change)
    except Exception as error:  # an adapter's fault must not lose the customer's choice
        return CarrierAnswer(False, why=f"the carrier could not be asked: {error}")


def _record(
    uows: UnitOfWorkFactory,
    clock: Clock,
    shipment: str,
    milestone: Milestone,
    key: str,
    data: dict[str, str],
    source: Source = Source(SourceKind.CUSTOMER),
) -> bool:
    """Whether the event was new: a key used before records nothing (the same choice sent
    twice is a duplicate; another choice sent at the same moment reuses the key with other
    data, and is refused for it)."""
    report = EventReport(
        source=source,
        occurred_at=clock.now(),
        milestone=milestone,
        shipment=shipment,
        key=key,
        data=data,
    )
    result = record_events(RecordEvents([report], all_or_nothing=True), uows, clock)
    if result.problems:
        problem = result.problems[0]
        if problem.field == "key":
            return False
        raise ValueError(f"{problem.field}: {problem.message}")
    return result.accepted == 1


def _open_case(
    uows: UnitOfWorkFactory,
    detail: ShipmentDetail,
    key: str,
    change: DeliveryChange,
    answer: CarrierAnswer,
    now: datetime,
) -> None:
    kind = ExceptionKind.DELIVERY_CHANGE
    wanted = change.choice.value.replace("_", " ")
    if change.day is not None:
        wanted += f" on {change.day:%a %d %b}"
    text = f"customer asks: {wanted}; arrange it with {detail.carrier} ({answer.why})"
    case = Case(
        subject=Subject(SubjectKind.SHIPMENT, detail.id),
        order_id=detail.order_id,
        kind=kind,
        cause=f"choice:{key}",
        opened_at=now,
        due_at=now + kind.sla,
        detail=text,
        history=(CaseNote(now, f"opened: {text}", _CUSTOMER),),
    )
    with uows() as uow:
        uow.cases.save(CaseChanges(opened=[case]))
        queue_case_news(uow, [case], {}, now)  # operations hear at once
        uow.commit()


def _journey(rows: list[TimelineRow]) -> list[TimelineRow]:
    return [row for row in rows if row.effect in (Effect.APPLIED, Effect.CORRECTION)]


def _trouble_key(detail: ShipmentDetail) -> str:
    """The event that put the parcel where it is: one choice may be made per such news."""
    journey = _journey(detail.timeline)
    return journey[-1].key if journey else "none"


def _situation(
    uows: UnitOfWorkFactory, detail: ShipmentDetail, now: datetime
) -> tuple[ParcelSituation, ChoiceMade | None]:
    rows = [row for row in detail.timeline if row.effect is Effect.NOTED]
    asked = [
        (n, row) for n, row in enumerate(rows) if _is(row, Milestone.DELIVERY_CHANGE_REQUESTED)
    ]
    confirmed = [n for n, row in enumerate(rows) if _is(row, Milestone.DELIVERY_CHANGE_CONFIRMED)]
    cases = _cases(uows, detail)
    settled = {c.cause.removeprefix("choice:") for c in cases if c.status is CaseStatus.RESOLVED}
    pending = pending_choice([(row.key, n) for n, row in asked], confirmed, settled)
    journey = _journey(detail.timeline)
    milestones = [Milestone(row.milestone) for row in journey if row.milestone]
    trouble = _trouble_key(detail)
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


def _is(row: TimelineRow, milestone: Milestone) -> bool:
    return row.milestone == milestone.value


def _cases(uows: UnitOfWorkFactory, detail: ShipmentDetail) -> list[Case]:
    subject = Subject(SubjectKind.SHIPMENT, detail.id)
    with uows(read_only=True) as uow:
        known = uow.cases.for_subjects([subject], open_only=False).get(subject, [])
    return [case for case in known if case.kind is ExceptionKind.DELIVERY_CHANGE]


def _calendar(
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
