"""The steps a customer reads: which are behind the parcel (or return), which it is at, and
whether that one is in trouble."""

from __future__ import annotations

import pytest

from ordertrail.domain.journey import Stage, StepState, parcel_journey, return_journey
from ordertrail.domain.milestones import Milestone

D, C, T, X = StepState.DONE, StepState.CURRENT, StepState.TODO, StepState.TROUBLE


@pytest.mark.parametrize(
    ("status", "states"),
    [
        (None, [C, T, T, T, T]),
        (Milestone.ORDER_CONFIRMED, [C, T, T, T, T]),
        (Milestone.PACKED, [D, C, T, T, T]),
        (Milestone.LABEL_CREATED, [D, C, T, T, T]),  # a label is not the carrier having it
        (Milestone.IN_TRANSIT, [D, D, C, T, T]),
        (Milestone.DELAYED, [D, D, X, T, T]),
        (Milestone.EXCEPTION, [D, D, X, T, T]),
        (Milestone.OUT_FOR_DELIVERY, [D, D, D, C, T]),
        (Milestone.DELIVERY_ATTEMPTED, [D, D, D, X, T]),
        (Milestone.AVAILABLE_FOR_PICKUP, [D, D, D, C, T]),
        (Milestone.DELIVERED, [D, D, D, D, C]),
    ],
)
def test_a_parcel_is_at_one_step_with_those_before_it_done(
    status: Milestone | None, states: list[StepState]
) -> None:
    steps = parcel_journey(status)
    assert [s.stage for s in steps] == [
        Stage.ORDERED,
        Stage.PACKED,
        Stage.SHIPPED,
        Stage.OUT_FOR_DELIVERY,
        Stage.DELIVERED,
    ]
    assert [s.state for s in steps] == states
    assert sum(s.current for s in steps) == 1  # exactly one step is aria-current


@pytest.mark.parametrize(
    ("status", "at", "state"),
    [
        (Milestone.RETURN_REQUESTED, Stage.RETURN_REQUESTED, C),
        (Milestone.RETURN_REJECTED, Stage.RETURN_APPROVED, X),
        (Milestone.RETURN_PICKUP_SCHEDULED, Stage.RETURN_ON_ITS_WAY, C),
        (Milestone.RETURN_IN_TRANSIT, Stage.RETURN_ON_ITS_WAY, C),
        (Milestone.INSPECTION_PENDING, Stage.RETURN_RECEIVED, C),
        (Milestone.REFUND_RELEASED, Stage.RETURN_SETTLED, C),
        (Milestone.REPLACEMENT_RELEASED, Stage.RETURN_SETTLED, C),
    ],
)
def test_a_return_has_its_own_five_steps(status: Milestone, at: Stage, state: StepState) -> None:
    steps = return_journey(status)
    assert len(steps) == 5
    [current] = [s for s in steps if s.current]
    assert (current.stage, current.state) == (at, state)
    before = steps[: steps.index(current)]
    assert all(s.state is D for s in before)
