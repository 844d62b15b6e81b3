"""Our own delivery estimate for a parcel: a window of business days with a confidence.

The window is the shortest run of days that holds `share` of the lane's history (see
transit_model), counted from the day the parcel left, and only over the parcels of that
history that were still on their way this late: as days pass, the days already gone drop out.
A first scan in the destination region counts from there instead (it narrows the window); out
for delivery makes it today. A parcel held up by trouble (an exception, a failed attempt,
waiting at a pickup point, on its way back) gets no fresh estimate until it moves again, and
says why. Without a learned lane the carrier's own date is used, then the promised window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from enum import StrEnum

from ordertrail.domain.fold import SubjectState
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.promise.business_days import BusinessCalendar, local_day, ship_day
from ordertrail.domain.promise.transit_model import Histogram, LaneKey, Leg, pick

#: The share of a lane's history the window holds.
DEFAULT_SHARE = 0.9


class Basis(StrEnum):
    """What an estimate rests on, best first (the fallback order)."""

    DELIVERED = "delivered"
    OUT_FOR_DELIVERY = "out_for_delivery"
    POSTAL = "postal"  # the lane to this postal prefix
    LANE = "lane"  # the carrier's service from this site to this region
    CARRIER = "carrier"  # the carrier's every service on that lane
    REGION = "region"  # every carrier from this site to this region
    CARRIER_ESTIMATE = "carrier_estimate"  # the carrier's own date
    PROMISE = "promise"  # the window the shop promised
    NONE = "none"


class Pause(StrEnum):
    """Why a parcel has no fresh estimate until it moves again."""

    EXCEPTION = "exception"
    FAILED_ATTEMPT = "failed_attempt"
    AT_PICKUP_POINT = "at_pickup_point"
    RETURNING = "returning"
    LATE = "late"  # later than every parcel of its lane: it needs news to be estimated again


_PAUSES = {
    Milestone.EXCEPTION: Pause.EXCEPTION,
    Milestone.DELIVERY_ATTEMPTED: Pause.FAILED_ATTEMPT,
    Milestone.AVAILABLE_FOR_PICKUP: Pause.AT_PICKUP_POINT,
    Milestone.RETURNED_TO_SENDER: Pause.RETURNING,
}


@dataclass(frozen=True, slots=True)
class Estimate:
    earliest: date | None
    latest: date | None
    confidence: float | None
    basis: Basis
    paused: Pause | None = None
    reason: Reason | None = None  # the trouble behind a pause or a delay

    @property
    def has_window(self) -> bool:
        return self.earliest is not None and self.latest is not None


@dataclass(frozen=True, slots=True)
class Journey:
    """What the estimate reads about one parcel."""

    state: SubjectState
    keys: Sequence[LaneKey]
    destination: BusinessCalendar
    destination_zone: tzinfo
    origin: BusinessCalendar = field(default_factory=BusinessCalendar)
    origin_zone: tzinfo | None = None  # the site's; the destination's when unknown
    cutoff: time | None = None
    #: the first carrier scan in the destination region, if any
    reached_destination_at: datetime | None = None
    promised_from: date | None = None
    promised_by: date | None = None

    @property
    def left_on(self) -> date | None:
        handed = self.state.possession_at
        if handed is None:
            return None
        zone = self.origin_zone or self.destination_zone
        return ship_day(handed, zone, self.cutoff, self.origin)

    @property
    def carrier_estimate(self) -> date | None:
        return carrier_date(self.state.eta)


def carrier_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


Learned = Mapping[tuple[LaneKey, Leg], Histogram]


def estimate(
    journey: Journey, learned: Learned, now: datetime, share: float = DEFAULT_SHARE
) -> Estimate:
    state, calendar = journey.state, journey.destination
    today = local_day(now, journey.destination_zone)
    status = state.status
    if status is Milestone.DELIVERED and state.delivered_at is not None:
        day = local_day(state.delivered_at, journey.destination_zone)
        return Estimate(day, day, 1.0, Basis.DELIVERED)
    if status in _PAUSES:
        return Estimate(None, None, None, Basis.NONE, _PAUSES[status], state.reason)
    if status is Milestone.OUT_FOR_DELIVERY and state.status_at is not None:
        out_on = local_day(state.status_at, journey.destination_zone)
        # not delivered the day it went out: the next round, on a business day
        day = out_on if out_on >= today else calendar.open_from(today)
        return Estimate(day, day, None, Basis.OUT_FOR_DELIVERY)
    delayed = status is Milestone.DELAYED
    reason = state.reason if delayed else None
    # after a delay, not before the next business day
    soonest = today
    if delayed and state.status_at is not None:
        held_on = local_day(state.status_at, journey.destination_zone)
        soonest = max(today, calendar.next_open(held_on))
    found = _from_history(journey, learned, soonest, share)
    if found is None:
        return _fallback(journey, soonest, reason)
    said = journey.carrier_estimate
    if delayed and said is not None and said > found[1]:
        # the carrier holding it knows its own backlog: never sooner than its new date
        return Estimate(said, said, None, Basis.CARRIER_ESTIMATE, reason=reason)
    if found is _LATE:  # the carrier may know better than our history
        if said is not None and said >= soonest:
            return Estimate(said, said, None, Basis.CARRIER_ESTIMATE, reason=reason)
        return Estimate(None, None, None, Basis.NONE, Pause.LATE, reason)
    return Estimate(*found, reason=reason)


#: what `_from_history` says of a parcel later than every parcel of its lane
_LATE = (date.min, date.min, None, Basis.NONE)


def _from_history(
    journey: Journey, learned: Learned, soonest: date, share: float
) -> tuple[date, date, float | None, Basis] | None:
    left = journey.left_on
    if left is None:
        return None
    calendar = journey.destination
    legs: list[tuple[Leg, date]] = []
    if journey.reached_destination_at is not None:
        arrived = local_day(journey.reached_destination_at, journey.destination_zone)
        legs.append((Leg.FROM_DESTINATION, arrived))
    legs.append((Leg.TRANSIT, left))
    for leg, start in legs:
        chosen = pick(journey.keys, leg, learned)
        if chosen is None:
            continue
        key, history = chosen
        gone = calendar.count(start, soonest)
        window = history.at_least(gone).window(share)
        if window is None:
            return _LATE
        return (
            calendar.add(start, window.first),
            calendar.add(start, window.last),
            round(window.share, 2),
            Basis(key.level.value),
        )
    return None


def _fallback(journey: Journey, soonest: date, reason: Reason | None) -> Estimate:
    said = journey.carrier_estimate
    if said is not None and said >= soonest:
        return Estimate(said, said, None, Basis.CARRIER_ESTIMATE, reason=reason)
    promised_by = journey.promised_by
    if promised_by is not None and promised_by >= soonest:
        first = max(journey.promised_from or promised_by, soonest)
        return Estimate(first, promised_by, None, Basis.PROMISE, reason=reason)
    return Estimate(None, None, None, Basis.NONE, reason=reason)
