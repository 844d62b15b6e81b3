"""A delivery window in the customer's words ("Thursday or Friday"), and why it changed or
why there is none: the same words on the tracking page and in messages. The window's days are
already the customer's own (estimated where the parcel is delivered)."""

from __future__ import annotations

from datetime import date, timedelta

#: Days further off than this are named with their date ("Monday 30 November").
_THIS_WEEK = 6

CAUSES = {
    "carrier_delay": "of a delay at the carrier",
    "weather": "of the weather",
    "exception": "of a problem on the way",
    "holiday": "of a public holiday on the way",
    "early": "it is moving faster than expected",
    "re_estimation": "it is taking longer than parcels on its route usually do",
}

PAUSES = {
    "failed_attempt": "the carrier could not deliver it",
    "exception": "the carrier reported a problem",
    "at_pickup_point": "it is waiting for you at the pickup point",
    "returning": "it is on its way back to us",
    "late": "it is taking longer than any parcel on its route",
}


def day_words(day: date, today: date, *, relative: bool = True) -> str:
    if relative and day == today:
        return "today"
    if relative and day == today + timedelta(days=1):
        return "tomorrow"
    name = f"{day:%A}"
    if not today <= day <= today + timedelta(days=_THIS_WEEK):
        name += f" {day.day} {day:%B}"
    return name


def window_words(earliest: date, latest: date, today: date, *, relative: bool = True) -> str:
    """'Thursday', 'Thursday or Friday', 'between Thursday and Monday 30 November'; with
    `relative`, 'today' and 'tomorrow' where they are (not for a window told in the past)."""
    first = day_words(earliest, today, relative=relative)
    last = day_words(latest, today, relative=relative)
    if earliest == latest:
        return first
    if (latest - earliest).days == 1 or _next_working(earliest) == latest:
        return f"{first} or {last}"
    return f"between {first} and {last}"


def _next_working(day: date) -> date:
    """Friday's next is Monday: a two-day window over a weekend still reads 'or'."""
    following = day + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    return following


def because(cause: str | None) -> str:
    """'because of a delay at the carrier' / 'because it is moving faster than expected'."""
    said = CAUSES.get(cause or "", CAUSES["re_estimation"])
    return f"because {said}"


def pause_words(paused: str | None) -> str | None:
    if paused is None:
        return None
    why = PAUSES.get(paused, PAUSES["exception"])
    return f"We will have a new delivery date once it moves again: {why}."
