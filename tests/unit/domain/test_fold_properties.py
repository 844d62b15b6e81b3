"""Properties of the fold over random histories: arrival order and repeats never matter."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrail.domain.fold import can_resume, fold, ordered
from ordertrail.domain.milestones import MILESTONES, Milestone, Phase, Reason
from ordertrail.domain.model import TrackingEvent
from tests.factories import event

SHIPMENT_MILESTONES = [
    m for m, spec in MILESTONES.items() if spec.phase in (Phase.WAREHOUSE, Phase.CARRIER)
]
SOURCES = ["carrier:ups", "carrier:fedex", "warehouse:reno", "channel:shopify", "ops:maria"]


@st.composite
def tracking_events(draw: st.DrawFn) -> TrackingEvent:
    milestone = draw(st.none() | st.sampled_from(SHIPMENT_MILESTONES))
    needs_reason = milestone is not None and milestone.spec.needs_reason
    return event(
        milestone,
        # coarse hours make equal event times (and so tie-breaks) common
        draw(st.integers(min_value=0, max_value=40)) / 2,
        draw(st.sampled_from(SOURCES)),
        reason=draw(st.sampled_from(list(Reason))) if needs_reason else None,
        raw_code=draw(st.sampled_from([None, "I", "X9"])),
        received=draw(st.integers(min_value=0, max_value=100)),
        why="test",
    )


histories = st.lists(tracking_events(), min_size=0, max_size=25)


@settings(max_examples=300)
@given(histories, st.randoms(use_true_random=False))
def test_any_arrival_order_gives_the_same_state(
    events: list[TrackingEvent], random: st.SearchStrategy
) -> None:
    shuffled = list(events)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert fold(shuffled) == fold(events)


@settings(max_examples=300)
@given(histories, st.data())
def test_repeats_change_nothing(events: list[TrackingEvent], data: st.DataObject) -> None:
    if events:
        repeats = data.draw(st.lists(st.sampled_from(events), max_size=10))
        noisy = data.draw(st.permutations([*events, *repeats]))
    else:
        noisy = []
    assert fold(noisy) == fold(events)


@settings(max_examples=300)
@given(histories, st.integers(min_value=0, max_value=25))
def test_resuming_where_allowed_equals_a_full_fold(events: list[TrackingEvent], cut: int) -> None:
    """The store's shortcut: a saved state takes new events that sort after it."""
    unique = [e for e, repeated in ordered(events) if not repeated]
    before, after = unique[:cut], unique[cut:]
    saved = fold(before)
    assert can_resume(saved, after)
    assert fold(after, saved) == fold(unique)


@given(histories)
def test_terminal_states_hold_against_everything_but_ops(events: list[TrackingEvent]) -> None:
    delivered = event(Milestone.DELIVERED, 0.25)
    later = [e for e in events if e.source.kind != "ops" and e.occurred_at > delivered.occurred_at]
    assert fold([delivered, *later]).status is Milestone.DELIVERED
