"""Business days of a carrier at a place: weekends and that place's public holidays are not
counted, and a parcel handed over after the site's cut-off leaves on the next business day.

Pure: a calendar is a set of dates (which days are holidays is the caller's to find out, see
app/eta_ports.HolidayCalendar); nothing here knows where holidays come from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

SATURDAY, SUNDAY = 5, 6
#: More business days than any parcel travels: a loop that walks further has a calendar
#: without business days.
_FURTHEST = 3660


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Which days a carrier works at a place."""

    holidays: frozenset[date] = frozenset()
    weekend: frozenset[int] = frozenset({SATURDAY, SUNDAY})

    def is_open(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def open_from(self, day: date) -> date:
        """`day` if the carrier works then, else its next business day."""
        for offset in range(_FURTHEST):
            candidate = day + timedelta(days=offset)
            if self.is_open(candidate):
                return candidate
        raise ValueError("a calendar without business days")

    def next_open(self, day: date) -> date:
        """The first business day after `day`."""
        return self.open_from(day + timedelta(days=1))

    def add(self, day: date, days: int) -> date:
        """The `days`-th business day after `day` (0: `day` itself, or the next business day
        when the carrier does not work on it)."""
        found = self.open_from(day)
        for _ in range(days):
            found = self.next_open(found)
        return found

    def count(self, start: date, end: date) -> int:
        """Business days after `start` up to and including `end` (0 when `end` is not later):
        a parcel that leaves on `start` and arrives on `end` took this many."""
        counted, day = 0, start
        while day < end:
            day += timedelta(days=1)
            counted += self.is_open(day)
        return counted

    def days_off_between(self, start: date, end: date) -> list[date]:
        """Holidays (not weekends) after `start` up to and including `end`."""
        return sorted(day for day in self.holidays if start < day <= end)


def ship_day(
    handed_over: datetime, zone: tzinfo, cutoff: time | None, calendar: BusinessCalendar
) -> date:
    """The business day a parcel leaves on: the day the carrier took it, where it took it, or
    the next business day when that was after the site's cut-off or on a day off."""
    local = handed_over.astimezone(zone)
    day = local.date()
    if not calendar.is_open(day):
        return calendar.open_from(day)
    if cutoff is not None and local.time().replace(tzinfo=None) >= cutoff:
        return calendar.next_open(day)
    return day


def local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()
