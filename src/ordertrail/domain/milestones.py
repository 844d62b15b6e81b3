"""The one vocabulary: canonical milestones, their reasons, and who may assert them.

Carrier, warehouse and store languages are translated into these at the edge. Everything
past the edge reads only this module's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    ORDER = "order"
    WAREHOUSE = "warehouse"
    CARRIER = "carrier"
    REVERSE = "reverse"
    #: a B2B delivery's dock appointment at the receiving site: news beside the parcel's
    #: journey (domain/b2b/dock.py folds it), never a step of it
    APPOINTMENT = "appointment"
    #: the customer's choice of where or when a parcel is delivered, and the carrier's (or
    #: staff's) confirmation: news beside the journey that never moves its status
    DELIVERY_CHANGE = "delivery_change"


class SourceKind(StrEnum):
    """Who reports an event; the part of `source` before the colon."""

    WAREHOUSE = "warehouse"
    CARRIER = "carrier"
    CHANNEL = "channel"
    OPS = "ops"
    CUSTOMER = "customer"
    #: OrderTrail itself acting on a policy (a return approved because it is inside the
    #: window, a refund released on receipt); named without a colon, like `customer`
    SYSTEM = "system"


class Reason(StrEnum):
    """Why a shipment was delayed, an attempt failed or an exception was raised."""

    ADDRESS_ISSUE = "address_issue"
    RECIPIENT_UNAVAILABLE = "recipient_unavailable"
    BUSINESS_CLOSED = "business_closed"
    ACCESS_RESTRICTED = "access_restricted"
    REFUSED = "refused"
    DAMAGED = "damaged"
    LOST = "lost"
    CUSTOMS_HOLD = "customs_hold"
    PAYMENT_REQUIRED = "payment_required"
    WEATHER = "weather"
    CARRIER_DELAY = "carrier_delay"
    OTHER = "other"


class Disposition(StrEnum):
    """What becomes of returned goods: the `disposition` a `disposition_decided` event gives
    in its data."""

    RESTOCK = "restock"
    REFURBISH = "refurbish"
    SCRAP = "scrap"
    VENDOR_RETURN = "vendor_return"


class Milestone(StrEnum):
    ORDER_PLACED = "order_placed"
    ORDER_CONFIRMED = "order_confirmed"
    ORDER_CANCELLED = "order_cancelled"
    PICKED = "picked"
    PACKED = "packed"
    LABEL_CREATED = "label_created"
    CARRIER_ACCEPTED = "carrier_accepted"
    IN_TRANSIT = "in_transit"
    DELAYED = "delayed"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_ATTEMPTED = "delivery_attempted"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED_TO_SENDER = "returned_to_sender"
    RETURN_REQUESTED = "return_requested"
    RETURN_APPROVED = "return_approved"
    RETURN_REJECTED = "return_rejected"
    RETURN_PICKUP_SCHEDULED = "return_pickup_scheduled"
    RETURN_IN_TRANSIT = "return_in_transit"
    RETURN_RECEIVED = "return_received"
    INSPECTION_PENDING = "inspection_pending"
    DISPOSITION_DECIDED = "disposition_decided"
    REFUND_RELEASED = "refund_released"
    REPLACEMENT_RELEASED = "replacement_released"
    DOCK_APPOINTMENT_REQUESTED = "dock_appointment_requested"
    DOCK_APPOINTMENT_SCHEDULED = "dock_appointment_scheduled"
    DOCK_APPOINTMENT_MOVED = "dock_appointment_moved"
    DOCK_APPOINTMENT_MISSED = "dock_appointment_missed"
    DOCK_CHECKED_IN = "dock_checked_in"
    UNLOADED = "unloaded"
    DELIVERY_CHANGE_REQUESTED = "delivery_change_requested"
    DELIVERY_CHANGE_CONFIRMED = "delivery_change_confirmed"

    @property
    def spec(self) -> MilestoneSpec:
        return MILESTONES[self]


@dataclass(frozen=True, slots=True)
class MilestoneSpec:
    """What a milestone means to the fold and to the people reading it.

    `rank` orders the happy path of its phase. Milestones off the happy path (a delay, a failed
    attempt, an exception) share the rank of the step they interrupt, so progress past them is
    still progress and a stale happy-path scan below the reached rank cannot move status back.
    """

    phase: Phase
    rank: int
    terminal: bool
    customer_visible: bool
    authority: frozenset[SourceKind]
    needs_reason: bool = False
    carrier_possession: bool = False


_W, _C, _CH, _O, _CU, _SY = (
    SourceKind.WAREHOUSE,
    SourceKind.CARRIER,
    SourceKind.CHANNEL,
    SourceKind.OPS,
    SourceKind.CUSTOMER,
    SourceKind.SYSTEM,
)


def _spec(
    phase: Phase,
    rank: int,
    *authority: SourceKind,
    terminal: bool = False,
    visible: bool = True,
    needs_reason: bool = False,
) -> MilestoneSpec:
    # A delay or exception can be reported before pickup; only movement proves possession.
    possession = phase is Phase.CARRIER and rank >= 10 and not needs_reason
    # Ops may assert anything: its events are corrections recorded with who and why.
    return MilestoneSpec(
        phase, rank, terminal, visible, frozenset((*authority, _O)), needs_reason, possession
    )


# Channels (store platforms) relay carrier milestones they learn from their own carrier
# integrations, so they may assert them; warehouses may not claim carrier movement.
MILESTONES: dict[Milestone, MilestoneSpec] = {
    Milestone.ORDER_PLACED: _spec(Phase.ORDER, 0, _CH),
    Milestone.ORDER_CONFIRMED: _spec(Phase.ORDER, 1, _CH),
    Milestone.ORDER_CANCELLED: _spec(Phase.ORDER, 99, _CH, _CU, terminal=True),
    Milestone.PICKED: _spec(Phase.WAREHOUSE, 2, _W, visible=False),
    Milestone.PACKED: _spec(Phase.WAREHOUSE, 3, _W, visible=False),
    Milestone.LABEL_CREATED: _spec(Phase.WAREHOUSE, 4, _W, _C, _CH),
    Milestone.CARRIER_ACCEPTED: _spec(Phase.CARRIER, 10, _C, _CH, _W),
    Milestone.IN_TRANSIT: _spec(Phase.CARRIER, 11, _C, _CH),
    Milestone.DELAYED: _spec(Phase.CARRIER, 11, _C, _CH, needs_reason=True),
    Milestone.OUT_FOR_DELIVERY: _spec(Phase.CARRIER, 12, _C, _CH),
    Milestone.DELIVERY_ATTEMPTED: _spec(Phase.CARRIER, 12, _C, _CH, needs_reason=True),
    Milestone.AVAILABLE_FOR_PICKUP: _spec(Phase.CARRIER, 12, _C, _CH),
    Milestone.EXCEPTION: _spec(Phase.CARRIER, 11, _C, _CH, needs_reason=True),
    Milestone.DELIVERED: _spec(Phase.CARRIER, 13, _C, _CH, terminal=True),
    Milestone.RETURNED_TO_SENDER: _spec(Phase.CARRIER, 13, _C, _CH, _W, terminal=True),
    Milestone.RETURN_REQUESTED: _spec(Phase.REVERSE, 20, _CU, _CH, _SY),
    Milestone.RETURN_APPROVED: _spec(Phase.REVERSE, 21, _CH, _SY),
    Milestone.RETURN_REJECTED: _spec(Phase.REVERSE, 21, _CH, _SY, terminal=True),
    Milestone.RETURN_PICKUP_SCHEDULED: _spec(Phase.REVERSE, 22, _C, _CH),
    Milestone.RETURN_IN_TRANSIT: _spec(Phase.REVERSE, 23, _C, _CH),
    # a shop running its returns in Shopify records receipt and refunds there
    Milestone.RETURN_RECEIVED: _spec(Phase.REVERSE, 24, _W, _C, _CH),
    Milestone.INSPECTION_PENDING: _spec(Phase.REVERSE, 25, _W, _SY, visible=False),
    Milestone.DISPOSITION_DECIDED: _spec(Phase.REVERSE, 26, _W, visible=False),
    Milestone.REFUND_RELEASED: _spec(Phase.REVERSE, 27, _CH, _SY, terminal=True),
    Milestone.REPLACEMENT_RELEASED: _spec(Phase.REVERSE, 27, _CH, _SY, terminal=True),
    # booked and kept by the freight carrier with the receiving site, or relayed by the B2B
    # channel (EDI, the buyer's portal); account managers record them as ops
    Milestone.DOCK_APPOINTMENT_REQUESTED: _spec(Phase.APPOINTMENT, 30, _C, _CH),
    Milestone.DOCK_APPOINTMENT_SCHEDULED: _spec(Phase.APPOINTMENT, 31, _C, _CH),
    Milestone.DOCK_APPOINTMENT_MOVED: _spec(Phase.APPOINTMENT, 31, _C, _CH),
    Milestone.DOCK_APPOINTMENT_MISSED: _spec(Phase.APPOINTMENT, 31, _C, _CH, visible=False),
    Milestone.DOCK_CHECKED_IN: _spec(Phase.APPOINTMENT, 32, _C, _CH),
    Milestone.UNLOADED: _spec(Phase.APPOINTMENT, 33, _C, _CH, terminal=True),
    # asked by the customer on the tracking page (domain/customer/delivery_change.py);
    # confirmed by the carrier, or by staff who arranged it with the carrier by hand
    Milestone.DELIVERY_CHANGE_REQUESTED: _spec(Phase.DELIVERY_CHANGE, 40, _CU),
    Milestone.DELIVERY_CHANGE_CONFIRMED: _spec(Phase.DELIVERY_CHANGE, 41, _C, _SY),
}

#: Phases whose news stands beside a journey and never moves its status (`noted`).
BESIDE_THE_JOURNEY = frozenset({Phase.APPOINTMENT, Phase.DELIVERY_CHANGE})

#: Off the happy path: they say something went wrong (or waits), and carry a reason.
TROUBLE = frozenset(
    {
        Milestone.DELAYED,
        Milestone.DELIVERY_ATTEMPTED,
        Milestone.EXCEPTION,
        Milestone.RETURNED_TO_SENDER,
    }
)


def may_assert(source: SourceKind, milestone: Milestone) -> bool:
    return source in milestone.spec.authority
