"""The delivery date promised to the customer, and the rule that notices it was missed.

A promise is a day (`promised_by`); it is kept while the parcel arrives before that day ends
where the customer is. When their zone is unknown, the day is taken to end where it ends last
on Earth (UTC-12): nobody hears their parcel is late while the promised day still lasts for
them. The sweep looks once, when the promise ends; a parcel not delivered by then opens a
`promise_missed` case, which resolves itself once the parcel is delivered.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ordertrail.domain.casework.exceptions import ExceptionKind, Finding, ParcelFacts

_LAST_ZONE = timezone(timedelta(hours=-12))


def promise_ends(promised_by: date | None, time_zone: str | None) -> datetime | None:
    """The moment the promised day is over for the customer (None: nothing was promised)."""
    if promised_by is None:
        return None
    next_day = datetime.combine(promised_by + timedelta(days=1), time(0))
    try:
        zone = ZoneInfo(time_zone) if time_zone else _LAST_ZONE
    except (ZoneInfoNotFoundError, ValueError):
        zone = _LAST_ZONE
    return next_day.replace(tzinfo=zone).astimezone(UTC)


def promise_findings(facts: ParcelFacts, now: datetime) -> list[Finding]:
    """A parcel not delivered by the end of the promised day; once per promise."""
    ends = promise_ends(facts.promised_by, facts.time_zone)
    state = facts.state
    if facts.cancelled or ends is None or facts.promised_by is None or now < ends:
        return []
    if state.status is not None and state.status.spec.terminal:
        # delivered (late or not, it is there), or on its way back: a case of its own says so
        return []
    last = state.status.value.replace("_", " ") if state.status else "no news from the carrier"
    promised = facts.promised_by.isoformat()
    detail = f"not delivered by {promised}, the day promised to the customer (last news: {last})"
    return [Finding(ExceptionKind.PROMISE_MISSED, f"promise:{promised}", ends, detail)]
