"""An order's status, derived from its own events, its shipments and its returns."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ordertrail.domain.fold import SubjectState
from ordertrail.domain.milestones import Milestone, Phase
from ordertrail.domain.model import Line


class OrderStatus(StrEnum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    IN_FULFILLMENT = "in_fulfillment"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    PARTIALLY_DELIVERED = "partially_delivered"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURN_IN_PROGRESS = "return_in_progress"
    RETURNED = "returned"


@dataclass(frozen=True, slots=True)
class ParcelView:
    """What the order needs to know about one of its shipments."""

    state: SubjectState
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class OrderSummary:
    status: OrderStatus
    needs_attention: bool


_RETURN_CLOSED = frozenset(
    {Milestone.RETURN_REJECTED, Milestone.REFUND_RELEASED, Milestone.REPLACEMENT_RELEASED}
)


def derive_order(
    own: SubjectState,
    lines: Sequence[Line],
    parcels: Sequence[ParcelView],
    returns: Sequence[SubjectState] = (),
) -> OrderSummary:
    attention = any(parcel.state.in_trouble for parcel in parcels)
    return OrderSummary(_status(own, lines, parcels, returns), attention)


def _status(
    own: SubjectState,
    lines: Sequence[Line],
    parcels: Sequence[ParcelView],
    returns: Sequence[SubjectState],
) -> OrderStatus:
    live_returns = [r for r in returns if r.status is not Milestone.RETURN_REJECTED]
    if any(r.status not in _RETURN_CLOSED for r in live_returns):
        return OrderStatus.RETURN_IN_PROGRESS
    if live_returns:
        return OrderStatus.RETURNED
    shipped = [p for p in parcels if p.state.shipped]
    cancelled = own.status is Milestone.ORDER_CANCELLED
    if cancelled and not shipped:
        return OrderStatus.CANCELLED
    # A cancelled order keeps what already left; the rest of it no longer counts as pending.
    pending = [] if cancelled else [p for p in parcels if not p.state.shipped]
    if shipped:
        return _shipping_status(shipped, pending, _unallocated(lines, parcels) and not cancelled)
    if any(_in_warehouse(state) for state in (own, *(p.state for p in parcels))):
        return OrderStatus.IN_FULFILLMENT
    if own.status is Milestone.ORDER_CONFIRMED:
        return OrderStatus.CONFIRMED
    return OrderStatus.PLACED


def _shipping_status(
    shipped: Sequence[ParcelView], pending: Sequence[ParcelView], unallocated: bool
) -> OrderStatus:
    everything_left = not pending and not unallocated
    delivered = [p for p in shipped if p.state.status is Milestone.DELIVERED]
    if delivered:
        all_delivered = everything_left and len(delivered) == len(shipped)
        return OrderStatus.DELIVERED if all_delivered else OrderStatus.PARTIALLY_DELIVERED
    return OrderStatus.SHIPPED if everything_left else OrderStatus.PARTIALLY_SHIPPED


def _in_warehouse(state: SubjectState) -> bool:
    return state.status is not None and state.status.spec.phase is Phase.WAREHOUSE


def _unallocated(lines: Iterable[Line], parcels: Sequence[ParcelView]) -> bool:
    """Does the order hold units that no shipment carries yet?

    Shipments registered without their lines are taken to carry whatever they were sent for,
    so only orders whose shipments all list lines can be short.
    """
    if not parcels or any(not parcel.lines for parcel in parcels):
        return False
    ordered = Counter[str]()
    for line in lines:
        ordered[line.sku] += line.quantity
    for parcel in parcels:
        for line in parcel.lines:
            ordered[line.sku] -= line.quantity
    return any(quantity > 0 for quantity in ordered.values())
