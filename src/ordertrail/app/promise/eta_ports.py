"""What estimating delivery dates needs from outside: public holidays, and a store for lane
histories and the window each parcel's customer was shown."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from ordertrail.domain.fold import SubjectState
from ordertrail.domain.model import Customer, TrackingEvent
from ordertrail.domain.promise.business_days import BusinessCalendar
from ordertrail.domain.promise.eta import DEFAULT_SHARE
from ordertrail.domain.promise.eta_window import Shown, WindowChange
from ordertrail.domain.promise.transit_model import Histogram, LaneKey, Leg


class HolidayCalendar(Protocol):
    def days_off(self, country: str, region: str | None, years: Iterable[int]) -> frozenset[date]:
        """The public holidays of a country (and its state or province, when given) in those
        years; an unknown country has none."""
        ...


class NoHolidays:
    """Weekends only: what a system without a holiday calendar counts."""

    def days_off(self, country: str, region: str | None, years: Iterable[int]) -> frozenset[date]:
        return frozenset()


#: How long a process keeps the lanes it read before reading them again (another process, the
#: worker, learns them once a day): seconds of the process's own time, not of the business
#: clock, which a simulation moves an hour at a time.
LANES_KEPT = timedelta(minutes=5).total_seconds()


class EtaRules:
    """How estimates are made here: the share of a lane's history a window holds, and the
    holidays of each place (kept once looked up: they do not change while a process runs)."""

    def __init__(
        self,
        holidays: HolidayCalendar | None = None,
        share: float = DEFAULT_SHARE,
        ticks: Callable[[], float] = time.monotonic,
    ) -> None:
        self.holidays = holidays or NoHolidays()
        self.share = share
        self._known: dict[tuple[str, str | None, int], BusinessCalendar] = {}
        # lanes change once a day (when they are learned): kept a few minutes, not read from
        # the database for every scan; a lane absent from the store is kept as None
        self._lanes: dict[LaneKey, dict[Leg, Histogram] | None] = {}
        self._ticks = ticks
        self._lanes_read: float | None = None

    def histograms(
        self,
        keys: Iterable[LaneKey],
        read: Callable[[set[LaneKey]], dict[tuple[LaneKey, Leg], Histogram]],
    ) -> dict[tuple[LaneKey, Leg], Histogram]:
        """The lanes' histograms, read through `read` at most every `LANES_KEPT` seconds."""
        now = self._ticks()
        if self._lanes_read is None or not 0 <= now - self._lanes_read <= LANES_KEPT:
            self.forget_lanes()
            self._lanes_read = now
        wanted = set(keys)
        missing = {key for key in wanted if key not in self._lanes}
        if missing:
            for key in missing:
                self._lanes[key] = None
            for (key, leg), histogram in read(missing).items():
                self._lanes[key] = {**(self._lanes.get(key) or {}), leg: histogram}
        return {
            (key, leg): histogram
            for key in wanted
            for leg, histogram in (self._lanes.get(key) or {}).items()
        }

    def forget_lanes(self) -> None:
        """Lanes were learned again: read them afresh."""
        self._lanes = {}
        self._lanes_read = None

    def calendar(self, country: str, region: str | None, around: date) -> BusinessCalendar:
        """The business days at a place in the years around `around`."""
        key = (country.upper(), region.upper() if region else None, around.year)
        found = self._known.get(key)
        if found is None:
            years = range(around.year - 1, around.year + 2)
            found = BusinessCalendar(self.holidays.days_off(key[0], key[1], years))
            self._known[key] = found
        return found


@dataclass(frozen=True, slots=True)
class ParcelFacts:
    """What an estimate reads about a parcel and its order."""

    shipment_id: str
    order_id: str
    carrier: str
    service: str
    site: str
    customer: Customer
    state: SubjectState
    promised_from: date | None = None
    promised_by: date | None = None


@dataclass(frozen=True, slots=True)
class LaneStats:
    key: LaneKey
    leg: Leg
    histogram: Histogram
    learned_at: datetime


class Estimates(Protocol):
    def parcels(self, shipment_ids: Iterable[str]) -> dict[str, ParcelFacts]:
        """Each shipment's facts, for those that exist (cancelled ones are left out)."""
        ...

    def histograms(self, keys: Iterable[LaneKey]) -> dict[tuple[LaneKey, Leg], Histogram]:
        """The learned histograms of these lanes (every leg)."""
        ...

    def replace_lanes(self, learned: Mapping[tuple[LaneKey, Leg], Histogram], at: datetime) -> None:
        """Forget every lane learned before and keep these."""
        ...

    def lanes(self) -> list[LaneStats]:
        """Every learned lane, by key."""
        ...

    def last_learned(self) -> datetime | None: ...

    def shown(self, shipment_ids: Iterable[str]) -> dict[str, Shown]:
        """The window each shipment's customer was shown (absent: none yet)."""
        ...

    def save_shown(self, shown: Mapping[str, tuple[str, Shown]]) -> None:
        """Keep each shipment's window (keyed by shipment id, with its order id)."""
        ...

    def add_changes(self, changes: Sequence[tuple[str, str, WindowChange]]) -> None:
        """Record changes customers saw: (shipment id, order id, change)."""
        ...

    def changes(self, shipment_ids: Iterable[str]) -> dict[str, list[WindowChange]]:
        """Each shipment's recorded changes, oldest first."""
        ...

    def due(self, ended_before: date, limit: int) -> list[str]:
        """Shipments neither delivered nor paused whose shown window ended before that day:
        they need a new look even without news. Earliest window end first."""
        ...

    def delivered(
        self, since: datetime, limit: int
    ) -> list[tuple[ParcelFacts, list[TrackingEvent]]]:
        """Parcels delivered since `since`, with their events: what lanes are learned from."""
        ...
