"""A customer's choice for a parcel in trouble (domain/customer/delivery_change.py): offered
on the tracking page, recorded on the parcel's timeline as `delivery_change_requested`, sent
to the carrier where its system takes such changes (then `delivery_change_confirmed`), and
otherwise a `delivery_change` case for operations, who arrange it with the carrier by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from ordertrail.app.customer.delivery_change_ports import CarrierAnswer, CarrierDeliveryChanges
from ordertrail.app.customer.delivery_change_reading import (
    REQUESTED,
    ChoiceMade,
    is_said,
    place_of,
    situation_of,
    trouble_key,
)
from ordertrail.app.intake.commands import EventReport, RecordEvents
from ordertrail.app.intake.handlers import record_events
from ordertrail.app.messages.notify import order_of_token, queue_case_news
from ordertrail.app.ports import Clock, UnitOfWorkFactory
from ordertrail.app.queries import ShipmentDetail, shipment_detail
from ordertrail.domain.casework.cases import Case, CaseChanges, CaseNote
from ordertrail.domain.casework.exceptions import ExceptionKind
from ordertrail.domain.customer.delivery_change import (
    ChangeRefused,
    DeliveryChange,
    choose,
    days_offered,
    offered,
)
from ordertrail.domain.fold import Effect
from ordertrail.domain.milestones import Milestone, SourceKind
from ordertrail.domain.model import Source, Subject, SubjectKind

__all__ = ["ChangeRefused", "ChoiceMade", "NotTheirParcel", "parcel_choices", "request_change"]

#: who staff see asked, on the case
_CUSTOMER = "the customer, on the tracking page"


class NotTheirParcel(Exception):
    """The ticket opens no order, or not the order of that parcel (the same answer for both)."""


@dataclass(frozen=True, slots=True)
class ParcelChoices:
    """What the page offers for one parcel: the choices (with the days one may pick), or the
    choice already made."""

    tracking_number: str
    offered: bool
    days: list[date]
    made: ChoiceMade | None


def parcel_choices(
    uows: UnitOfWorkFactory, order_id: str, parcels: Mapping[str, ShipmentDetail], now: datetime
) -> dict[str, ParcelChoices]:
    """Each of the order's parcels the page could offer a choice for, by tracking number
    (`parcels`: their details as the page read them, by tracking number)."""
    found: dict[str, ParcelChoices] = {}
    for number, detail in parcels.items():
        if detail.order_id != order_id:
            continue
        situation, made = situation_of(uows, detail, now)
        if not offered(situation) and made is None:
            continue
        zone, today, calendar = place_of(uows, order_id, now)
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
    situation, _ = situation_of(uows, detail, now)
    _, today, calendar = place_of(uows, detail.order_id, now)
    change = choose(situation, choice, day, today, calendar)
    # one choice per trouble (a lost one may be made again): two pages sending at once make
    # the same key, and the second records nothing
    trouble = trouble_key(detail)
    noted = [row for row in detail.timeline if row.effect is Effect.NOTED]
    earlier = [row for row in noted if is_said(row, REQUESTED) and row.data.get("for") == trouble]
    key = f"delivery-change:{detail.id}:{trouble}:{len(earlier)}"
    data = {**change.as_data(), "for": trouble}
    asked = _record(uows, clock, detail.id, REQUESTED, key, data)
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
