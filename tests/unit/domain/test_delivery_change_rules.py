"""When a customer may choose how a parcel in trouble reaches them, and which choices stand."""

from __future__ import annotations

from datetime import date

import pytest

from ordertrail.domain.customer.delivery_change import (
    ChangeRefused,
    Choice,
    ParcelSituation,
    choose,
    days_offered,
    failed_attempts,
    offered,
    pending_choice,
)
from ordertrail.domain.fold import Effect, fold, timeline
from ordertrail.domain.milestones import Milestone as M
from ordertrail.domain.milestones import Reason
from ordertrail.domain.promise.business_days import BusinessCalendar
from tests.factories import event

FRIDAY = date(2026, 11, 27)
CALENDAR = BusinessCalendar(holidays=frozenset({date(2026, 12, 1)}))  # a Tuesday off
SECOND_MISS = ParcelSituation(M.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE, 2)


def test_a_first_missed_delivery_offers_nothing_the_second_does() -> None:
    first = ParcelSituation(M.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE, 1)
    assert not offered(first)
    assert offered(SECOND_MISS)


def test_an_address_problem_offers_a_choice_at_once_while_the_carrier_has_it() -> None:
    for status in (M.DELIVERY_ATTEMPTED, M.EXCEPTION, M.DELAYED):
        assert offered(ParcelSituation(status, Reason.ADDRESS_ISSUE, 0))
    assert not offered(ParcelSituation(M.RETURNED_TO_SENDER, Reason.ADDRESS_ISSUE, 2))
    assert not offered(ParcelSituation(M.DELIVERED, None, 2))
    assert not offered(ParcelSituation(M.IN_TRANSIT, None, 0))


def test_the_days_offered_are_the_next_business_days_never_today_nor_a_day_off() -> None:
    days = days_offered(FRIDAY, CALENDAR)
    assert days == [
        date(2026, 11, 30),  # Monday: the weekend is skipped
        date(2026, 12, 2),  # Tuesday 1 December is a holiday
        date(2026, 12, 3),
        date(2026, 12, 4),
        date(2026, 12, 7),
    ]


def test_a_pickup_point_or_the_depot_needs_no_day() -> None:
    change = choose(SECOND_MISS, "pickup_point", "", FRIDAY, CALENDAR)
    assert change.choice is Choice.PICKUP_POINT and change.day is None
    assert change.as_data() == {"choice": "pickup_point"}
    held = choose(SECOND_MISS, "hold_at_facility", "2026-11-30", FRIDAY, CALENDAR)
    assert held.day is None  # a day typed for another choice is not kept


def test_another_day_must_be_one_of_the_days_offered() -> None:
    change = choose(SECOND_MISS, "another_day", "2026-12-02", FRIDAY, CALENDAR)
    assert change.as_data() == {"choice": "another_day", "day": "2026-12-02"}
    for day, why in [
        ("", "day_needed"),
        ("2026-12-01", "day_not_offered"),  # the holiday
        ("2026-11-28", "day_not_offered"),  # a Saturday
        ("2026-11-27", "day_not_offered"),  # today
        ("2027-01-04", "day_not_offered"),  # too far
        ("next tuesday", "day_not_offered"),
    ]:
        with pytest.raises(ChangeRefused) as refused:
            choose(SECOND_MISS, "another_day", day, FRIDAY, CALENDAR)
        assert refused.value.why == why


def test_no_second_choice_while_one_is_pending_or_already_made_for_this_trouble() -> None:
    pending = ParcelSituation(M.DELIVERY_ATTEMPTED, Reason.ADDRESS_ISSUE, 2, pending="k1")
    with pytest.raises(ChangeRefused) as refused:
        choose(pending, "pickup_point", "", FRIDAY, CALENDAR)
    assert refused.value.why == "pending"
    chosen = ParcelSituation(M.DELIVERY_ATTEMPTED, Reason.ADDRESS_ISSUE, 2, already_chosen=True)
    assert not offered(chosen)
    with pytest.raises(ChangeRefused) as refused:
        choose(chosen, "pickup_point", "", FRIDAY, CALENDAR)
    assert refused.value.why == "chosen"


def test_unknown_choices_and_parcels_not_in_trouble_are_refused() -> None:
    with pytest.raises(ChangeRefused) as refused:
        choose(SECOND_MISS, "drone_drop", "", FRIDAY, CALENDAR)
    assert refused.value.why == "unknown_choice"
    moving = ParcelSituation(M.IN_TRANSIT, None, 0)
    with pytest.raises(ChangeRefused) as refused:
        choose(moving, "pickup_point", "", FRIDAY, CALENDAR)
    assert refused.value.why == "not_offered"


def test_a_choice_waits_until_the_carrier_confirms_or_staff_settle_it() -> None:
    assert pending_choice([], [], set()) is None
    assert pending_choice([("k1", 3)], [], set()) == "k1"
    assert pending_choice([("k1", 3)], [4], set()) is None  # confirmed after it
    assert pending_choice([("k1", 3)], [], {"k1"}) is None  # staff resolved its case
    # an older confirmation does not settle a newer choice
    assert pending_choice([("k1", 1), ("k2", 5)], [2], set()) == "k2"


def test_failed_attempts_are_counted_on_the_journey() -> None:
    journey = [M.CARRIER_ACCEPTED, M.OUT_FOR_DELIVERY, M.DELIVERY_ATTEMPTED, M.IN_TRANSIT]
    assert failed_attempts(journey) == 1
    assert failed_attempts([*journey, M.OUT_FOR_DELIVERY, M.DELIVERY_ATTEMPTED]) == 2


def test_a_choice_on_the_timeline_is_noted_and_never_moves_the_status() -> None:
    story = [
        event(M.CARRIER_ACCEPTED, 1),
        event(M.DELIVERY_ATTEMPTED, 5, reason=Reason.ADDRESS_ISSUE),
        event(M.DELIVERY_CHANGE_REQUESTED, 6, "customer", choice="pickup_point"),
        event(M.DELIVERY_CHANGE_CONFIRMED, 7, "carrier:ups"),
        event(M.DELIVERY_CHANGE_CONFIRMED, 8, "customer"),  # not theirs to say
    ]
    effects = [effect for _, effect in timeline(story)]
    assert effects[2:] == [Effect.NOTED, Effect.NOTED, Effect.CONFLICT]
    state = fold(story)
    assert state.status is M.DELIVERY_ATTEMPTED and state.reason is Reason.ADDRESS_ISSUE
    late = event(M.DELIVERY_CHANGE_REQUESTED, 10, "customer")
    delivered = fold([*story, event(M.DELIVERED, 9), late])
    assert delivered.status is M.DELIVERED
