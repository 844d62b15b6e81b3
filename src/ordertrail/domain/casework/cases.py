"""Exception cases: one per subject, kind and cause, kept in line with what the rules find.

`reconcile` turns findings into case changes: a case opens once per cause, updates itself
while its cause stands, and resolves itself when the cause is gone, keeping its history.
Running the rules again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from ordertrail.domain.casework.exceptions import (
    CUSTOMERS_OWN,
    TIME_KINDS,
    ExceptionKind,
    Finding,
    ParcelFacts,
    Team,
    time_findings,
)
from ordertrail.domain.fold import SubjectState
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import Subject, SubjectKind, TrackingEvent
from ordertrail.domain.promise.promised_date import promise_findings
from ordertrail.domain.warehouse import HandOffPromise


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
            if case.kind in CUSTOMERS_OWN:
                continue  # people open it, and people close it
            gone = "return moved on" if subject.kind is SubjectKind.RETURN else "shipment recovered"
            note = CaseNote(now, f"resolved: the {gone}")
            changes.resolved.append(
                replace(
                    case,
                    status=CaseStatus.RESOLVED,
                    resolved_at=now,
                    history=(*case.history, note),
                )
            )
    return changes


def standing(facts: ParcelFacts, now: datetime, cases: list[Case]) -> list[Finding]:
    """The time-based findings of open cases that still stand after new events: a stall or
    missing scan stands while the parcel is still in the state it was found in, a missed
    promise until the parcel is delivered."""
    someday = now + timedelta(days=3650)
    current = {
        f.key
        for f in time_findings(
            facts, someday, timedelta(0), HandOffPromise(timedelta(0), timedelta(0))
        )
        + promise_findings(facts, someday)
    }
    return [
        Finding(case.kind, case.cause, case.opened_at, case.detail)
        for case in cases
        if case.status is CaseStatus.OPEN and case.kind in TIME_KINDS and case.key in current
    ]


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


class CaseAction(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    NOTE = "note"
    RESOLVE = "resolve"


class CaseClosed(Exception):
    """Only a note may be added to a resolved case; the message says so."""


def work(case: Case, action: CaseAction, by: str, text: str, now: datetime) -> Case:
    """A person works a case: the change and who made it go into the case's history.

    A case resolved by hand stays resolved even while its cause stands: the rules never open a
    second case for one cause, so staff decide when trouble they know of is over.
    """
    text = text.strip()
    if case.status is CaseStatus.RESOLVED and action is not CaseAction.NOTE:
        raise CaseClosed(f"case {case.id} is resolved; only a note can be added")
    if action is CaseAction.ACKNOWLEDGE:
        return _noted(replace(case, acknowledged_by=by), f"acknowledged {text}".strip(), by, now)
    if action is CaseAction.ASSIGN:
        if not text or len(text) > 120:
            raise ValueError("say whom the case is assigned to (at most 120 characters)")
        return _noted(replace(case, assigned_to=text), f"assigned to {text}", by, now)
    if action is CaseAction.NOTE:
        if not text:
            raise ValueError("a note needs words")
        return _noted(case, f"note: {text}", by, now)
    if not text:
        # "resolved" alone tells the next person nothing, least of all on a lost parcel
        raise ValueError("resolution: say how the case was resolved")
    resolved = replace(case, status=CaseStatus.RESOLVED, resolved_at=now)
    return _noted(resolved, f"resolved: {text}", by, now)


def _noted(case: Case, what: str, by: str, now: datetime) -> Case:
    return replace(case, history=(*case.history, CaseNote(now, what, by)))
