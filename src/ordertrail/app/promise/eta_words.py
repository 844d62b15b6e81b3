"""A delivery window in the customer's words ("Thursday or Friday"), and why it changed or
why there is none: the same words on the tracking page and in messages. The window's days are
already the customer's own (estimated where the parcel is delivered)."""

from __future__ import annotations

from datetime import date, timedelta

from ordertrail.languages import dates
from ordertrail.languages.speech import N_, _, pgettext

#: Days further off than this are named with their date ("Monday 30 November").
_THIS_WEEK = 6

CAUSES = {
    "carrier_delay": N_("because of a delay at the carrier"),
    "weather": N_("because of the weather"),
    "exception": N_("because of a problem on the way"),
    "holiday": N_("because of a public holiday on the way"),
    "early": N_("because it is moving faster than expected"),
    "re_estimation": N_("because it is taking longer than parcels on its route usually do"),
}

#: Why there is no date until the parcel moves again: each a whole sentence.
PAUSES = {
    "failed_attempt": N_(
        "We will have a new delivery date once it moves again: the carrier could not deliver it."
    ),
    "exception": N_(
        "We will have a new delivery date once it moves again: the carrier reported a problem."
    ),
    "at_pickup_point": N_(
        "We will have a new delivery date once it moves again: it is waiting for you at the "
        "pickup point."
    ),
    "returning": N_(
        "We will have a new delivery date once it moves again: it is on its way back to us."
    ),
    "late": N_(
        "We will have a new delivery date once it moves again: it is taking longer than any "
        "parcel on its route."
    ),
}


def day_words(day: date, today: date, *, relative: bool = True) -> str:
    """'today', 'tomorrow', 'Thursday' this week, 'Monday 30 November' further off: in the
    language spoken now (Babel names the days and months)."""
    if relative and day == today:
        return pgettext("delivery day", "today")
    if relative and day == today + timedelta(days=1):
        return pgettext("delivery day", "tomorrow")
    if today <= day <= today + timedelta(days=_THIS_WEEK):
        return dates.weekday(day)
    return dates.weekday_date(day)


def window_words(earliest: date, latest: date, today: date, *, relative: bool = True) -> str:
    """'Thursday', 'Thursday or Friday', 'between Thursday and Monday 30 November'; with
    `relative`, 'today' and 'tomorrow' where they are (not for a window told in the past)."""
    first = day_words(earliest, today, relative=relative)
    last = day_words(latest, today, relative=relative)
    if earliest == latest:
        return first
    if (latest - earliest).days == 1 or _next_working(earliest) == latest:
        return _("%(first)s or %(last)s") % {"first": first, "last": last}
    return _("between %(first)s and %(last)s") % {"first": first, "last": last}


def _next_working(day: date) -> date:
    """Friday's next is Monday: a two-day window over a weekend still reads 'or'."""
    following = day + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    return following


def because(cause: str | None) -> str:
    """'because of a delay at the carrier' / 'because it is moving faster than expected'."""
    return _(CAUSES.get(cause or "", CAUSES["re_estimation"]))


def pause_words(paused: str | None) -> str | None:
    if paused is None:
        return None
    return _(PAUSES.get(paused, PAUSES["exception"]))
