"""The fold: what a person reading a parcel's events would conclude."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from ordertrail.domain.fold import Effect, SubjectState, can_resume, fold, timeline
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import DomainError, Source, TrackingEvent
from tests.factories import event

M = Milestone


def happy_path() -> list[TrackingEvent]:
    return [
        event(M.PICKED, 0, "warehouse:louisville"),
        event(M.PACKED, 1, "warehouse:louisville"),
        event(M.LABEL_CREATED, 2),
        event(M.CARRIER_ACCEPTED, 8),
        event(M.IN_TRANSIT, 20),
        event(M.OUT_FOR_DELIVERY, 44),
        event(M.DELIVERED, 50),
    ]


def test_a_parcel_that_went_smoothly_is_delivered() -> None:
    state = fold(happy_path())
    assert state.status is M.DELIVERED
    assert state.delivered_at == happy_path()[-1].occurred_at
    assert state.possession_at == happy_path()[3].occurred_at
    assert state.events == 7


def test_a_label_alone_is_not_shipped() -> None:
    state = fold(happy_path()[:3])
    assert state.status is M.LABEL_CREATED
    assert not state.shipped


def test_events_are_ordered_by_event_time_with_offsets_honoured() -> None:
    # 09:26 at -07:00 is 16:26 UTC: after the 11:00 -04:00 (15:00 UTC) scan, though its
    # wall-clock time is earlier.
    accepted = event(M.CARRIER_ACCEPTED, 0)
    arrived = event(M.IN_TRANSIT, 0)
    in_utah = accepted.occurred_at.replace(hour=9, minute=26).replace(
        tzinfo=timezone(timedelta(hours=-7))
    )
    in_ohio = accepted.occurred_at.replace(hour=11, minute=0).replace(
        tzinfo=timezone(timedelta(hours=-4))
    )
    later = _moved(arrived, in_utah, M.OUT_FOR_DELIVERY)
    earlier = _moved(arrived, in_ohio, M.IN_TRANSIT)
    assert fold([later, earlier, accepted]).status is M.OUT_FOR_DELIVERY


def _moved(original: TrackingEvent, when: object, milestone: Milestone) -> TrackingEvent:
    return TrackingEvent(
        key=f"{milestone}-{when}",
        subject=original.subject,
        milestone=milestone,
        source=original.source,
        occurred_at=when,  # type: ignore[arg-type]
        received_at=original.received_at,
    )


def test_a_late_older_scan_never_moves_a_parcel_backwards() -> None:
    events = happy_path()
    late = event(M.IN_TRANSIT, 30, raw_code="I", received=60)
    assert fold([*events, late]).status is M.DELIVERED


def test_movement_reported_after_delivery_leaves_it_delivered() -> None:
    after = event(M.IN_TRANSIT, 55, raw_code="I")
    rows = timeline([*happy_path(), after])
    assert fold([*happy_path(), after]).status is M.DELIVERED
    assert rows[-1] == (after, Effect.SUPERSEDED)


def test_a_label_reprinted_after_pickup_does_not_unship_the_parcel() -> None:
    reprint = event(M.LABEL_CREATED, 12, raw_code="M")
    state = fold([*happy_path()[:4], reprint])
    assert state.status is M.CARRIER_ACCEPTED
    assert state.shipped


def test_an_ops_correction_can_move_a_parcel_back_and_says_who_and_why() -> None:
    correction = event(M.IN_TRANSIT, 60, "ops:maria", why="carrier confirmed misdelivery")
    state = fold([*happy_path(), correction])
    assert state.status is M.IN_TRANSIT
    assert state.delivered_at is None
    assert state.corrections == 1
    rows = timeline([*happy_path(), correction])
    assert rows[-1] == (correction, Effect.CORRECTION)
    assert str(rows[-1][0].source) == "ops:maria"
    # The carrier's next delivery scan closes it again.
    redelivered = event(M.DELIVERED, 70)
    assert fold([*happy_path(), correction, redelivered]).status is M.DELIVERED


def test_a_source_without_authority_is_kept_as_a_conflict_and_moves_nothing() -> None:
    claim = event(M.DELIVERED, 30, "warehouse:louisville")
    state = fold([*happy_path()[:5], claim])
    assert state.status is M.IN_TRANSIT
    assert state.conflicts == 1
    assert claim.conflict
    assert (claim, Effect.CONFLICT) in timeline([*happy_path()[:5], claim])


def test_carriers_may_not_claim_warehouse_steps() -> None:
    assert event(M.PICKED, 0, "carrier:ups").conflict
    assert not event(M.PICKED, 0, "warehouse:reno").conflict


def test_an_unmapped_code_is_kept_and_moves_nothing() -> None:
    unknown = event(None, 25, raw_code="SE-A7")
    state = fold([*happy_path()[:5], unknown])
    assert state.status is M.IN_TRANSIT
    assert state.unmapped == 1
    assert state.events == 6


def test_a_resent_event_counts_once() -> None:
    events = happy_path()
    twice = [*events, events[4], events[4]]
    assert fold(twice) == fold(events)
    effects = [effect for _, effect in timeline(twice)]
    assert effects.count(Effect.DUPLICATE) == 2


def test_trouble_shows_with_its_reason_and_clears_when_the_parcel_moves_again() -> None:
    attempt = event(M.DELIVERY_ATTEMPTED, 46, reason=Reason.BUSINESS_CLOSED)
    state = fold([*happy_path()[:6], attempt])
    assert (state.status, state.reason, state.in_trouble) == (
        M.DELIVERY_ATTEMPTED,
        Reason.BUSINESS_CLOSED,
        True,
    )
    back_at_depot = event(M.IN_TRANSIT, 47)
    recovered = fold([*happy_path()[:6], attempt, back_at_depot])
    assert (recovered.status, recovered.reason, recovered.in_trouble) == (M.IN_TRANSIT, None, False)


def test_resuming_from_a_saved_state_equals_folding_everything() -> None:
    events = happy_path()
    saved = fold(events[:4])
    assert can_resume(saved, events[4:])
    assert fold(events[4:], saved) == fold(events)
    assert not can_resume(fold(events[2:]), events[:2])


def test_an_empty_history_has_no_status() -> None:
    assert fold([]) == SubjectState()


def test_sources_must_name_who_they_are() -> None:
    with pytest.raises(DomainError, match="source"):
        Source.parse("carrier:")
    with pytest.raises(DomainError, match="must start with one of"):
        Source.parse("robot:x")
    assert str(Source.parse("customer")) == "customer"


def test_a_correction_back_to_the_warehouse_unships_the_parcel() -> None:
    back = event(M.LABEL_CREATED, 30, "ops:maria", why="the pickup scan was another parcel's")
    state = fold([*happy_path()[:5], back])
    assert (state.status, state.shipped) == (M.LABEL_CREATED, False)


def test_a_source_without_authority_cannot_move_the_promise() -> None:
    promised = event(M.IN_TRANSIT, 20, estimated_delivery="2026-11-22")
    meddling = event(M.DELIVERED, 21, "warehouse:reno", estimated_delivery="2026-12-25")
    assert fold([*happy_path()[:4], promised, meddling]).eta == "2026-11-22"


@pytest.mark.parametrize("year", [1, 1969, 2201, 9999])
def test_moments_outside_living_memory_are_refused(year: int) -> None:
    from datetime import datetime

    moment = datetime(year, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    with pytest.raises(DomainError, match="outside 1970"):
        _moved(event(M.IN_TRANSIT, 0), moment, M.IN_TRANSIT)
