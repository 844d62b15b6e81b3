"""Exception rules: when a shipment falls off the expected path, which kind of trouble it is,
who owns it, and by when someone must act.

Rules are pure: they read a parcel's derived state (and, for the time-based ones, the clock
and the rhythm learned for its lane) and return findings; `domain/casework/cases.py` turns
findings into cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from ordertrail.domain.fold import SubjectState
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.warehouse import HandOffPromise, MissingScan, missing_scan


class Team(StrEnum):
    OPERATIONS = "operations"
    SUPPORT = "support"
    WAREHOUSE = "warehouse"
    RETURNS = "returns"
    #: account managers: they own a B2B buyer's deliveries to its receiving sites
    ACCOUNTS = "accounts"


class ExceptionKind(StrEnum):
    """Separate kinds, never one bucket: each has its owner, its deadline and its next step."""

    STALLED = "stalled"
    FAILED_ATTEMPT = "failed_attempt"
    ADDRESS_ISSUE = "address_issue"
    DESTINATION_MISMATCH = "destination_mismatch"
    REFUSED = "refused"
    DAMAGED = "damaged"
    LOST = "lost"
    CUSTOMS_HOLD = "customs_hold"
    CARRIER_EXCEPTION = "carrier_exception"
    RETURNED_TO_SENDER = "returned_to_sender"
    MISSING_SCAN = "missing_scan"
    RETURN_IN_MOTION = "return_in_motion"
    RETURN_NOT_INSPECTED = "return_not_inspected"
    REFUND_HELD = "refund_held"
    REPORTED_MISSING = "delivered_reported_missing"
    STATUS_CONFLICT = "status_conflict"
    PROMISE_MISSED = "promise_missed"
    DOCK_APPOINTMENT_MISSED = "dock_appointment_missed"
    DELIVERY_CHANGE = "delivery_change"
    #: a customer wrote to support from the tracking page about a parcel with no open case
    CUSTOMER_MESSAGE = "customer_message"

    @property
    def team(self) -> Team:
        return _OWNER[self][0]

    @property
    def sla(self) -> timedelta:
        return _OWNER[self][1]


_H = timedelta(hours=1)
_OWNER: dict[ExceptionKind, tuple[Team, timedelta]] = {
    ExceptionKind.STALLED: (Team.OPERATIONS, 24 * _H),
    ExceptionKind.FAILED_ATTEMPT: (Team.SUPPORT, 8 * _H),
    ExceptionKind.ADDRESS_ISSUE: (Team.SUPPORT, 4 * _H),
    ExceptionKind.DESTINATION_MISMATCH: (Team.SUPPORT, 8 * _H),
    ExceptionKind.REFUSED: (Team.SUPPORT, 24 * _H),
    ExceptionKind.DAMAGED: (Team.SUPPORT, 8 * _H),
    ExceptionKind.LOST: (Team.SUPPORT, 8 * _H),
    ExceptionKind.CUSTOMS_HOLD: (Team.OPERATIONS, 24 * _H),
    ExceptionKind.CARRIER_EXCEPTION: (Team.OPERATIONS, 24 * _H),
    ExceptionKind.RETURNED_TO_SENDER: (Team.SUPPORT, 24 * _H),
    ExceptionKind.MISSING_SCAN: (Team.WAREHOUSE, 4 * _H),
    ExceptionKind.RETURN_IN_MOTION: (Team.RETURNS, 48 * _H),
    # the SLA each has already run out when it opens (domain/returns/alerts.py): act today
    ExceptionKind.RETURN_NOT_INSPECTED: (Team.RETURNS, 8 * _H),
    ExceptionKind.REFUND_HELD: (Team.RETURNS, 8 * _H),
    ExceptionKind.REPORTED_MISSING: (Team.SUPPORT, 24 * _H),
    ExceptionKind.STATUS_CONFLICT: (Team.OPERATIONS, 24 * _H),
    # support, who speak to the customer: the apology goes out after they heard
    ExceptionKind.PROMISE_MISSED: (Team.SUPPORT, 24 * _H),
    # the buyer's receiving site must give a new slot before the truck can come again
    ExceptionKind.DOCK_APPOINTMENT_MISSED: (Team.ACCOUNTS, 8 * _H),
    # a customer's choice the carrier's system would not take: operations arrange it with
    # the carrier by hand before the next delivery run
    ExceptionKind.DELIVERY_CHANGE: (Team.OPERATIONS, 2 * _H),
    ExceptionKind.CUSTOMER_MESSAGE: (Team.SUPPORT, 8 * _H),
}

#: Cases people open and close (a customer's report or message): no rule resolves them, and
#: they are the customer's own words, for staff who may read contact details.
CUSTOMERS_OWN = frozenset({ExceptionKind.REPORTED_MISSING, ExceptionKind.CUSTOMER_MESSAGE})

#: A trouble reason that is its own kind wherever the carrier reports it.
_BY_REASON = {
    Reason.ADDRESS_ISSUE: ExceptionKind.ADDRESS_ISSUE,
    Reason.REFUSED: ExceptionKind.REFUSED,
    Reason.DAMAGED: ExceptionKind.DAMAGED,
    Reason.LOST: ExceptionKind.LOST,
    Reason.CUSTOMS_HOLD: ExceptionKind.CUSTOMS_HOLD,
}

#: Statuses where a parcel is expected to move again on the carrier's own rhythm.
MOVING = frozenset(
    {
        Milestone.CARRIER_ACCEPTED,
        Milestone.IN_TRANSIT,
        Milestone.DELAYED,
        Milestone.OUT_FOR_DELIVERY,
    }
)


@dataclass(frozen=True, slots=True)
class Finding:
    """Trouble a rule sees now. `cause` names what it is about (the event that set it, or the
    state it stalled in), so the same trouble always makes the same finding."""

    kind: ExceptionKind
    cause: str
    since: datetime
    detail: str

    @property
    def key(self) -> tuple[ExceptionKind, str]:
        return self.kind, self.cause


@dataclass(frozen=True, slots=True)
class ParcelFacts:
    """What the rules read about one parcel."""

    state: SubjectState
    #: the order's destination country (ISO alpha-2) and postal code, when known
    destination_country: str | None = None
    destination_postal: str | None = None
    cancelled: bool = False
    #: the delivery day promised to the customer, and their zone (when known)
    promised_by: date | None = None
    time_zone: str | None = None


def event_findings(facts: ParcelFacts) -> list[Finding]:
    """Trouble the parcel's latest news shows, whatever the time."""
    state = facts.state
    if facts.cancelled or state.status is None or state.status_at is None:
        return []
    found = _trouble(state)
    mismatch = _destination_mismatch(facts)
    if mismatch:
        found.append(mismatch)
    conflict = state.last_conflict_at
    if conflict and (state.last_correction_at is None or state.last_correction_at < conflict):
        detail = "a source reported a milestone it has no authority over"
        found.append(Finding(ExceptionKind.STATUS_CONFLICT, "conflict", conflict, detail))
    return found


