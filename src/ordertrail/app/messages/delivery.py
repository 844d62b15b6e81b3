"""Delivering the outbox: at least once, with retries and a dead-letter state.

Messages are claimed with a lease in one short transaction and sent outside any transaction,
so a slow mail server never holds the database. A worker that dies mid-send leaves its claim
to expire; the next worker sends the message again, with the same message id, which is what
receivers deduplicate on (SMTP Message-ID, the webhook-id of Standard Webhooks).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from ordertrail.app.effect_ports import OutboxMessage
from ordertrail.app.messages.links import message_token, token_hash
from ordertrail.app.messages.subscriptions import why_not_sent
from ordertrail.app.ports import Clock, OrderFacts, UnitOfWorkFactory
from ordertrail.app.queries import OrderDetail, order_details
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.notifications import MessageKind, still_worth_sending

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
#: Messages whose orders are read together before they are sent: few enough that a slow
#: channel cannot leave the last of them speaking of an order as it stood long before.
READ_AHEAD = 20


class DeliveryFailed(Exception):
    """The channel did not take the message. `permanent`: trying again cannot help (a
    rejected address); otherwise it is tried again later."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message with what its text is made from: the order as it stands now, and for a
    customer the token of the link that opens it (made now, never stored)."""

    message: OutboxMessage
    #: reads the order when a sender first asks for it (`order`): a channel that only hands
    #: the message on never pays for reading the order's whole timeline
    read_order: Callable[[], OrderDetail | None]
    link_token: str | None = None
    #: when it is sent: what "today" and "tomorrow" mean in it
    sent_at: datetime | None = None

    @property
    def order(self) -> OrderDetail | None:
        return self.read_order()


class _Orders:
    """The orders of the next few messages: their facts (what says whether a message is still
    true) and whether their customers stopped their emails, read at once, and their whole
    details read at once when a sender first asks for one (an order's email and its webhook,
    often in one batch, tell the same news)."""

    def __init__(self, uows: UnitOfWorkFactory, order_ids: set[str]) -> None:
        self._uows = uows
        with uows(read_only=True) as uow:
            self.facts = uow.orders.facts(order_ids)
            # one read for the batch, not a transaction per message (a stop made while the
            # batch is sent holds from the next batch, as the facts do)
            self.subscriptions = uow.subscriptions.of_orders(order_ids)
        self._details: dict[str, OrderDetail] | None = None

    def reader(self, order_id: str) -> Callable[[], OrderDetail | None]:
        return lambda: self._detail(order_id)

    def _detail(self, order_id: str) -> OrderDetail | None:
        if self._details is None:
            self._details = order_details(self._uows, self.facts)
        return self._details.get(order_id)


class Sender(Protocol):
    def send(self, outgoing: Outgoing) -> None:
        """Hand the message to the channel, or raise DeliveryFailed."""
        ...


@runtime_checkable
class KeepsOpen(Protocol):
    """A sender that can keep its connection open for a while (SMTP)."""

    def session(self) -> AbstractContextManager[None]:
        """Messages sent meanwhile share one connection, closed at the end."""
        ...


def _sessions(senders: Mapping[str, Sender]) -> ExitStack:
    """A session of each sender that keeps one, for a round's messages (one sender may serve
    two channels: email and team)."""
    stack = ExitStack()
    for sender in {id(sender): sender for sender in senders.values()}.values():
        if isinstance(sender, KeepsOpen):
            stack.enter_context(sender.session())
    return stack


@dataclass(slots=True)
class DeliveryResult:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    skipped: int = 0

    def count(self, status: str) -> None:
        """One more message left in `status` (pending again means it will be retried)."""
        if status == "sent":
            self.sent += 1
        elif status == "pending":
            self.retried += 1
        elif status == "dead":
            self.dead += 1
        else:
            self.skipped += 1


def deliver_due(
    uows: UnitOfWorkFactory,
    senders: Mapping[str, Sender],
    clock: Clock,
    *,
    limit: int = 100,
    lease: timedelta = timedelta(minutes=5),
    jitter: Callable[[], float] = random.random,
) -> DeliveryResult:
    result = DeliveryResult()
    now = clock.now()
    secret = uows.link_secret()
    with uows() as uow:
        claimed = uow.outbox.claim(now, limit, lease)
        links = {m.id: message_token(secret, m.id) for m in claimed if _has_link(m)}
        for message in claimed:  # kept before it is sent, so the link works when it arrives
            if message.id in links:
                uow.outbox.add_tokens([token_hash(links[message.id])], message.order_id, now)
        uow.commit()
    with _sessions(senders):
        for start in range(0, len(claimed), READ_AHEAD):
            batch = claimed[start : start + READ_AHEAD]
            _deliver(uows, batch, links, senders, clock, jitter, result)
    return result


def _deliver(
    uows: UnitOfWorkFactory,
    batch: list[OutboxMessage],
    links: Mapping[str, str],
    senders: Mapping[str, Sender],
    clock: Clock,
    jitter: Callable[[], float],
    result: DeliveryResult,
) -> None:
    orders = _Orders(uows, {message.order_id for message in batch})
    # A message handed to a channel is noted at once, so that it is not sent twice; one not
    # sent (no channel, unsubscribed, no longer true) is noted with the batch's others: were
    # that note lost, a later round would only look at it again, and nothing is sent twice.
    unsent: list[tuple[str, str | None]] = []
    for message in batch:
        reader = orders.reader(message.order_id)
        outgoing = Outgoing(message, reader, links.get(message.id), clock.now())
        facts = orders.facts.get(message.order_id)
        # a customer who unsubscribed is not written to (app/messages/subscriptions.py)
        stopped = why_not_sent(message, orders.subscriptions)
        status, error, retry_at = (
            ("skipped", stopped, None)
            if stopped is not None
            else _send(outgoing, facts, senders, clock.now(), jitter)
        )
        result.count(status)
        if status == "skipped":
            unsent.append((message.id, error))
            continue
        with uows() as uow:
            uow.outbox.finish(message.id, status, clock.now(), error=error, retry_at=retry_at)
            uow.commit()
    if unsent:
        with uows() as uow:
            for message_id, why in unsent:
                uow.outbox.finish(message_id, "skipped", clock.now(), error=why)
            uow.commit()


def _has_link(message: OutboxMessage) -> bool:
    """A customer's own message links to their order; a webhook to the shop does not."""
    return message.audience == "customer" and message.channel != "webhook"


