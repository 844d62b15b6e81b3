"""The worker's look at returns waiting on the shop: goods back but not inspected within the
inspection SLA, a refund due but not released in time. Each becomes a case for the returns
team, and the case resolves itself at the first look after the return moved on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ordertrail.app.casework.cases import SweepResult
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.intake.derive import histories
from ordertrail.app.messages.notify import queue_case_news
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.domain.casework.cases import CaseChanges, CaseStatus, reconcile
from ordertrail.domain.casework.exceptions import ExceptionKind
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import Subject, SubjectKind
from ordertrail.domain.returns.alerts import return_alerts
from ordertrail.domain.returns.return_lines import fold_return

#: Where a return can wait on the shop: its goods are (partly) back, nothing released yet.
WAITING = (
    Milestone.RETURN_RECEIVED.value,
    Milestone.INSPECTION_PENDING.value,
    Milestone.DISPOSITION_DECIDED.value,
)
KINDS = frozenset({ExceptionKind.RETURN_NOT_INSPECTED, ExceptionKind.REFUND_HELD})


@dataclass(slots=True)
class ReturnsLooked:
    looked_at: int = 0
    opened: int = 0
    resolved: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def look_at_returns(uows: UnitOfWorkFactory, now: datetime, *, limit: int = 5000) -> ReturnsLooked:
    """Open, keep and resolve the two cases on every waiting return (oldest first, up to
    `limit`) and on every return one of them is open for (it may have moved on since)."""
    done = ReturnsLooked()
    with uows() as uow:
        policy = uow.return_policy
        orders = {
            Subject(SubjectKind.RETURN, listed.id): listed.order_id
            for listed in uow.returns.in_states(WAITING, limit=limit)
        }
        for kind in sorted(KINDS):
            for case in uow.cases.find(CaseQuery(CaseStatus.OPEN, kind=kind, limit=limit)):
                orders.setdefault(case.subject, case.order_id)
        if not orders:
            return done
        known = uow.cases.for_subjects(orders, open_only=False)
        changes = CaseChanges()
        for subject, events in histories(uow, orders).items():
            file = fold_return(subject.id, orders[subject], events)
            found = return_alerts(file, events, now, policy)
            one = reconcile(subject, file.order_id, known.get(subject, []), found, now, kinds=KINDS)
            changes.opened.extend(one.opened)
            changes.updated.extend(one.updated)
            changes.resolved.extend(one.resolved)
        done.looked_at = len(orders)
        done.opened = uow.cases.save(changes)
        done.resolved = len(changes.resolved)
        queue_case_news(uow, changes.opened, {}, now)  # a staff alert to the returns team
        uow.commit()
    for case in changes.opened:
        done.by_kind[case.kind.value] = done.by_kind.get(case.kind.value, 0) + 1
    return done


def with_returns(swept: SweepResult, looked: ReturnsLooked) -> SweepResult:
    """The parcels' sweep and the returns' look as one result (the worker's figures)."""
    swept.opened += looked.opened
    swept.resolved += looked.resolved
    for kind, count in looked.by_kind.items():
        swept.by_kind[kind] = swept.by_kind.get(kind, 0) + count
    return swept