def _trouble(state: SubjectState) -> list[Finding]:
    status, reason, at = state.status, state.reason, state.status_at
    assert status is not None and at is not None
    cause = state.status_key or at.isoformat()
    said = f"{status.value}" + (f" ({reason.value})" if reason else "")
    if status is Milestone.RETURNED_TO_SENDER:
        return [Finding(ExceptionKind.RETURNED_TO_SENDER, cause, at, said)]
    if reason in _BY_REASON and status in (
        Milestone.DELIVERY_ATTEMPTED,
        Milestone.EXCEPTION,
        Milestone.DELAYED,
    ):
        return [Finding(_BY_REASON[reason], cause, at, said)]
    if status is Milestone.DELIVERY_ATTEMPTED:
        return [Finding(ExceptionKind.FAILED_ATTEMPT, cause, at, said)]
    if status is Milestone.EXCEPTION:
        return [Finding(ExceptionKind.CARRIER_EXCEPTION, cause, at, said)]
    return []


def _destination_mismatch(facts: ParcelFacts) -> Finding | None:
    """The carrier is delivering somewhere other than where the order goes."""
    state, place = facts.state, facts.state.status_location
    if place is None or state.status not in (
        Milestone.OUT_FOR_DELIVERY,
        Milestone.DELIVERED,
        Milestone.AVAILABLE_FOR_PICKUP,
    ):
        return None
    assert state.status_at is not None
    country, wanted = (place.country or "").upper(), (facts.destination_country or "").upper()
    if country and wanted and country != wanted:
        detail = f"{state.status.value} in {country}; the order goes to {wanted}"
    elif (
        _postal_area(place.postal_code)
        and _postal_area(facts.destination_postal)
        and (_postal_area(place.postal_code) != _postal_area(facts.destination_postal))
    ):
        detail = (
            f"{state.status.value} at postal code {place.postal_code}; the order goes to "
            f"{facts.destination_postal}"
        )
    else:
        return None
    cause = state.status_key or state.status_at.isoformat()
    return Finding(ExceptionKind.DESTINATION_MISMATCH, cause, state.status_at, detail)


