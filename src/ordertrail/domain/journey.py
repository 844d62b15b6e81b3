"""A parcel's (or a return's) road at a glance: the few steps a customer thinks in, which of
them are behind it, which one it is at, and whether that one is in trouble.

Milestones are many and precise; a customer reads five steps. Trouble (a failed attempt, a
delay, a problem at the carrier) does not move the parcel back: it marks the step it is at.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ordertrail.domain.milestones import Milestone


class Stage(StrEnum):
    ORDERED = "ordered"
    PACKED = "packed"
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    RETURN_REQUESTED = "return_requested"
    RETURN_APPROVED = "return_approved"
    RETURN_ON_ITS_WAY = "return_on_its_way"
    RETURN_RECEIVED = "return_received"
    RETURN_SETTLED = "return_settled"  # refunded or replaced


class StepState(StrEnum):
    DONE = "done"
    CURRENT = "current"
    TROUBLE = "trouble"  # the step it is at, with something wrong there
    TODO = "todo"


@dataclass(frozen=True, slots=True)
class JourneyStep:
    stage: Stage
    state: StepState

    @property
    def current(self) -> bool:
        return self.state in (StepState.CURRENT, StepState.TROUBLE)


PARCEL_STAGES = (
    Stage.ORDERED,
    Stage.PACKED,
    Stage.SHIPPED,
    Stage.OUT_FOR_DELIVERY,
    Stage.DELIVERED,
)
RETURN_STAGES = (
    Stage.RETURN_REQUESTED,
    Stage.RETURN_APPROVED,
    Stage.RETURN_ON_ITS_WAY,
    Stage.RETURN_RECEIVED,
    Stage.RETURN_SETTLED,
)

_M = Milestone
#: the step each milestone puts a parcel at
_PARCEL_AT: dict[Milestone, Stage] = {
    _M.ORDER_PLACED: Stage.ORDERED,
    _M.ORDER_CONFIRMED: Stage.ORDERED,
    _M.PICKED: Stage.PACKED,
    _M.PACKED: Stage.PACKED,
    _M.LABEL_CREATED: Stage.PACKED,  # a label is not the carrier having it
    _M.CARRIER_ACCEPTED: Stage.SHIPPED,
    _M.IN_TRANSIT: Stage.SHIPPED,
    _M.DELAYED: Stage.SHIPPED,
    _M.EXCEPTION: Stage.SHIPPED,
    _M.RETURNED_TO_SENDER: Stage.SHIPPED,
    _M.OUT_FOR_DELIVERY: Stage.OUT_FOR_DELIVERY,
    _M.DELIVERY_ATTEMPTED: Stage.OUT_FOR_DELIVERY,
    _M.AVAILABLE_FOR_PICKUP: Stage.OUT_FOR_DELIVERY,
    _M.DELIVERED: Stage.DELIVERED,
}
_RETURN_AT: dict[Milestone, Stage] = {
    _M.RETURN_REQUESTED: Stage.RETURN_REQUESTED,
    _M.RETURN_REJECTED: Stage.RETURN_APPROVED,  # stopped where it would have been approved
    _M.RETURN_APPROVED: Stage.RETURN_APPROVED,
    _M.RETURN_PICKUP_SCHEDULED: Stage.RETURN_ON_ITS_WAY,
    _M.RETURN_IN_TRANSIT: Stage.RETURN_ON_ITS_WAY,
    _M.RETURN_RECEIVED: Stage.RETURN_RECEIVED,
    _M.INSPECTION_PENDING: Stage.RETURN_RECEIVED,
    _M.DISPOSITION_DECIDED: Stage.RETURN_RECEIVED,
    _M.REFUND_RELEASED: Stage.RETURN_SETTLED,
    _M.REPLACEMENT_RELEASED: Stage.RETURN_SETTLED,
}
#: statuses that hold a parcel (or return) up at its step
TROUBLE = frozenset(
    {
        _M.DELAYED,
        _M.EXCEPTION,
        _M.RETURNED_TO_SENDER,
        _M.DELIVERY_ATTEMPTED,
        _M.RETURN_REJECTED,
    }
)


def parcel_journey(status: Milestone | None) -> list[JourneyStep]:
    """The five steps of a parcel; one with no news yet is at `ordered`."""
    at = _PARCEL_AT.get(status, Stage.ORDERED) if status else Stage.ORDERED
    return _walk(PARCEL_STAGES, at, status)


def return_journey(status: Milestone | None) -> list[JourneyStep]:
    """The five steps of a return; one with no news yet is at `requested`."""
    at = _RETURN_AT.get(status, Stage.RETURN_REQUESTED) if status else Stage.RETURN_REQUESTED
    return _walk(RETURN_STAGES, at, status)


def _walk(stages: tuple[Stage, ...], at: Stage, status: Milestone | None) -> list[JourneyStep]:
    reached = stages.index(at)
    here = StepState.TROUBLE if status in TROUBLE else StepState.CURRENT
    if at is stages[-1]:
        here = StepState.CURRENT  # the last step reached is the end, and it is done
    return [
        JourneyStep(
            stage, StepState.DONE if n < reached else here if n == reached else StepState.TODO
        )
        for n, stage in enumerate(stages)
    ]
