"""What the policy and the rules read about an order when a return is asked: units ordered,
delivered and already on other returns, when it arrived, whether the carrier saw damage.

Shared by the request itself and by the customer page's preview, so the preview says what
the request would be told."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ordertrail.app.intake.derive import order_history
from ordertrail.app.ports import OrderFacts, UnitOfWork
from ordertrail.domain.milestones import Milestone, Reason, SourceKind
from ordertrail.domain.model import DomainError, Line, Order
from ordertrail.domain.returns.policy import RequestFacts


@dataclass(frozen=True, slots=True)
class OrderForReturn:
    """One order as a return request sees it."""

    order: Order
    ordered: Counter[str]
    delivered: Counter[str]
    returned: Counter[str]  # on its other returns, rejected ones aside
    delivered_at: datetime | None
    carrier_damage: bool

    def request_facts(self, now: datetime) -> RequestFacts:
        return RequestFacts(
            now,
            self.delivered_at,
            self.order.value,
            sum(self.ordered.values()),
            self.carrier_damage,
        )


def order_for_return(uow: UnitOfWork, order_id: str) -> OrderForReturn:
    """The order's units and dates (a DomainError when there is no such order)."""
    facts = uow.orders.facts([order_id]).get(order_id)
    if facts is None:
        raise DomainError("order", f"no order has id '{order_id}'")
    delivered, delivered_at = _delivered(facts)
    return OrderForReturn(
        order=facts.order,
        ordered=units(facts.order.lines) or delivered,
        delivered=delivered,
        returned=_already_returned(uow, order_id),
        delivered_at=delivered_at,
        carrier_damage=_carrier_damage(uow, order_id),
    )


def units(lines: Iterable[Line]) -> Counter[str]:
    found: Counter[str] = Counter()
    for line in lines:
        found[line.sku] += line.quantity
    return found


def _delivered(facts: OrderFacts) -> tuple[Counter[str], datetime | None]:
    """Units delivered per SKU, and when the last delivered parcel arrived. A parcel listed
    without its lines carried the order's (as the order's status reads it)."""
    delivered: Counter[str] = Counter()
    last: datetime | None = None
    for shipment, state in facts.shipments:
        if shipment.cancelled or state.status is not Milestone.DELIVERED:
            continue
        if state.delivered_at and (last is None or state.delivered_at > last):
            last = state.delivered_at
        delivered += units(shipment.lines or facts.order.lines)
    ordered = units(facts.order.lines)
    return (delivered & ordered if ordered else delivered), last


def _already_returned(uow: UnitOfWork, order_id: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for line in uow.returns.units_on_order(order_id):
        if line.status != Milestone.RETURN_REJECTED.value:
            found[line.sku] += line.quantity
    return found


def _carrier_damage(uow: UnitOfWork, order_id: str) -> bool:
    return any(
        event.reason is Reason.DAMAGED and event.source.kind is SourceKind.CARRIER
        for event in order_history(uow, order_id)
    )
