"""Messages queued in the outbox in the same transaction as the events that caused them: a
customer message per channel the customer can be reached on, a staff alert per case opened,
and a signed webhook for the shop's other systems (helpdesk, ERP) for each."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta

from ordertrail.app.effect_ports import Contact, OutboxMessage
from ordertrail.app.messages.links import token_hash
from ordertrail.app.ports import UnitOfWork, UnitOfWorkFactory
from ordertrail.domain.casework.cases import Case
from ordertrail.domain.casework.exceptions import ExceptionKind
from ordertrail.domain.fold import SubjectState
from ordertrail.domain.model import Subject
from ordertrail.domain.notifications import (
    MessageKind,
    Planned,
    Policy,
    Recipient,
    might_message,
    plan,
    plan_apology,
)
from ordertrail.domain.promise.eta_window import WindowChange

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
    windows: Mapping[Subject, WindowChange] | None = None,
    unasked: Collection[Subject] = (),
) -> None:
    """Queue what these changes earn; `windows` are the delivery windows customers see that
    changed with them; `unasked` the returns among them their customers did not ask for."""
    windows = windows or {}
    changed = [
        s
        for s in after
        if s in order_of and might_message(before.get(s, SubjectState()), after[s], s in windows)
    ]
    if not changed and not opened:
        return
    contacts = uow.outbox.contacts({order_of[s] for s in changed} | {c.order_id for c in opened})
    messages: list[OutboxMessage] = []
    for subject in changed:
        contact = contacts.get(order_of[subject])
        if contact is None:
            continue
        state = after[subject]
        earlier = before.get(subject, SubjectState())
        window = windows.get(subject)
        asked = subject not in unasked
        for planned in plan(
            subject, earlier, state, recipient(contact), now, policy, window, asked=asked
        ):
            messages += _to_customer(uow, planned, order_of[subject], contact, state, now, policy)
    for case in opened:
        messages += _staff(case, now)
    uow.outbox.add(messages, now)


def queue_case_news(
    uow: UnitOfWork,
    opened: Sequence[Case],
    states: Mapping[Subject, SubjectState],
    now: datetime,
) -> None:
    """Queue what cases the sweep opened earn: a staff alert each, and for a missed promise
    the customer's apology (after staff heard, when the policy has one)."""
    if not opened:
        return
    policy = uow.policy
    messages: list[OutboxMessage] = []
    late = [c for c in opened if c.kind is ExceptionKind.PROMISE_MISSED and c.subject in states]
    contacts = uow.outbox.contacts({case.order_id for case in late}) if late else {}
    for case in late:
        contact, state = contacts.get(case.order_id), states[case.subject]
        if contact is not None:
            for planned in plan_apology(case.subject, state, recipient(contact), now, policy):
                messages += _to_customer(uow, planned, case.order_id, contact, state, now, policy)
    for case in opened:
        messages += _staff(case, now)
    uow.outbox.add(messages, now)


def _to_customer(
    uow: UnitOfWork,
    planned: Planned,
    order_id: str,
    contact: Contact,
    state: SubjectState,
    now: datetime,
    policy: Policy,
) -> list[OutboxMessage]:
    # no link token here: it is derived when the message is sent (app/messages/links.py)
    context = {"status_key": state.status_key, "eta": state.eta}
    return _customer(planned, order_id, contact, context, now, policy)


def _customer(
    planned: Planned,
    order_id: str,
    contact: Contact,
    context: Mapping[str, object],
    now: datetime,
    policy: Policy,
) -> list[OutboxMessage]:
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
        for channel, address in reach(planned.kind, contact, policy)
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


def recipient(contact: Contact) -> Recipient:
    """What the policy reads about the order's customer."""
    return Recipient(contact.priority, contact.promised_by, contact.time_zone)


def reach(kind: MessageKind, contact: Contact, policy: Policy) -> list[tuple[str, str]]:
    """(channel, address) a customer message of `kind` goes to: email when the customer gave
    one, a text too for the kinds the policy finds urgent enough (for every kind when the
    customer gave the number on the order's page: they asked for texts)."""
    found = []
    if contact.email:
        found.append(("email", contact.email))
    if contact.phone and (kind in policy.sms or contact.texts_asked):
        found.append(("sms", contact.phone))
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


#: A message's link opens its order for this long after the message, and in any case until
#: this long after the order's last parcel arrived (or ended its journey), within a year.
LINK_LASTS = timedelta(days=60)
LINK_AFTER_ARRIVAL = timedelta(weeks=6)
LINK_AT_MOST = timedelta(days=365)


def order_of_token(uows: UnitOfWorkFactory, token: str, now: datetime) -> str | None:
    """The order a message link opens, while the link is fresh (None otherwise)."""
    if not 10 <= len(token) <= 64:
        return None
    with uows(read_only=True) as uow:
        found = uow.outbox.token(token_hash(token))
        if found is None:
            return None
        order_id, made = found
        if now - made <= LINK_LASTS:
            return order_id
        facts = uow.orders.facts([order_id]).get(order_id)
    if facts is None or now - made > LINK_AT_MOST:
        return None
    ended = [_ended_at(state) for parcel, state in facts.shipments if not parcel.cancelled]
    if not ended or None in ended:
        return order_id  # still on its way: the customer still needs the link
    return order_id if now - max(e for e in ended if e) <= LINK_AFTER_ARRIVAL else None


def _ended_at(state: SubjectState) -> datetime | None:
    """When a parcel's journey ended (delivered, returned to sender), or None while it goes on."""
    if state.status is not None and state.status.spec.terminal:
        return state.delivered_at or state.status_at
    return None
