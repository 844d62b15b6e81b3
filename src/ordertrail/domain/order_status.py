"""An order's status, derived from its own events, its shipments and its returns."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ordertrail.domain.fold import SubjectState
from ordertrail.domain.milestones import TROUBLE, Milestone, Phase
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
    #: every return is settled and some of what was delivered stayed with the customer
    PARTIALLY_RETURNED = "partially_returned"


@dataclass(frozen=True, slots=True)
class ParcelView:
    """Everything the order's status reads from one of its shipments, and nothing more: when
    an event leaves a parcel's view unchanged, its order's status cannot change either."""

    lines: tuple[Line, ...]
    shipped: bool = False
    delivered: bool = False
    in_trouble: bool = False
    in_warehouse: bool = False

    @classmethod
    def of(cls, status: Milestone | None, shipped: bool, lines: tuple[Line, ...]) -> ParcelView:
        return cls(
            lines=lines,
            shipped=shipped,
            delivered=status is Milestone.DELIVERED,
            in_trouble=status in TROUBLE,
            in_warehouse=status is not None and status.spec.phase is Phase.WAREHOUSE,
        )

    @classmethod
    def of_state(cls, state: SubjectState, lines: tuple[Line, ...] = ()) -> ParcelView:
        return cls.of(state.status, state.shipped, lines)


@dataclass(frozen=True, slots=True)
class OrderSummary:
    status: OrderStatus
    needs_attention: bool


_RETURN_CLOSED = frozenset(
    {Milestone.RETURN_REJECTED, Milestone.REFUND_RELEASED, Milestone.REPLACEMENT_RELEASED}
)


def derive_order(
    own: Milestone | None,
    lines: Sequence[Line],
    parcels: Sequence[ParcelView],
    returns: Sequence[Milestone | None] = (),
    returned: Sequence[Line] | None = None,
) -> OrderSummary:
    """`own` is the status of the order's own events, `returns` those of its returns;
    `returned` the lines of its settled returns (None: take them to be the whole order)."""
    attention = any(parcel.in_trouble for parcel in parcels)
    return OrderSummary(_status(own, lines, parcels, returns, returned), attention)


def _status(
    own: Milestone | None,
    lines: Sequence[Line],
    parcels: Sequence[ParcelView],
    returns: Sequence[Milestone | None],
    returned: Sequence[Line] | None,
) -> OrderStatus:
    outbound = _outbound(own, lines, parcels)
    # A return whose events all went unmapped or unheeded has no status: nothing to show yet.
    live_returns = [s for s in returns if s is not None and s is not Milestone.RETURN_REJECTED]
    # A return tells the order's story only once everything sent has arrived: a partial
    # return must not hide a parcel still on its way or in trouble.
    if not live_returns or (parcels and outbound is not OrderStatus.DELIVERED):
        return outbound
    if any(status not in _RETURN_CLOSED for status in live_returns):
        return OrderStatus.RETURN_IN_PROGRESS
    if returned is not None and _units(lines) - _units(returned):
        return OrderStatus.PARTIALLY_RETURNED
    return OrderStatus.RETURNED


def _units(lines: Iterable[Line]) -> Counter[str]:
    units = Counter[str]()
    for line in lines:
        units[line.sku] += line.quantity
    return units


def _outbound(
    own: Milestone | None, lines: Sequence[Line], parcels: Sequence[ParcelView]
) -> OrderStatus:
    """The status of the order's journey to the customer, returns aside."""
    shipped = [p for p in parcels if p.shipped]
    cancelled = own is Milestone.ORDER_CANCELLED
    if cancelled and not shipped:
        return OrderStatus.CANCELLED
    # A cancelled order keeps what already left; the rest of it no longer counts as pending.
    pending = [] if cancelled else [p for p in parcels if not p.shipped]
    if shipped:
        return _shipping_status(shipped, pending, _unallocated(lines, parcels) and not cancelled)
    own_in_warehouse = own is not None and own.spec.phase is Phase.WAREHOUSE
    if own_in_warehouse or any(p.in_warehouse for p in parcels):
        return OrderStatus.IN_FULFILLMENT
    if own is Milestone.ORDER_CONFIRMED:
        return OrderStatus.CONFIRMED
    return OrderStatus.PLACED


def _shipping_status(
    shipped: Sequence[ParcelView], pending: Sequence[ParcelView], unallocated: bool
) -> OrderStatus:
    everything_left = not pending and not unallocated
    delivered = [p for p in shipped if p.delivered]
    if delivered:
        all_delivered = everything_left and len(delivered) == len(shipped)
        return OrderStatus.DELIVERED if all_delivered else OrderStatus.PARTIALLY_DELIVERED
    return OrderStatus.SHIPPED if everything_left else OrderStatus.PARTIALLY_SHIPPED


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
