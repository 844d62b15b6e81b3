"""The delivery window customers see, and when it may change.

A fresh estimate is made whenever a parcel moves (and each day it does not), but customers see
it only when it leaves the window they were shown: a later estimate inside the old window
changes nothing they read. Each change is kept with its cause — the trouble seen since the
window was set (a carrier delay, the weather, an exception), a holiday the new window has to
step over, a parcel ahead of time, or else our re-estimation. Two things may narrow the window
without counting as a change: out for delivery (it is today), and our first estimate from the
lane's history replacing a mere fallback (the carrier's date, the promise).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from ordertrail.domain.milestones import Reason
from ordertrail.domain.promise.business_days import BusinessCalendar
from ordertrail.domain.promise.eta import Basis, Estimate, Pause


class Cause(StrEnum):
    CARRIER_DELAY = "carrier_delay"
    WEATHER = "weather"
    EXCEPTION = "exception"
    HOLIDAY = "holiday"
    EARLY = "early"
    RE_ESTIMATION = "re_estimation"


#: What a customer-visible window may rest on and still give way to our own estimate silently.
_FALLBACKS = frozenset({Basis.CARRIER_ESTIMATE, Basis.PROMISE, Basis.NONE})


@dataclass(frozen=True, slots=True)
class Shown:
    """The window a parcel's customer sees, and what the next change would be blamed on."""

    earliest: date | None = None
    latest: date | None = None
    confidence: float | None = None
    basis: Basis = Basis.NONE
    changed: int = 0
    paused: Pause | None = None
    reason: Reason | None = None  # the trouble behind the pause
    trouble: Cause | None = None  # seen since the window was last set
    #: the parcel's first carrier scan in its destination region
    reached_destination_at: datetime | None = None
    set_at: datetime | None = None
    #: our latest estimate, whether customers see it or not (staff do), and when it was made
    model: Estimate | None = None
    estimated_at: datetime | None = None

    @property
    def has_window(self) -> bool:
        return self.earliest is not None and self.latest is not None


@dataclass(frozen=True, slots=True)
class WindowChange:
    at: datetime
    was_earliest: date
    was_latest: date
    earliest: date
    latest: date
    cause: Cause
    basis: Basis


def settle(
    shown: Shown, fresh: Estimate, calendar: BusinessCalendar, now: datetime
) -> tuple[Shown, WindowChange | None]:
    """The window to show after `fresh`, and the change customers see, if any."""
    shown = replace(shown, model=fresh, estimated_at=now)
    if fresh.paused is not None:
        trouble = _trouble(fresh.reason, paused=True)
        return replace(shown, paused=fresh.paused, reason=fresh.reason, trouble=trouble), None
    moving = replace(shown, paused=None, reason=None)
    if fresh.reason is not None:  # a delay the carrier reported
        moving = replace(moving, trouble=_trouble(fresh.reason, paused=False))
    if fresh.basis is Basis.DELIVERED:
        return replace(moving, basis=Basis.DELIVERED), None
    if not fresh.has_window:
        return moving, None
    assert fresh.earliest is not None and fresh.latest is not None
    taken = replace(
        moving,
        earliest=fresh.earliest,
        latest=fresh.latest,
        confidence=fresh.confidence,
        basis=fresh.basis,
        set_at=now,
    )
    if not shown.has_window:
        return replace(taken, trouble=None), None
    assert shown.earliest is not None and shown.latest is not None
    inside = shown.earliest <= fresh.earliest and fresh.latest <= shown.latest
    if inside:
        firmer = fresh.basis is Basis.OUT_FOR_DELIVERY or (
            shown.basis in _FALLBACKS and fresh.basis not in _FALLBACKS
        )
        return (taken if firmer else moving), None
    cause = _cause(moving, fresh, shown.earliest, shown.latest, calendar)
    change = WindowChange(
        now, shown.earliest, shown.latest, fresh.earliest, fresh.latest, cause, fresh.basis
    )
    return replace(taken, changed=shown.changed + 1, trouble=None), change


def _trouble(reason: Reason | None, *, paused: bool) -> Cause:
    if reason is Reason.WEATHER:
        return Cause.WEATHER
    return Cause.EXCEPTION if paused else Cause.CARRIER_DELAY


def _cause(
    moving: Shown, fresh: Estimate, was_earliest: date, was_latest: date, calendar: BusinessCalendar
) -> Cause:
    assert fresh.earliest is not None and fresh.latest is not None
    if moving.trouble is not None:
        return moving.trouble
    if fresh.latest <= was_latest and fresh.earliest < was_earliest:
        return Cause.EARLY
    if calendar.days_off_between(was_earliest, fresh.latest):
        return Cause.HOLIDAY
    return Cause.RE_ESTIMATION
