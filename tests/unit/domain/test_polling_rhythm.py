"""How often a parcel is asked about: often while it moves, less as it goes quiet, never
once delivered; failing and rate-limited carriers are left alone for longer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ordertrail.domain.fold import fold
from ordertrail.domain.milestones import Milestone as M
from ordertrail.domain.polling import next_poll
from tests.factories import at, event

MOVING = fold([event(M.CARRIER_ACCEPTED, 0), event(M.IN_TRANSIT, 10)])


@pytest.mark.parametrize(
    ("quiet_hours", "every"),
    [
        (1, timedelta(hours=1)),
        (30, timedelta(hours=3)),
        (100, timedelta(hours=6)),
        (200, timedelta(hours=12)),
    ],
)
def test_the_quieter_a_parcel_the_rarer_the_question(quiet_hours: int, every: timedelta) -> None:
    now = at(10 + quiet_hours)
    assert next_poll(now, MOVING) == now + every


def test_a_month_of_silence_or_a_delivery_stops_the_questions() -> None:
    assert next_poll(at(10 + 24 * 31), MOVING) is None
    delivered = fold([event(M.CARRIER_ACCEPTED, 0), event(M.DELIVERED, 30)])
    assert next_poll(at(31), delivered) is None


def test_a_label_waiting_for_pickup_is_asked_about_now_and_then() -> None:
    labelled = fold([event(M.LABEL_CREATED, 0)])
    assert next_poll(at(1), labelled) == at(1) + timedelta(hours=6)


def test_failures_back_off_up_to_a_ceiling_and_rate_limits_are_honoured() -> None:
    now = at(11)
    waits = [next_poll(now, MOVING, failures=n) - now for n in (1, 2, 3, 10)]  # type: ignore[operator]
    assert waits == [
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(minutes=20),
        timedelta(hours=6),
    ]
    jittered = next_poll(now, MOVING, failures=1, jitter=0.99)
    assert jittered is not None and now + timedelta(minutes=5) < jittered < now + timedelta(
        minutes=7
    )
    limited = next_poll(now, MOVING, retry_after=timedelta(hours=2))
    assert limited == now + timedelta(hours=2)


def test_a_number_that_keeps_failing_or_a_label_never_taken_in_is_given_up_on() -> None:
    assert next_poll(at(11), MOVING, failures=20) is None
    labelled = fold([event(M.LABEL_CREATED, 0)])
    assert next_poll(at(24 * 31), labelled) is None
    assert next_poll(at(24 * 29), labelled) is not None
