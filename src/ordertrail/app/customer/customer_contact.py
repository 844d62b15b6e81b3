"""A customer writes to support from the tracking page, about their order and one of its
parcels: the message lands on the case support already has open on that parcel, else on a
new `customer_message` case for the support team. It is kept as a note in the case's history
(by `customer`), so staff read it on the case and the order's page.

Only someone who may see the order can write: they hold the page's ticket (given once the
order number and email or postal code matched, or in a message's link)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ordertrail.app.customer.support_prompts import CUSTOMER
from ordertrail.app.messages.notify import order_of_token
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.queries import shipment_detail
from ordertrail.domain.casework.cases import Case, CaseChanges, CaseNote, CaseStatus
from ordertrail.domain.casework.exceptions import ExceptionKind
from ordertrail.domain.model import Subject, SubjectKind

#: the longest message a customer may send (a page of text)
LONGEST_MESSAGE = 2000


class NotTheirs(Exception):
    """The ticket opens no order, or not the order of that parcel."""


class UnreadableMessage(ValueError):
    """The message is empty, too long or holds characters no one typed; says which."""


def contact_support(
    uows: UnitOfWorkFactory, ticket: str, tracking: str, message: str, now: datetime
) -> Case:
    """Put the customer's message on the parcel's open case (the newest), or open one."""
    said = readable(message)
    order_id = order_of_token(uows, ticket, now)
    parcel = shipment_detail(uows, tracking) if order_id and tracking else None
    if parcel is None or parcel.order_id != order_id or parcel.tracking_number != tracking:
        raise NotTheirs(tracking)
    subject = Subject(SubjectKind.SHIPMENT, parcel.id)
    note = CaseNote(now, f"customer wrote: {said}", CUSTOMER)
    with uows() as uow:
        known = uow.cases.for_subjects([subject], open_only=True).get(subject, [])
        open_cases = [case for case in known if case.status is CaseStatus.OPEN]
        if open_cases:
            case = max(open_cases, key=lambda case: case.opened_at)
            case = replace(case, history=(*case.history, note))
            uow.cases.save(CaseChanges(updated=[case]))
            uow.commit()
            return case
        kind = ExceptionKind.CUSTOMER_MESSAGE
        opened = Case(
            subject=subject,
            order_id=parcel.order_id,
            kind=kind,
            cause=f"message:{now.isoformat()}",
            opened_at=now,
            due_at=now + kind.sla,
            detail=f"customer wrote: {said}",
            history=(note,),
        )
        uow.cases.save(CaseChanges(opened=[opened]))
        stored = uow.cases.for_subjects([subject], open_only=True).get(subject, [])
        uow.commit()
    return next((c for c in stored if c.key == opened.key), opened)


def readable(message: str) -> str:
    """The message as kept: trimmed; refused when empty, too long, or holding a NUL or other
    control character (a newline and a tab are fine)."""
    said = message.strip()
    if not said:
        raise UnreadableMessage("message: write what you would like to tell us")
    if len(said) > LONGEST_MESSAGE:
        raise UnreadableMessage(f"message: at most {LONGEST_MESSAGE} characters")
    if any(not (c.isprintable() or c in "\n\r\t") for c in said):
        raise UnreadableMessage("message: holds characters that cannot be kept")
    return said
