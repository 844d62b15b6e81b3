"""Delivery estimates on a simulated quarter: OrderTrail's window next to the carrier's own
date, on the same parcels with known true delivery days.

A quarter of history comes first (what the lanes are learned from), then the quarter that is
measured; the lanes are learned again every week from the 90 days before it, as the worker
does. Each measured parcel is estimated with the same code the write path runs
(app/promise/eta.py, domain/promise/eta.py, domain/promise/eta_window.py) after each of its
scans and each morning it has no news,
and its customer-visible window is kept as customers would see it.
"""

from __future__ import annotations

import random
import statistics
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ordertrail.app.promise.eta import journey_of, reached_destination, sample_of
from ordertrail.app.promise.eta_ports import EtaRules
from ordertrail.domain.fold import fold
from ordertrail.domain.promise.business_days import BusinessCalendar, local_day
from ordertrail.domain.promise.eta import DEFAULT_SHARE, carrier_date, estimate
from ordertrail.domain.promise.eta_window import Shown, settle
from ordertrail.domain.promise.transit_model import (
    Destination,
    Histogram,
    LaneKey,
    Leg,
    Sample,
    destination_of,
    learn,
)
from ordertrail.simulate.carriers.carrier_behaviour import table_rows
from ordertrail.simulate.carriers.eta_quarter import QuarterParcel, quarter
from ordertrail.sources.public_holidays import PublicHolidays

START = date(2026, 10, 1)  # a quarter with Columbus Day, Veterans Day, Thanksgiving, Christmas
LEARN_DAYS = 90
MORNING = 7  # o'clock, the customer's: when a day without news is looked at


@dataclass(slots=True)
class Tally:
    """One estimator's figures over the measured parcels."""

    parcels: int = 0
    hit_at_hand_off: int = 0
    days: int = 0
    hit_days: int = 0
    errors: list[float] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)
    changes: int = 0
    without_window: int = 0

    def window_at_hand_off(
        self, window: tuple[date, date] | None, truth: date, left: date, days: BusinessCalendar
    ) -> None:
        self.parcels += 1
        if window is None:
            self.without_window += 1
            return
        first, last = window
        self.hit_at_hand_off += first <= truth <= last
        middle = (days.count(left, first) + days.count(left, last)) / 2
        self.errors.append(abs(days.count(left, truth) - middle))
        self.widths.append(days.count(first, last) + 1)

    def window_on_a_later_day(self, window: tuple[date, date] | None, truth: date) -> None:
        self.days += 1
        self.hit_days += window is not None and window[0] <= truth <= window[1]

    def figures(self) -> dict[str, Any]:
        parcels = max(self.parcels, 1)
        return {
            "parcels": self.parcels,
            "hit_rate_at_hand_off": round(self.hit_at_hand_off / parcels, 3),
            "hit_rate_each_later_day": round(self.hit_days / max(self.days, 1), 3),
            "mae_midpoint_business_days": round(statistics.fmean(self.errors or [0]), 2),
            "median_window_business_days": statistics.median(self.widths or [0]),
            "changes_per_shipment": round(self.changes / parcels, 2),
            "no_window_at_hand_off": self.without_window,
        }