def _postal_area(code: str | None) -> str:
    """The first three characters: a sorting area in most countries' schemes."""
    return (code or "").replace(" ", "").upper()[:3]


def time_findings(
    facts: ParcelFacts,
    now: datetime,
    rhythm: timedelta,
    promise: HandOffPromise = HandOffPromise(),
) -> list[Finding]:
    """Trouble that is the absence of news: stalled movement, a missing scan."""
    state = facts.state
    if facts.cancelled or state.status is None or state.status_at is None:
        return []
    missing = missing_scan(state.status, state.status_at, now, promise)
    if missing is not None:
        detail = (
            "packed but not handed to the carrier"
            if missing is MissingScan.NOT_HANDED_OFF
            else "labelled, but the carrier never scanned it (tracking number not found)"
        )
        return [Finding(ExceptionKind.MISSING_SCAN, missing.value, state.status_at, detail)]
    if state.status in MOVING and now - state.status_at > rhythm:
        waited = (now - state.status_at) / _H
        detail = (
            f"no news since {state.status.value} {waited:.0f} h ago (usual: {rhythm / _H:.0f} h)"
        )
        cause = f"stalled:{state.status_key or state.status_at.isoformat()}"
        return [Finding(ExceptionKind.STALLED, cause, state.status_at, detail)]
    return []


#: How long any lane's parcel may sit in a moving status before the sweep looks at it (the
#: lane's learned rhythm then decides whether it has stalled).
EARLIEST_LOOK = timedelta(hours=12)

#: The rhythm a lane is judged by until enough of its history is known.
DEFAULT_RHYTHM = {
    Milestone.CARRIER_ACCEPTED: timedelta(hours=36),
    Milestone.IN_TRANSIT: timedelta(hours=48),
    Milestone.DELAYED: timedelta(hours=48),
    Milestone.OUT_FOR_DELIVERY: timedelta(hours=16),
}


def next_look(
    state: SubjectState,
    rhythm: timedelta = EARLIEST_LOOK,
    promise: HandOffPromise = HandOffPromise(),
) -> datetime | None:
    """When the time-based rules could first find something on this parcel (None: never)."""
    if state.status is None or state.status_at is None:
        return None
    wait = promise.wait_for(state.status)
    if wait is not None:
        return state.status_at + wait
    if state.status in MOVING:
        return state.status_at + rhythm
    return None


EVENT_KINDS = frozenset(ExceptionKind) - {
    ExceptionKind.STALLED,
    ExceptionKind.MISSING_SCAN,
    ExceptionKind.RETURN_IN_MOTION,
    ExceptionKind.RETURN_NOT_INSPECTED,
    ExceptionKind.REFUND_HELD,
    ExceptionKind.REPORTED_MISSING,
    ExceptionKind.PROMISE_MISSED,
    ExceptionKind.DOCK_APPOINTMENT_MISSED,  # said of the order: domain/b2b/dock.py finds it
    ExceptionKind.DELIVERY_CHANGE,  # opened when the carrier declines a customer's choice
}
#: Found by the sweep (the clock, not news): `time_findings` and `promise.promise_findings`.
TIME_KINDS = frozenset(
    {ExceptionKind.STALLED, ExceptionKind.MISSING_SCAN, ExceptionKind.PROMISE_MISSED}
)


def return_findings(state: SubjectState) -> list[Finding]:
    """A customer's return that has started moving: returns staff plan inspection and refund."""
    moving = (
        Milestone.RETURN_PICKUP_SCHEDULED,
        Milestone.RETURN_IN_TRANSIT,
    )
    if state.status in moving and state.status_at is not None:
        detail = f"return {state.status.value}"
        return [Finding(ExceptionKind.RETURN_IN_MOTION, "moving", state.status_at, detail)]
    return []


#: A carrier with this many parcels on the move and no news about any of them for this long
#: has most likely stopped telling us (a broken webhook, a failing poll), not stopped moving.
QUIET_CARRIER_PARCELS = 3
QUIET_CARRIER_AFTER = timedelta(hours=12)


def quiet_carriers(
    news: list[tuple[str, int, datetime | None]], now: datetime
) -> list[tuple[str, int, datetime | None]]:
    """Of (carrier, parcels on the move, when we last heard from a carrier about any of them),
    the carriers that have gone quiet: a feed to check before chasing each parcel."""
    return [
        (carrier, moving, heard)
        for carrier, moving, heard in news
        if moving >= QUIET_CARRIER_PARCELS and (heard is None or now - heard >= QUIET_CARRIER_AFTER)
    ]
