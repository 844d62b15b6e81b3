"""Cases as staff see them: each parcel by the tracking number carriers know it by (a
carton's own id, an SSCC, means little on the phone), and a stall's quiet counted to the
moment it is shown (not frozen at the moment its case opened), and when each breaks a promise
if nobody acts: the order's promised day or the case's own deadline, whichever ends first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ordertrail.app.casework.staff_words import quiet_for
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.ports import UnitOfWork, UnitOfWorkFactory
from ordertrail.domain.casework.cases import Case, CaseStatus
from ordertrail.domain.casework.exceptions import MOVING, ExceptionKind
from ordertrail.domain.casework.worklist import Breaks, breaks_first


@dataclass(frozen=True, slots=True)
class CasesShown:
    cases: list[Case] = field(default_factory=list)
    #: parcel id → its tracking number, for the parcels that have one
    tracking: dict[str, str] = field(default_factory=dict)
    #: case id → how long its parcel has been quiet, as of now (stalls only: the rest say
    #: what they are about in their detail, which redaction may have to hide)
    quiet: dict[int, str] = field(default_factory=dict)
    #: case id → when it breaks a promise first, and which promise
    breaks: dict[int, tuple[datetime, Breaks]] = field(default_factory=dict)


def cases_shown(uows: UnitOfWorkFactory, query: CaseQuery, now: datetime) -> CasesShown:
    with uows(read_only=True) as uow:
        return _shown(uow, uow.cases.find(query), now)


def show_cases(uows: UnitOfWorkFactory, cases: Sequence[Case], now: datetime) -> CasesShown:
    """The same for cases already found (the overview's stalled parcels)."""
    with uows(read_only=True) as uow:
        return _shown(uow, list(cases), now)


def _shown(uow: UnitOfWork, cases: list[Case], now: datetime) -> CasesShown:
    tracking = uow.orders.tracking_numbers({case.subject.id for case in cases})
    stalled = [c for c in cases if c.kind is ExceptionKind.STALLED and c.status is CaseStatus.OPEN]
    parcels = uow.cases.parcels([case.subject for case in stalled]) if stalled else {}
    quiet: dict[int, str] = {}
    for case in stalled:
        record = parcels.get(case.subject)
        state = record.facts.state if record else None
        if case.id is not None and state and state.status in MOVING and state.status_at:
            quiet[case.id] = quiet_for(state.status, state.status_at, now)
    promised = uow.cases.promise_ends({case.order_id for case in cases})
    breaks = {
        case.id: breaks_first(case.due_at, promised.get(case.order_id))
        for case in cases
        if case.id is not None
    }
    return CasesShown(cases, tracking, quiet, breaks)