def run(
    *,
    seed: int = 7,
    days: int = 91,
    per_day: int = 60,
    share: float = DEFAULT_SHARE,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    rules = EtaRules(PublicHolidays(), share)
    rng = random.Random(seed)
    history = list(quarter(rng, rules, START - timedelta(days=LEARN_DAYS), LEARN_DAYS, per_day))
    measured = list(quarter(rng, rules, START, days, per_day))
    samples = _samples(history + measured, rules)
    ours, carrier = Tally(), Tally()
    learned: dict[tuple[LaneKey, Leg], Histogram] = {}
    week_of: date | None = None
    for n, parcel in enumerate(measured):
        week = parcel.handed_over.date() - timedelta(days=parcel.handed_over.weekday())
        if week != week_of:
            week_of, learned = week, _learned(samples, week)
        _measure(parcel, learned, rules, ours, carrier)
        if progress and n % 200 == 0:
            progress(n, len(measured))
    return {
        "seed": seed,
        "days": days,
        "share": share,
        "ordertrail": ours.figures(),
        "carrier_only": carrier.figures(),
        "carrier_behaviour": table_rows(),
        "wall_seconds": round(time.perf_counter() - started, 1),
    }


Timed = tuple[list[datetime], list[Sample]]


def _samples(parcels: Sequence[QuarterParcel], rules: EtaRules) -> Timed:
    """What each parcel teaches once delivered, by delivery time."""
    found = []
    for parcel in parcels:
        sample = sample_of(parcel.facts, parcel.events, parcel.site, rules)
        if sample is not None:
            found.append((parcel.events[-1].occurred_at, sample))
    found.sort(key=lambda pair: pair[0])
    return [at for at, _ in found], [sample for _, sample in found]


def _learned(samples: Timed, week: date) -> dict[tuple[LaneKey, Leg], Histogram]:
    times, taught = samples
    end = datetime.combine(week, datetime.min.time()).astimezone()
    begin = end - timedelta(days=LEARN_DAYS)
    return learn(taught[bisect_right(times, begin) : bisect_right(times, end)])


def _measure(
    parcel: QuarterParcel,
    learned: dict[tuple[LaneKey, Leg], Histogram],
    rules: EtaRules,
    ours: Tally,
    carrier: Tally,
) -> None:
    """Walk the parcel's scans and mornings; tally both estimators' windows."""
    events = parcel.events
    first = journey_of(parcel.facts, parcel.site, rules, events[0].occurred_at)
    zone, days = first.destination_zone, first.destination
    truth = parcel.delivered_on
    left = first.left_on or local_day(events[0].occurred_at, zone)
    shown = Shown()
    said_before: date | None = None
    moments = _moments(parcel, zone, days)
    for index, (at, seen, morning) in enumerate(moments):
        known = events[:seen]
        state = fold(known)
        reached = reached_destination(known, _destination(parcel))
        journey = journey_of(parcel.facts, parcel.site, rules, at, reached, state)
        shown, change = settle(shown, estimate(journey, learned, at, rules.share), days, at)
        ours.changes += change is not None
        said = carrier_date(state.eta)
        if morning:  # what each estimator shows as the day begins (a window passed overnight
            # was looked at again, as the worker does)
            ours.window_on_a_later_day(_window(shown), truth)
            carrier.window_on_a_later_day((said, said) if said else None, truth)
        if said_before is not None and said != said_before:
            carrier.changes += 1
        said_before = said or said_before
        if index == 0:  # hand-off
            ours.window_at_hand_off(_window(shown), truth, left, days)
            carrier.window_at_hand_off((said, said) if said else None, truth, left, days)


def _moments(
    parcel: QuarterParcel, zone: Any, days: BusinessCalendar
) -> list[tuple[datetime, int, bool]]:
    """(when, events known by then, a morning without news?) from hand-off to delivery."""
    events = parcel.events
    moments = [(event.occurred_at, n + 1, False) for n, event in enumerate(events)]
    day = local_day(events[0].occurred_at, zone) + timedelta(days=1)
    while day <= parcel.delivered_on:
        if days.is_open(day):
            morning = datetime.combine(day, datetime.min.time(), zone) + timedelta(hours=MORNING)
            seen = sum(1 for event in events if event.occurred_at <= morning)
            moments.append((morning, seen, True))
        day += timedelta(days=1)
    moments.sort(key=lambda moment: (moment[0], moment[1]))
    return [m for m in moments if m[1] > 0]


def _destination(parcel: QuarterParcel) -> Destination:
    customer = parcel.facts.customer
    return destination_of(customer.country, customer.postal_code)


def _window(shown: Shown) -> tuple[date, date] | None:
    if shown.earliest is None or shown.latest is None:
        return None
    return shown.earliest, shown.latest
