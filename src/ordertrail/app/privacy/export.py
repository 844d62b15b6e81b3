"""Everything held about one customer, gathered from one moment of the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ordertrail.app.messages.subscriptions_ports import Subscription
from ordertrail.app.ports import OrderFacts, UnitOfWorkFactory
from ordertrail.app.privacy.erasure import NothingHeld, orders_for
from ordertrail.app.privacy.ports import StoredCase, StoredMessage
from ordertrail.domain.model import TrackingEvent


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """One order of the customer's with everything kept about it."""

    facts: OrderFacts
    erased_at: datetime | None
    events: list[TrackingEvent]
    messages: list[StoredMessage]
    cases: list[StoredCase]
    page_views: list[tuple[date, int]]
    links: int
    #: the number they gave for texts and when they stopped emails (app/messages/subscriptions.py)
    subscription: Subscription | None = None


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    asked_for: str
    exported_at: datetime
    orders: list[OrderRecord]


def customer_record(uows: UnitOfWorkFactory, target: str, now: datetime) -> CustomerRecord:
    """What is held about the customer `target` names (an email, or one order's id); raises
    NothingHeld when it names nobody."""
    with uows(read_only=True) as uow:
        order_ids = orders_for(uow, target)
        if not order_ids:
            raise NothingHeld(target)
        facts = uow.orders.facts(order_ids)
        erased = uow.privacy.erased_at(order_ids)
        subscriptions = uow.subscriptions.of_orders(order_ids)
        records = [
            OrderRecord(
                facts=facts[order_id],
                erased_at=erased.get(order_id),
                events=sorted(uow.events.for_order(order_id), key=lambda e: e.sort_key),
                messages=uow.privacy.messages(order_id),
                cases=uow.privacy.cases(order_id),
                page_views=uow.privacy.page_views(order_id),
                links=uow.privacy.links(order_id),
                subscription=subscriptions.get(order_id),
            )
            for order_id in order_ids
            if order_id in facts
        ]
    return CustomerRecord(target.strip(), now, records)
