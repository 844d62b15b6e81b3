"""Derive a subject's state from its events: a pure, order-insensitive fold.

The fold sorts events by event time (offsets honoured), never by arrival, and walks them with
`step`. Because the sort is a total order over distinct events and duplicates collapse on their
idempotency key, any arrival order of the same events gives the same state. `step` is exposed
so that a store can resume from a saved state when new events sort after everything it has
folded — the result is then identical to folding the whole history again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ordertrail.domain.milestones import (
    BESIDE_THE_JOURNEY,
    TROUBLE,
    Milestone,
    Reason,
    SourceKind,
)
from ordertrail.domain.model import Location, TrackingEvent

# A trouble milestone drops the progress floor back to carrier possession, so the carrier's
# next movement scan (back at the depot, on the van again) counts as news.
_POSSESSION_RANK = Milestone.CARRIER_ACCEPTED.spec.rank


class Effect(StrEnum):
    """What one event did to the derived status; shown on every timeline row."""

    APPLIED = "applied"  # moved the status
    CORRECTION = "correction"  # an ops correction: moved the status, recorded with who and why
    SUPERSEDED = "superseded"  # older progress than what is already known; kept, moves nothing
    CONFLICT = "conflict"  # the source may not assert this milestone
    UNMAPPED = "unmapped"  # a raw code no mapping knows yet
    # an ops record that asserts no milestone (an erasure), or news beside the journey (a dock
    # appointment): kept, moves nothing
    NOTED = "noted"
    DUPLICATE = "duplicate"  # same idempotency key as an event already counted


SortKey = tuple[datetime, int, str]


@dataclass(frozen=True, slots=True)
class SubjectState:
    """The derived state of one shipment, order (its own events) or return."""

    status: Milestone | None = None
    reason: Reason | None = None
    status_at: datetime | None = None
    progress_rank: int = -1
    events: int = 0
    unmapped: int = 0
    conflicts: int = 0
    corrections: int = 0
    first_event_at: datetime | None = None
    last_event_at: datetime | None = None
    possession_at: datetime | None = None
    delivered_at: datetime | None = None
    eta: str | None = None
    last_sort_key: SortKey | None = None
    #: the event that set the status, and where it happened: what exception cases point at
    status_key: str | None = None
    status_location: Location | None = None
    #: when a source last said something it may not (sources disagree), and when ops last
    #: corrected the status: a conflict stands until a correction follows it
    last_conflict_at: datetime | None = None
    last_correction_at: datetime | None = None

    @property
    def shipped(self) -> bool:
        """Has a carrier (not just a label printer) had the parcel?"""
        return self.possession_at is not None

    @property
    def in_trouble(self) -> bool:
        return self.status in TROUBLE


def step(state: SubjectState, event: TrackingEvent) -> tuple[SubjectState, Effect]:
    """Fold one more event, which must sort after every event already folded into `state`."""
    effect = _effect_of(state, event)
    milestone, at = event.milestone, event.occurred_at
    status: Milestone | None
    status_at: datetime | None
    status_key: str | None
    if milestone is not None and effect in (Effect.APPLIED, Effect.CORRECTION):
        status, reason, status_at = milestone, event.reason if milestone in TROUBLE else None, at
        status_key, status_location = event.key, event.location
        progress = _progress_after(state, milestone, effect)
        possession, delivered = state.possession_at, state.delivered_at
        if milestone.spec.carrier_possession:
            possession = possession or at
        elif effect is Effect.CORRECTION and milestone.spec.rank < _POSSESSION_RANK:
            possession = None  # ops says the carrier never had it after all
        if milestone is Milestone.DELIVERED:
            delivered = at
        elif effect is Effect.CORRECTION:
            delivered = None  # ops says it was not delivered after all
    else:
        status, reason, status_at = state.status, state.reason, state.status_at
        status_key, status_location = state.status_key, state.status_location
        progress, possession, delivered = (
            state.progress_rank,
            state.possession_at,
            state.delivered_at,
        )
    # One constructor call, not a chain of replace(): this runs for every event ingested.
    return SubjectState(
        status=status,
        reason=reason,
        status_at=status_at,
        progress_rank=progress,
        events=state.events + 1,
        unmapped=state.unmapped + (effect is Effect.UNMAPPED),
        conflicts=state.conflicts + (effect is Effect.CONFLICT),
        corrections=state.corrections + (effect is Effect.CORRECTION),
        first_event_at=state.first_event_at or at,
        last_event_at=at,
        possession_at=possession,
        delivered_at=delivered,
        # a source without authority over the event cannot move the promise either
        eta=(effect is not Effect.CONFLICT and _eta_from(event)) or state.eta,
        last_sort_key=event.sort_key,
        status_key=status_key,
        status_location=status_location,
        last_conflict_at=at if effect is Effect.CONFLICT else state.last_conflict_at,
        last_correction_at=at if effect is Effect.CORRECTION else state.last_correction_at,
    ), effect


def _effect_of(state: SubjectState, event: TrackingEvent) -> Effect:
    milestone = event.milestone
    if milestone is None:
        return Effect.NOTED if event.source.kind is SourceKind.OPS else Effect.UNMAPPED
    if event.conflict:
        return Effect.CONFLICT
    if milestone.spec.phase in BESIDE_THE_JOURNEY:
        # domain/b2b/dock.py and domain/customer/delivery_change.py read these; the status is
        # the journey's
        return Effect.NOTED
    if event.is_correction:
        return Effect.CORRECTION
    if state.status is not None and state.status.spec.terminal:
        return Effect.SUPERSEDED  # delivered stays delivered; only an ops correction reopens it
    if milestone not in TROUBLE and milestone.spec.rank < state.progress_rank:
        return Effect.SUPERSEDED
    return Effect.APPLIED


def _progress_after(state: SubjectState, milestone: Milestone, effect: Effect) -> int:
    if effect is Effect.CORRECTION:
        return milestone.spec.rank
    if milestone in TROUBLE:
        return min(state.progress_rank, _POSSESSION_RANK)
    return max(state.progress_rank, milestone.spec.rank)


def _eta_from(event: TrackingEvent) -> str | None:
    value = event.data.get("estimated_delivery")
    return value if isinstance(value, str) and value else None


def ordered(events: Iterable[TrackingEvent]) -> list[tuple[TrackingEvent, bool]]:
    """Events in fold order, each with whether it repeats a key seen before it.

    Among copies of one key the same copy counts whatever order they come in: the first to
    arrive, as in the store, then the earliest by event time, then by content.
    """
    events = list(events)
    chosen: dict[str, TrackingEvent] = {}
    for event in events:
        kept = chosen.get(event.key)
        if kept is None or _preference(event) < _preference(kept):
            chosen[event.key] = event
    counted: set[str] = set()
    marked = []
    for event in sorted(events, key=lambda e: (e.sort_key, e.received_at)):
        repeat = event.key in counted or event != chosen[event.key]
        marked.append((event, repeat))
        if not repeat:
            counted.add(event.key)
    return marked


def _preference(event: TrackingEvent) -> tuple[datetime, SortKey, str]:
    return (event.received_at, event.sort_key, repr(event))


def fold(events: Iterable[TrackingEvent], state: SubjectState | None = None) -> SubjectState:
    """The state after `events`, optionally resuming from `state` (see `step`)."""
    current = state or SubjectState()
    for event, duplicate in ordered(events):
        if not duplicate:
            current, _ = step(current, event)
    return current


def timeline(events: Iterable[TrackingEvent]) -> list[tuple[TrackingEvent, Effect]]:
    """Every event, oldest first, with what it did: the audit view of a fold."""
    current = SubjectState()
    rows = []
    for event, duplicate in ordered(events):
        if duplicate:
            rows.append((event, Effect.DUPLICATE))
            continue
        current, effect = step(current, event)
        rows.append((event, effect))
    return rows


def can_resume(state: SubjectState, events: Iterable[TrackingEvent]) -> bool:
    """True when every new event sorts after what `state` has folded, so `fold(new, state)`
    equals folding the whole history again."""
    last = state.last_sort_key
    return last is None or all(event.sort_key > last for event in events)
