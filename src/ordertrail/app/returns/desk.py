"""The returns desk in the console: the queue in the four groups a returns clerk works
through, and one return with what may be done next (the inspection's age against the SLA, the
refund the policy would pay now, or why it waits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ordertrail.app.intake.derive import histories
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.returns.alerts import WAITING
from ordertrail.app.returns.ports import ReturnListing
from ordertrail.app.returns.views import ReturnView, view_of
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import DomainError, Money, Subject, SubjectKind
from ordertrail.domain.returns.alerts import (
    Inspection,
    inspection_wait,
    refund_due_since,
    times_of,
)
from ordertrail.domain.returns.return_lines import fold_return
from ordertrail.domain.returns.rules import refund_due

_M = Milestone
AWAITING_APPROVAL = (_M.RETURN_REQUESTED.value,)
IN_TRANSIT = (
    _M.RETURN_APPROVED.value,
    _M.RETURN_PICKUP_SCHEDULED.value,
    _M.RETURN_IN_TRANSIT.value,
)
CLOSED = (_M.RETURN_REJECTED.value, _M.REFUND_RELEASED.value, _M.REPLACEMENT_RELEASED.value)
#: how many closed returns the queue shows, newest first (the API lists them all)
CLOSED_SHOWN = 50


@dataclass(frozen=True, slots=True)
class QueueRow:
    listed: ReturnListing
    #: for goods back: how long inspection has waited, whether past the SLA, and which SKUs
    inspection: Inspection | None = None
    #: for goods back and decided: since when the refund has been due, and whether too long
    refund_due_since: datetime | None = None
    refund_overdue: bool = False


@dataclass(frozen=True, slots=True)
class ReturnsQueue:
    awaiting_approval: list[QueueRow]
    in_transit: list[QueueRow]
    awaiting_inspection: list[QueueRow]
    decided: list[QueueRow]
    inspection_sla_hours: int
    refund_within_hours: int


def returns_queue(uows: UnitOfWorkFactory, now: datetime, limit: int = 200) -> ReturnsQueue:
    with uows(read_only=True) as uow:
        policy = uow.return_policy
        asked = uow.returns.in_states(AWAITING_APPROVAL, limit=limit)
        moving = uow.returns.in_states(IN_TRANSIT, limit=limit)
        back = uow.returns.in_states(WAITING, limit=limit)
        closed = uow.returns.in_states(CLOSED, limit=CLOSED_SHOWN, newest_first=True)
        subjects = {Subject(SubjectKind.RETURN, listed.id): listed for listed in back}
        found = histories(uow, subjects)
    inspecting, decided = [], []
    for subject, listed in subjects.items():
        events = found.get(subject, [])
        file, times = fold_return(listed.id, listed.order_id, events), times_of(events)
        waiting = inspection_wait(file, times, now, policy)
        if waiting is not None:
            inspecting.append(QueueRow(listed, inspection=waiting))
        else:
            since = refund_due_since(file, times)
            late = _late(since, now, policy.refund_within_hours)
            decided.append(QueueRow(listed, refund_due_since=since, refund_overdue=late))
    return ReturnsQueue(
        awaiting_approval=[QueueRow(listed) for listed in asked],
        in_transit=[QueueRow(listed) for listed in moving],
        # the longest wait first: the one most overdue is the one to open
        awaiting_inspection=sorted(
            inspecting, key=lambda r: r.inspection.since if r.inspection else now
        ),
        decided=decided + [QueueRow(listed) for listed in closed],
        inspection_sla_hours=policy.inspection_sla_hours,
        refund_within_hours=policy.refund_within_hours,
    )


@dataclass(frozen=True, slots=True)
class ReturnDesk:
    view: ReturnView
    inspection: Inspection | None
    inspection_sla_hours: int
    #: what a refund would pay now, or (None) why it cannot be released yet
    refund_now: Money | None
    refund_fee: int
    refund_waits: str | None
    refund_due_since: datetime | None
    refund_within_hours: int
    refund_overdue: bool
    #: lines with units still out, and how many: what "mark received" counts by default
    outstanding: dict[str, int]

    @property
    def received_skus(self) -> list[str]:
        return [line.sku for line in self.view.lines if line.received]


def return_desk(uows: UnitOfWorkFactory, rma: str, now: datetime) -> ReturnDesk | None:
    with uows(read_only=True) as uow:
        policy = uow.return_policy
        ref = uow.subjects.find_returns([rma]).get(rma)
        if ref is None:
            return None
        events = histories(uow, [ref.subject]).get(ref.subject, [])
    file, times = fold_return(rma, ref.order_id, events), times_of(events)
    amount, fee, waits = None, 0, None
    try:
        due = refund_due(file)
        amount, fee = due.amount, due.fee
    except DomainError as refused:
        waits = refused.message
    since = refund_due_since(file, times)
    return ReturnDesk(
        view=view_of(file, events),
        inspection=inspection_wait(file, times, now, policy),
        inspection_sla_hours=policy.inspection_sla_hours,
        refund_now=amount,
        refund_fee=fee,
        refund_waits=waits,
        refund_due_since=since,
        refund_within_hours=policy.refund_within_hours,
        refund_overdue=_late(since, now, policy.refund_within_hours),
        outstanding={
            p.line.sku: p.line.quantity - p.received
            for p in file.lines
            if p.line.quantity > p.received
        },
    )


def _late(since: datetime | None, now: datetime, within_hours: int) -> bool:
    return since is not None and now - since > timedelta(hours=within_hours)
