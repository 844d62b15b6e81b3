"""Exception rules: when a shipment falls off the expected path, which kind of trouble it is,
who owns it, and by when someone must act.

Rules are pure: they read a parcel's derived state (and, for the time-based ones, the clock
and the rhythm learned for its lane) and return findings. `reconcile` turns findings into case
changes: a case opens once per cause, updates itself while its cause stands, and resolves
itself when the cause is gone, keeping its history. Running the rules again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from ordertrail.domain.fold import SubjectState
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Subject, TrackingEvent
from ordertrail.domain.warehouse import HandOffPromise, MissingScan, missing_scan


class Team(StrEnum):
    OPERATIONS = "operations"
    SUPPORT = "support"
    WAREHOUSE = "warehouse"
    RETURNS = "returns"


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
    REPORTED_MISSING = "delivered_reported_missing"
    STATUS_CONFLICT = "status_conflict"

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
    ExceptionKind.REPORTED_MISSING: (Team.SUPPORT, 24 * _H),
    ExceptionKind.STATUS_CONFLICT: (Team.OPERATIONS, 24 * _H),
}

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


def standing(facts: ParcelFacts, now: datetime, cases: list[Case]) -> list[Finding]:
    """The time-based findings of open cases that still stand after new events: a stall or
    missing scan stands while the parcel is still in the state it was found in."""
    current = {
        f.key
        for f in time_findings(
            facts,
            now + timedelta(days=3650),
            timedelta(0),
            HandOffPromise(timedelta(0), timedelta(0)),
        )
    }
    return [
        Finding(case.kind, case.cause, case.opened_at, case.detail)
        for case in cases
        if case.status is CaseStatus.OPEN and case.kind in TIME_KINDS and case.key in current
    ]


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


class CaseStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class CaseNote:
    at: datetime
    what: str
    by: str = "system"


@dataclass(frozen=True, slots=True)
class Case:
    """One exception, opened once for its cause. `history` is append-only."""

    subject: Subject
    order_id: str
    kind: ExceptionKind
    cause: str
    opened_at: datetime
    due_at: datetime
    detail: str
    status: CaseStatus = CaseStatus.OPEN
    resolved_at: datetime | None = None
    history: tuple[CaseNote, ...] = ()
    id: int | None = None
    assigned_to: str | None = None
    acknowledged_by: str | None = None

    @property
    def team(self) -> Team:
        return self.kind.team

    @property
    def key(self) -> tuple[ExceptionKind, str]:
        return self.kind, self.cause


@dataclass(frozen=True, slots=True)
class CaseChanges:
    opened: list[Case] = field(default_factory=list)
    updated: list[Case] = field(default_factory=list)
    resolved: list[Case] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.opened or self.updated or self.resolved)


def reconcile(
    subject: Subject,
    order_id: str,
    cases: list[Case],
    findings: list[Finding],
    now: datetime,
    *,
    kinds: frozenset[ExceptionKind] | None = None,
) -> CaseChanges:
    """Bring one subject's cases in line with what the rules find now.

    Only cases of `kinds` (the kinds the rules that ran can find) are resolved for lack of a
    finding: an event-driven run leaves a stall case to the sweep, and the other way round.
    A cause that had a case, open or resolved, never opens a second one.
    """
    changes = CaseChanges()
    known = {case.key: case for case in cases}
    wanted = {(f.kind, f.cause): f for f in findings}
    for key, finding in wanted.items():
        case = known.get(key)
        if case is None:
            opened = Case(
                subject=subject,
                order_id=order_id,
                kind=finding.kind,
                cause=finding.cause,
                opened_at=now,
                due_at=now + finding.kind.sla,
                detail=finding.detail,
                history=(CaseNote(now, f"opened: {finding.detail}"),),
            )
            changes.opened.append(opened)
        elif case.status is CaseStatus.OPEN and case.detail != finding.detail:
            note = CaseNote(now, f"updated: {finding.detail}")
            changes.updated.append(
                replace(case, detail=finding.detail, history=(*case.history, note))
            )
    for case in cases:
        in_scope = kinds is None or case.kind in kinds
        if case.status is CaseStatus.OPEN and case.key not in wanted and in_scope:
            if case.kind is ExceptionKind.REPORTED_MISSING:
                continue  # people open it, and people close it
            note = CaseNote(now, "resolved: the shipment recovered")
            changes.resolved.append(
                replace(
                    case,
                    status=CaseStatus.RESOLVED,
                    resolved_at=now,
                    history=(*case.history, note),
                )
            )
    return changes


EVENT_KINDS = frozenset(ExceptionKind) - {
    ExceptionKind.STALLED,
    ExceptionKind.MISSING_SCAN,
    ExceptionKind.RETURN_IN_MOTION,
    ExceptionKind.REPORTED_MISSING,
}
TIME_KINDS = frozenset({ExceptionKind.STALLED, ExceptionKind.MISSING_SCAN})


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


def reported_missing(
    subject: Subject,
    order_id: str,
    state: SubjectState,
    delivery: TrackingEvent | None,
    by: str,
    note: str,
    now: datetime,
) -> Case:
    """The case for a delivered parcel reported missing, with the proof of delivery."""
    assert state.status is Milestone.DELIVERED and state.delivered_at is not None
    proof = [f"delivered {state.delivered_at.isoformat()}"]
    if delivery is not None:
        place = delivery.location
        if place is not None:
            proof.append(", ".join(filter(None, (place.city, place.region, place.country))))
        for name in ("signed_by", "signatory", "received_by", "pod", "proof_of_delivery"):
            if delivery.data.get(name):
                proof.append(f"{name.replace('_', ' ')}: {delivery.data[name]}")
        if delivery.raw_description:
            proof.append(f"carrier said: {delivery.raw_description}")
    detail = f"reported missing by {by}: {note} (" + "; ".join(proof) + ")"
    kind = ExceptionKind.REPORTED_MISSING
    return Case(
        subject=subject,
        order_id=order_id,
        kind=kind,
        cause=f"reported:{state.status_key or state.delivered_at.isoformat()}",
        opened_at=now,
        due_at=now + kind.sla,
        detail=detail,
        history=(CaseNote(now, f"opened: {detail}", by),),
    )
