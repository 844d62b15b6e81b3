"""The read side of returns: one return as a clerk reads it, and lists of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ordertrail.app.intake.derive import histories
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.returns.ports import ReturnListing
from ordertrail.domain.fold import ordered
from ordertrail.domain.model import Money, TrackingEvent
from ordertrail.domain.returns.return_lines import ReturnFile, fold_return, parcel_news

#: Limits of one page of returns.
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class ReturnLineView:
    sku: str
    quantity: int
    reason: str
    received: int
    disposition: str | None
    damaged: int
    refunded: int
    note: str | None
    photo: str | None


@dataclass(frozen=True, slots=True)
class PolicyDecision:
    outcome: str
    window_ends: str | None
    advance_replacement: bool
    why: list[str]


@dataclass(frozen=True, slots=True)
class ReturnStep:
    """One event of the return's timeline, oldest first."""

    milestone: str | None
    source: str
    occurred_at: datetime
    received_at: datetime
    why: str | None
    raw_code: str | None
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReturnView:
    id: str
    order_id: str
    status: str | None
    kind: str
    team: str
    requested_at: datetime | None
    requested_by: str | None
    tracking_number: str | None
    carrier: str | None
    lines: list[ReturnLineView]
    refund: Money | None
    replacement: bool
    replacement_in_advance: bool
    decision: PolicyDecision | None
    timeline: list[ReturnStep]


@dataclass(frozen=True, slots=True)
class ReturnPage:
    returns: list[ReturnListing]
    next_after: str | None


def return_view(uows: UnitOfWorkFactory, rma: str) -> ReturnView | None:
    with uows(read_only=True) as uow:
        ref = uow.subjects.find_returns([rma]).get(rma)
        if ref is None:
            return None
        history = histories(uow, [ref.subject]).get(ref.subject, [])
    return view_of(fold_return(rma, ref.order_id, history), history)


def list_returns(
    uows: UnitOfWorkFactory,
    *,
    status: str | None = None,
    order_id: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> ReturnPage:
    with uows(read_only=True) as uow:
        found = uow.returns.page(status=status, order_id=order_id, after=after, limit=limit + 1)
    more = len(found) > limit
    found = found[:limit]
    return ReturnPage(found, found[-1].id if more and found else None)


def view_of(file: ReturnFile, history: list[TrackingEvent]) -> ReturnView:
    decision = file.decision
    return ReturnView(
        id=file.id,
        order_id=file.order_id,
        status=file.status.value if file.status else None,
        kind=file.kind.value,
        team=file.team,
        requested_at=file.requested_at,
        requested_by=file.requested_by,
        tracking_number=file.tracking_number,
        carrier=file.carrier,
        lines=[
            ReturnLineView(
                sku=p.line.sku,
                quantity=p.line.quantity,
                reason=p.line.reason.value,
                received=p.received,
                disposition=p.disposition.value if p.disposition else None,
                damaged=p.damaged,
                refunded=p.refunded,
                note=p.note,
                photo=p.photo,
            )
            for p in file.lines
        ],
        refund=file.refund,
        replacement=file.replacement,
        replacement_in_advance=file.replacement_in_advance,
        decision=PolicyDecision(
            outcome=str(decision["outcome"]),
            window_ends=decision.get("window_ends"),
            advance_replacement=bool(decision.get("advance_replacement")),
            why=[str(words) for words in decision.get("why", [])],
        )
        if decision
        else None,
        timeline=[_step(event) for event, duplicate in ordered(history) if not duplicate],
    )


def _step(event: TrackingEvent) -> ReturnStep:
    milestone = parcel_news(event.milestone)
    why = event.data.get("why")
    return ReturnStep(
        milestone=milestone.value if milestone else None,
        source=str(event.source),
        occurred_at=event.occurred_at,
        received_at=event.received_at,
        why=why if isinstance(why, str) else None,
        raw_code=event.raw_code,
        data={k: v for k, v in event.data.items() if k not in ("why", "decision")},
    )
