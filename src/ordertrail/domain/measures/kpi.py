"""KPI maths: rates and percentiles from counts the database made, never from every event.

Durations arrive as histograms of tenths of an hour (bucket 15 = 1.5 h, with how many orders
or parcels took that long), so a year of orders is a few thousand rows, and the percentiles
are exact to the tenth of an hour.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Durations are counted in buckets of this many minutes (a tenth of an hour).
BUCKET_MINUTES = 6

Histogram = Sequence[tuple[int, int]]  # (bucket, how many), any order


@dataclass(frozen=True, slots=True)
class Rate:
    """`numerator` of `denominator` as a percentage; `excluded` counts what was left out and
    why (an order without a promise is not on time, nor late: it is counted here)."""

    numerator: int
    denominator: int
    excluded: Mapping[str, int] | None = None

    @property
    def value(self) -> float | None:
        return percent(self.numerator, self.denominator)


@dataclass(frozen=True, slots=True)
class Spread:
    """How long something took: the median and the 90th percentile in hours, over `count`."""

    count: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True, slots=True)
class PerOrder:
    """A total spread over orders: `total` / `orders` (messages, page views)."""

    total: int
    orders: int

    @property
    def value(self) -> float | None:
        return round(self.total / self.orders, 2) if self.orders else None


def percent(numerator: int, denominator: int) -> float | None:
    """numerator / denominator * 100, to two decimals; None when there is nothing to divide."""
    if denominator <= 0:
        return None
    return round(100 * numerator / denominator, 2)


def spread(histogram: Histogram) -> Spread:
    """Median and p90 of a bucketed duration, in hours."""
    ordered = sorted((bucket, count) for bucket, count in histogram if count > 0)
    count = sum(n for _, n in ordered)
    return Spread(count, _hours(percentile(ordered, 0.5)), _hours(percentile(ordered, 0.9)))


def _hours(bucket: float | None) -> float | None:
    return None if bucket is None else round(bucket * BUCKET_MINUTES / 60, 2)


def percentile(histogram: Histogram, fraction: float) -> float | None:
    """The `fraction` percentile of the values a histogram counts, interpolated between the
    two closest ranks (as spreadsheets' PERCENTILE.INC and numpy's default do)."""
    ordered = sorted((value, count) for value, count in histogram if count > 0)
    total = sum(count for _, count in ordered)
    if total == 0:
        return None
    position = (total - 1) * fraction
    below = math.floor(position)
    lower, upper = _at(ordered, below), _at(ordered, min(below + 1, total - 1))
    return lower + (upper - lower) * (position - below)


def _at(ordered: Histogram, index: int) -> int:
    """The value at 0-based `index` of the sorted values the histogram stands for."""
    seen = 0
    for value, count in ordered:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)


def merge(histograms: Iterable[Histogram]) -> list[tuple[int, int]]:
    """One histogram counting everything several count (a carrier's from its lanes')."""
    merged: dict[int, int] = {}
    for histogram in histograms:
        for bucket, count in histogram:
            merged[bucket] = merged.get(bucket, 0) + count
    return sorted(merged.items())


@dataclass(frozen=True, slots=True)
class OffsetSpan:
    """From `start` (UTC) until `end`, a place's clocks are `minutes` ahead of UTC."""

    start: datetime
    end: datetime
    minutes: int


def offset_spans(time_zone: str | None, start: datetime, end: datetime) -> list[OffsetSpan]:
    """The UTC offsets a zone keeps between two instants (two a year where clocks change),
    so a database without zone rules can read local clock times. An unknown zone is UTC."""
    try:
        zone = ZoneInfo(time_zone) if time_zone else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    if zone is None or end <= start:
        return [OffsetSpan(start, end, 0)]

    def offset(at: datetime) -> int:
        shift = at.astimezone(zone).utcoffset() or timedelta(0)
        return int(shift.total_seconds() // 60)

    spans: list[OffsetSpan] = []
    begun, current, moment = start, offset(start), start
    while moment < end:  # clocks change on the hour
        moment = min(moment + timedelta(hours=1), end)
        now = offset(moment)
        if now != current:
            spans.append(OffsetSpan(begun, moment, current))
            begun, current = moment, now
    spans.append(OffsetSpan(begun, end, current))
    return spans


def minute_of_day(cutoff: time) -> int:
    return cutoff.hour * 60 + cutoff.minute


def parse_cutoff(text: str) -> time:
    """A carrier cut-off as a site's clock says it, `HH:MM` (e.g. 16:30)."""
    try:
        parsed = time.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a time of day like 16:30") from None
    return parsed.replace(second=0, microsecond=0, tzinfo=None)
