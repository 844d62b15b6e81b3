"""The customer's say over messages for one order: a number for texts, given on the order's
page (its ticket proves the order is theirs), and a stop to its emails, by the one-click
unsubscribe link every email carries (RFC 8058). The outbox honours the stop when it sends:
the message is skipped with the reason, so staff can see why the customer heard nothing.

The unsubscribe link holds the message's own link token: whoever has the email may stop its
order's emails (as they may open it), for as long as the token is kept, even after the
link no longer opens the order; a token nobody made stops nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ordertrail.app.effect_ports import OutboxMessage
from ordertrail.app.messages.links import token_hash
from ordertrail.app.messages.notify import order_of_token
from ordertrail.app.messages.subscriptions_ports import Subscription
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.domain.customer.phone import e164


class NotTheirOrder(Exception):
    """The ticket opens no order (unknown, forged or expired: the same answer)."""


class UnknownUnsubscribe(Exception):
    """The unsubscribe link's token was never made here (mistyped or forged)."""


@dataclass(frozen=True, slots=True)
class Unsubscribed:
    order_id: str
    stopped_at: datetime
    #: the link was used before: nothing changed this time
    already: bool


def add_sms_number(uows: UnitOfWorkFactory, ticket: str, typed: str, now: datetime) -> str:
    """Texts for the ticket's order go to the number typed, as E.164 (raises NotTheirOrder, or
    BadPhoneNumber with the reason)."""
    number = e164(typed)
    order_id = order_of_token(uows, ticket, now)
    if order_id is None:
        raise NotTheirOrder(ticket)
    with uows() as uow:
        uow.subscriptions.add_sms(order_id, number, now)
        uow.commit()
    return number


def subscription_of(uows: UnitOfWorkFactory, order_id: str) -> Subscription | None:
    with uows(read_only=True) as uow:
        return uow.subscriptions.of_orders([order_id]).get(order_id)


def order_to_unsubscribe(uows: UnitOfWorkFactory, token: str) -> Subscription:
    """The order an unsubscribe link is for, as it stands (raises UnknownUnsubscribe)."""
    order_id = _order_of(uows, token)
    return subscription_of(uows, order_id) or Subscription(order_id)


def unsubscribe(uows: UnitOfWorkFactory, token: str, now: datetime) -> Unsubscribed:
    """Stop the emails of the link's order; the same link again changes nothing and says when
    they were stopped (raises UnknownUnsubscribe)."""
    order_id = _order_of(uows, token)
    with uows() as uow:
        before = uow.subscriptions.stop_email(order_id, now)
        uow.commit()
    return Unsubscribed(order_id, before or now, already=before is not None)


def _order_of(uows: UnitOfWorkFactory, token: str) -> str:
    if not 10 <= len(token) <= 64:
        raise UnknownUnsubscribe(token)
    with uows(read_only=True) as uow:
        found = uow.outbox.token(token_hash(token))
    if found is None:
        raise UnknownUnsubscribe(token)
    return found[0]


def why_not_sent(message: OutboxMessage, subscriptions: Mapping[str, Subscription]) -> str | None:
    """Why a message must not go out although it is due: its customer stopped the order's
    emails (None: send it). `subscriptions`: those of the orders being sent to, read together
    with their facts (app/messages/delivery.py), not one transaction per message."""
    if message.channel != "email" or message.audience != "customer":
        return None
    found = subscriptions.get(message.order_id)
    if found is None or found.email_stopped_at is None:
        return None
    return (
        f"the customer unsubscribed from this order's emails on {found.email_stopped_at:%Y-%m-%d}"
    )
