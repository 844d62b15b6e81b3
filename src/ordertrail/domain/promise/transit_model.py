"""How long parcels take on each lane, in business days, learned from delivered parcels.

A lane is (carrier, service, origin site, destination). For each lane we keep a histogram of
business days from the day the parcel left (after the site's cut-off) to the day it was
delivered, and one from the day it was first scanned in its destination region to delivery.
A thin lane borrows from a wider one, narrowest first:

    postal  carrier, service, origin, destination country-region-postal prefix (deep history only)
    lane    carrier, service, origin, destination country-region
    carrier the carrier's every service, same origin and destination
    region  every carrier, same origin and destination

Pure: the caller counts the business days (see business_days) and stores the histograms.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ordertrail.domain.promise.zone_table import POSTAL_LETTER_PROVINCES, zip_prefix_states

ANY = "*"


class Level(StrEnum):
    POSTAL = "postal"
    LANE = "lane"
    CARRIER = "carrier"
    REGION = "region"


#: How many delivered parcels a lane needs before its own history is trusted.
MIN_SAMPLES = {Level.POSTAL: 60, Level.LANE: 20, Level.CARRIER: 20, Level.REGION: 20}


class Leg(StrEnum):
    """Which part of the journey a histogram measures."""

    TRANSIT = "transit"  # from the day it left to the day it was delivered
    FROM_DESTINATION = "from_destination"  # from its first scan in the destination region


@dataclass(frozen=True, slots=True, order=True)
class LaneKey:
    carrier: str
    service: str
    origin: str
    destination: str  # "US-KY" or "US-KY-402"; "US" when the region is unknown
    level: Level = Level.LANE


@dataclass(frozen=True, slots=True)
class Destination:
    country: str
    region: str | None = None
    postal_code: str | None = None

    def place(self, postal: bool) -> str:
        parts = [self.country.upper() or "?"]
        if self.region:
            parts.append(self.region.upper())
        if postal and self.postal_code and self.region:
            parts.append("".join(self.postal_code.split()).upper()[:3])
        return "-".join(parts)


def lane_keys(carrier: str, service: str, origin: str, to: Destination) -> list[LaneKey]:
    """The lanes a parcel belongs to, narrowest first."""
    region = to.place(postal=False)
    keys = []
    if to.postal_code and to.region:
        keys.append(LaneKey(carrier, service, origin, to.place(postal=True), Level.POSTAL))
    keys += [
        LaneKey(carrier, service, origin, region, Level.LANE),
        LaneKey(carrier, ANY, origin, region, Level.CARRIER),
        LaneKey(ANY, ANY, origin, region, Level.REGION),
    ]
    return keys


@dataclass(frozen=True, slots=True)
class Window:
    """Business days `first` to `last` (counted from some day) holding `share` of a history."""

    first: int
    last: int
    share: float


@dataclass(frozen=True, slots=True)
class Histogram:
    """How many parcels took each number of business days (index = days)."""

    counts: tuple[int, ...]

    @property
    def samples(self) -> int:
        return sum(self.counts)

    @classmethod
    def of(cls, days: Iterable[int]) -> Histogram:
        counts: list[int] = []
        for value in days:
            if value < 0:
                continue
            counts.extend([0] * (value + 1 - len(counts)))
            counts[value] += 1
        return cls(tuple(counts))

    def at_least(self, days: int) -> Histogram:
        """Only the parcels that took `days` or more: what is left once that many have passed
        without a delivery."""
        return Histogram(tuple(n if i >= days else 0 for i, n in enumerate(self.counts)))

    def percentile(self, share: float) -> int | None:
        total = self.samples
        if total == 0:
            return None
        wanted, running = math.ceil(share * total), 0
        for days, n in enumerate(self.counts):
            running += n
            if running >= wanted:
                return days
        return len(self.counts) - 1

    def window(self, share: float) -> Window | None:
        """The shortest run of days holding at least `share` of the parcels (the earliest such
        run on a tie); None for an empty history."""
        total = self.samples
        if total == 0:
            return None
        best: Window | None = None
        counts = self.counts
        for first in range(len(counts)):
            if counts[first] == 0:
                continue
            held = 0
            for last in range(first, len(counts)):
                held += counts[last]
                if held >= share * total:
                    candidate = Window(first, last, held / total)
                    if best is None or (last - first) < (best.last - best.first):
                        best = candidate
                    break
        return best


@dataclass(frozen=True, slots=True)
class Sample:
    """One delivered parcel, as the model learns from it."""

    keys: Sequence[LaneKey]
    transit: int
    from_destination: int | None = None


Learned = dict[tuple[LaneKey, Leg], Histogram]


def learn(samples: Iterable[Sample]) -> Learned:
    """A histogram per lane and leg, for every lane of every sample (thin ones included: the
    store keeps their sample size, and `pick` passes over the thin)."""
    days: dict[tuple[LaneKey, Leg], list[int]] = defaultdict(list)
    for sample in samples:
        for key in sample.keys:
            days[(key, Leg.TRANSIT)].append(sample.transit)
            if sample.from_destination is not None:
                days[(key, Leg.FROM_DESTINATION)].append(sample.from_destination)
    return {key: Histogram.of(found) for key, found in days.items()}


def pick(
    keys: Sequence[LaneKey], leg: Leg, learned: Mapping[tuple[LaneKey, Leg], Histogram]
) -> tuple[LaneKey, Histogram] | None:
    """The narrowest lane with enough history for this leg."""
    for key in keys:
        found = learned.get((key, leg))
        if found is not None and found.samples >= MIN_SAMPLES[key.level]:
            return key, found
    return None


def destination_of(country: str | None, postal_code: str | None) -> Destination:
    """Where a parcel goes, as lanes name it: the region is read from the postal code where
    the postal code says it (US ZIP prefixes, Canadian first letters)."""
    country = (country or "").strip().upper()
    postal = "".join((postal_code or "").split()).upper()
    region = None
    if country == "US" and postal[:3] in zip_prefix_states():
        region = zip_prefix_states()[postal[:3]]
    elif country == "CA" and postal[:1] in POSTAL_LETTER_PROVINCES:
        region = POSTAL_LETTER_PROVINCES[postal[:1]]
    return Destination(country, region, postal or None)
