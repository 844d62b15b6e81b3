"""Messages queued in the outbox in the same transaction as the events that caused them: a
customer message per channel the customer can be reached on, a staff alert per case opened,
and a signed webhook for the shop's other systems (helpdesk, ERP) for each."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from ordertrail.app.ports import Contact, OutboxMessage, UnitOfWork
from ordertrail.domain.exceptions import Case
from ordertrail.domain.fold import SubjectState
from ordertrail.domain.model import Subject
from ordertrail.domain.notifications import Planned, Policy, Recipient, might_message, plan

#: every message also goes to the shop's webhook subscribers, fanned out when sent
SUBSCRIBERS = "subscribers"


def queue_messages(
    uow: UnitOfWork,
    before: Mapping[Subject, SubjectState],
    after: Mapping[Subject, SubjectState],
    order_of: Mapping[Subject, str],
    opened: Sequence[Case],
    now: datetime,
    policy: Policy = Policy(),
) -> int:
    """Queue what these changes earn; the number of messages queued."""
    changed = [
        s for s in after if s in order_of and might_message(before.get(s, SubjectState()), after[s])
    ]
    if not changed and not opened:
        return 0
    contacts = uow.outbox.contacts({order_of[s] for s in changed} | {c.order_id for c in opened})
    messages: list[OutboxMessage] = []
    for subject in changed:
        contact = contacts.get(order_of[subject])
        if contact is None:
            continue
        recipient = Recipient(contact.priority, contact.promised_by, contact.time_zone)
        state = after[subject]
        for planned in plan(
            subject, before.get(subject, SubjectState()), state, recipient, now, policy
        ):
            messages += _customer(planned, order_of[subject], contact, state, now, policy)
    for case in opened:
        messages += _staff(case, now)
    return uow.outbox.add(messages, now)


def _customer(
    planned: Planned,
    order_id: str,
    contact: Contact,
    state: SubjectState,
    now: datetime,
    policy: Policy,
) -> list[OutboxMessage]:
    context = {"status_key": state.status_key, "eta": state.eta}
    reach = []
    if contact.email:
        reach.append(("email", contact.email))
    if contact.phone and planned.kind in policy.sms:
        reach.append(("sms", contact.phone))
    found = [
        _message(
            planned.dedupe,
            channel,
            "customer",
            planned.kind.value,
            order_id,
            planned.subject,
            address,
            planned.not_before,
            context,
        )
        for channel, address in reach
    ]
    found.append(
        _message(
            planned.dedupe,
            "webhook",
            "customer",
            planned.kind.value,
            order_id,
            planned.subject,
            SUBSCRIBERS,
            planned.earliest,
            context,
        )
    )
    return found


def _staff(case: Case, now: datetime) -> list[OutboxMessage]:
    """Sent at once: staff hear before the customer's message (which waits) goes out."""
    dedupe = f"case:{case.subject.kind}:{case.subject.id}:{case.kind.value}:{case.cause}"
    context = {"detail": case.detail, "due_at": case.due_at.isoformat(), "team": case.team.value}
    kind = f"exception:{case.kind.value}"
    return [
        _message(
            dedupe,
            "team",
            "staff",
            kind,
            case.order_id,
            case.subject,
            case.team.value,
            now,
            context,
        ),
        _message(
            dedupe, "webhook", "staff", kind, case.order_id, case.subject, SUBSCRIBERS, now, context
        ),
    ]


def _message(
    dedupe: str,
    channel: str,
    audience: str,
    kind: str,
    order_id: str,
    subject: Subject,
    recipient: str,
    at: datetime,
    context: Mapping[str, object],
) -> OutboxMessage:
    return OutboxMessage(
        id=str(uuid.uuid4()),
        dedupe=f"{dedupe}:{channel}",
        channel=channel,
        audience=audience,
        kind=kind,
        order_id=order_id,
        subject=subject,
        recipient=recipient,
        available_at=at,
        context=dict(context),
    )
