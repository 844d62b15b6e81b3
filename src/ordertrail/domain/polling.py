"""When to ask a carrier again about a parcel that cannot tell us itself (no webhooks).

A parcel on the move is asked about often, one that has gone quiet less and less, a
delivered one never again. A carrier that failed is left alone for longer each time, and one
that said "too many requests" is not asked before it allowed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ordertrail.domain.fold import SubjectState

#: how long a parcel's news may be old before it is asked about less often
_RHYTHM = (
    (timedelta(days=1), timedelta(hours=1)),
    (timedelta(days=3), timedelta(hours=3)),
    (timedelta(days=7), timedelta(hours=6)),
    (timedelta(days=30), timedelta(hours=12)),
)
#: a label nobody has picked up yet: ask now and then
_AWAITING_PICKUP = timedelta(hours=6)
_FIRST_RETRY, _LONGEST_RETRY = timedelta(minutes=5), timedelta(hours=6)
#: failures in a row after which a number is given up on (about four days of asking)
_GIVE_UP_AFTER = 20
#: how long a label may wait for the carrier before asking stops (missing-scan rules act)
_LABEL_PATIENCE = timedelta(days=30)


def next_poll(
    now: datetime,
    state: SubjectState,
    *,
    failures: int = 0,
    retry_after: timedelta | None = None,
    jitter: float = 0.0,
) -> datetime | None:
    """The next time to ask, or None to stop asking: delivered, silent for a month, a label
    the carrier never took in a month, or a number that failed twenty times in a row (the
    exception rules take it from there). `jitter` in [0, 1) spreads retries of many parcels."""
    if state.status is not None and state.status.spec.terminal:
        return None
    if failures >= _GIVE_UP_AFTER:
        return None
    if not state.shipped and state.first_event_at and now - state.first_event_at > _LABEL_PATIENCE:
        return None
    if failures > 0:
        doubled = _FIRST_RETRY * (1 << min(failures - 1, 16))
        wait = min(doubled, _LONGEST_RETRY) * (1 + jitter / 4)
    elif not state.shipped:
        wait = _AWAITING_PICKUP
    else:
        quiet = now - (state.last_event_at or now)
        found = next((every for within, every in _RHYTHM if quiet < within), None)
        if found is None:
            return None
        wait = found
    if retry_after is not None:
        wait = max(wait, retry_after)
    return now + wait
