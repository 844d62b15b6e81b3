"""The rhythm of a lane: how long its parcels usually go between meaningful scans.

Learned from delivered parcels: for each milestone, the gaps between an applied event and the
next applied event, and a high percentile of them. A lane with too few parcels borrows the
rhythm of its carrier over all lanes; until then a configured default is used.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import timedelta
from itertools import pairwise
from typing import TypeVar

from ordertrail.domain.fold import Effect, timeline
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import TrackingEvent

Lane = TypeVar("Lane", bound=Hashable)

PERCENTILE = 0.9
MIN_SAMPLES = 20
#: Never judge a lane by less than this: scans an hour apart do not make a 1-hour promise.
FLOOR = timedelta(hours=6)


def gaps(events: Sequence[TrackingEvent]) -> list[tuple[Milestone, timedelta]]:
    """(milestone, time until the next meaningful event) along one parcel's timeline."""
    applied = [e for e, effect in timeline(events) if effect is Effect.APPLIED and e.milestone]
    return [
        (before.milestone, after.occurred_at - before.occurred_at)
        for before, after in pairwise(applied)
        if before.milestone is not None
    ]


def learn(
    histories: Iterable[tuple[Lane, Sequence[TrackingEvent]]],
    general: Callable[[Lane], Lane],
) -> dict[tuple[Lane, Milestone], tuple[timedelta, int]]:
    """The rhythm (percentile gap, samples) per lane and milestone, for lanes with enough
    samples, and for each lane's `general` form (its carrier over all lanes)."""
    samples: dict[tuple[Lane, Milestone], list[timedelta]] = defaultdict(list)
    for lane, events in histories:
        for milestone, gap in gaps(events):
            samples[(lane, milestone)].append(gap)
            if general(lane) != lane:
                samples[(general(lane), milestone)].append(gap)
    return {
        key: (max(FLOOR, _percentile(found, PERCENTILE)), len(found))
        for key, found in samples.items()
        if len(found) >= MIN_SAMPLES
    }


def _percentile(values: list[timedelta], share: float) -> timedelta:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]