def _send(
    outgoing: Outgoing,
    facts: OrderFacts | None,
    senders: Mapping[str, Sender],
    now: datetime,
    jitter: Callable[[], float],
) -> tuple[str, str | None, datetime | None]:
    """(the message's new status, why, when to try again)."""
    message = outgoing.message
    if message.audience == "customer" and not _still_true(message, facts):
        return "skipped", "the parcel has moved past what this message says", None
    sender = senders.get(message.channel)
    if sender is None:
        return "skipped", f"no {message.channel} channel is set up", None
    try:
        sender.send(outgoing)
    except DeliveryFailed as failure:
        if failure.permanent or message.attempts >= MAX_ATTEMPTS:
            return "dead", str(failure), None
        return "pending", str(failure), now + backoff(message.attempts, jitter)
    return "sent", None, None


def backoff(attempts: int, jitter: Callable[[], float]) -> timedelta:
    """30 s, 1 min, 2 min … at most 6 h, each between half and one and a half of that."""
    wait = min(LONGEST_WAIT, FIRST_RETRY * (1 << min(20, max(0, attempts - 1))))
    return wait * (0.5 + jitter())


def _still_true(message: OutboxMessage, facts: OrderFacts | None) -> bool:
    try:
        kind = MessageKind(message.kind)
    except ValueError:
        return True
    if facts is None:
        return False
    status: Milestone | None = None
    reason: Reason | None = None
    for parcel, state in facts.shipments:
        if parcel.id == message.subject.id:
            status = Milestone(state.status) if state.status else None
            reason = Reason(state.reason) if state.reason else None
    if message.subject.id == facts.order.id:
        return True  # an order's own message (confirmed) stays true
    return still_worth_sending(kind, status, reason)


def retry_dead(uows: UnitOfWorkFactory, message_id: str, now: datetime) -> bool:
    """Ops sends a dead letter again (after fixing an address, say)."""
    with uows() as uow:
        if not uow.outbox.find(message_id=message_id, status="dead", limit=1):
            return False
        uow.outbox.finish(message_id, "pending", now, retry_at=now)
        uow.commit()
    return True
