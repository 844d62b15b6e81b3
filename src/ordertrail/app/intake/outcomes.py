"""What became of each event a batch brought, per kind of source: the figures behind
`ordertrail_events_in_total` (the use case reports them; the composition root counts them)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from enum import StrEnum

from ordertrail.app.intake.commands import EventReport
from ordertrail.domain.model import TrackingEvent


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # stored, and read as a milestone its source may assert
    UNMAPPED = "unmapped"  # stored, but no table or mapping reads its carrier code yet
    CONFLICT = "conflict"  # stored, but its source may not assert that milestone
    HELD = "held"  # kept until its parcel is registered
    DUPLICATE = "duplicate"  # the same report again: changed nothing
    REJECTED = "rejected"  # refused, with a reason, by position


Tally = dict[tuple[str, str], int]


def tally(
    stored: Iterable[TrackingEvent],
    duplicates: Iterable[TrackingEvent],
    refused: Iterable[EventReport],
    waiting: Sequence[EventReport],
    held: int,
) -> Tally:
    """(source kind, outcome) → events. `stored` are read through the mappings in force."""
    found: Counter[tuple[str, str]] = Counter()
    for event in stored:
        if event.milestone is None:
            outcome = Outcome.UNMAPPED
        elif event.conflict:
            outcome = Outcome.CONFLICT
        else:
            outcome = Outcome.ACCEPTED
        found[event.source.kind.value, outcome.value] += 1
    for event in duplicates:
        found[event.source.kind.value, Outcome.DUPLICATE.value] += 1
    for report in refused:
        found[report.source.kind.value, Outcome.REJECTED.value] += 1
    # The store says how many were new, not which: a batch waiting for parcels comes from
    # one hook, so one kind of source, and the split is exact there.
    for position, report in enumerate(waiting):
        outcome = Outcome.HELD if position < held else Outcome.DUPLICATE
        found[report.source.kind.value, outcome.value] += 1
    return dict(found)
