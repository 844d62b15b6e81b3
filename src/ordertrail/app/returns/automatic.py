"""A parcel the recipient refused, or the carrier sends back, becomes a return by itself, so
the returns team sees it coming: once per parcel, whatever replays or re-deliveries follow."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from ordertrail.app.ports import UnitOfWork
from ordertrail.domain.fold import SubjectState
from ordertrail.domain.milestones import TROUBLE, Milestone, Reason, SourceKind
from ordertrail.domain.model import Line, Return, Source, Subject, SubjectKind, TrackingEvent
from ordertrail.domain.returns.policy import RequestFacts, decide
from ordertrail.domain.returns.return_lines import ReturnLine, ReturnReason, lines_data

SYSTEM = Source(SourceKind.SYSTEM)


def coming_back(before: SubjectState | None, after: SubjectState) -> str | None:
    """Why a parcel turned back with this change (None if it did not just now)."""
    was = before or SubjectState()
    if after.status is Milestone.RETURNED_TO_SENDER and was.status is not after.status:
        return str(after.reason or "returned to sender")
    refused = after.status in TROUBLE and after.reason is Reason.REFUSED
    if refused and was.reason is not Reason.REFUSED:
        return "refused"
    return None


def automatic_returns(
    uow: UnitOfWork,
    saved: Mapping[Subject, SubjectState],
    states: Mapping[Subject, SubjectState],
    now: datetime,
) -> tuple[list[TrackingEvent], dict[str, Return]]:
    """The events that open a return for each parcel that turned back, and the returns."""
    turned = {
        s.id: why
        for s, state in states.items()
        if s.kind is SubjectKind.SHIPMENT and (why := coming_back(saved.get(s), state))
    }
    if not turned:
        return [], {}
    done = uow.events.by_keys(_key(parcel) for parcel in turned)
    events, opened = [], {}
    for parcel_id, why in sorted(turned.items()):
        parcel = uow.orders.shipment(parcel_id)
        if _key(parcel_id) in done or parcel is None:
            continue
        facts = uow.orders.facts([parcel.order_id]).get(parcel.order_id)
        if facts is None:
            continue
        lines = _lines(
            parcel.lines or facts.order.lines, states[Subject(SubjectKind.SHIPMENT, parcel_id)]
        )
        units = sum(line.quantity for line in facts.order.lines) or sum(x.quantity for x in lines)
        decision = decide(
            uow.return_policy,
            lines,
            RequestFacts(now, None, facts.order.value, units, coming_back=why),
        )
        rma = f"RMA-{uow.returns.next_number()}"
        subject = Subject(SubjectKind.RETURN, rma)
        data = {
            "lines": lines_data(lines),
            "kind": decision.kind.value,
            "decision": decision.as_data(),
            "parcel": parcel.tracking_number or parcel.id,
            "why": f"parcel {parcel.tracking_number or parcel.id} coming back: {why}",
        }
        approved = {"why": "; ".join(decision.why), "by_policy": True}
        for key, milestone, said in (
            (_key(parcel_id), Milestone.RETURN_REQUESTED, data),
            (f"{rma}:return_approved:by-policy", Milestone.RETURN_APPROVED, approved),
        ):
            events.append(
                TrackingEvent(
                    key, subject, milestone, SYSTEM, now, now, order_id=parcel.order_id, data=said
                )
            )
        opened[rma] = Return(rma, parcel.order_id)
    return events, opened


def _key(parcel_id: str) -> str:
    return f"{parcel_id}:automatic-return"


def _lines(lines: tuple[Line, ...], state: SubjectState) -> list[ReturnLine]:
    reason = ReturnReason.DAMAGED if state.reason is Reason.DAMAGED else ReturnReason.OTHER
    return [ReturnLine(line.sku, line.quantity, reason) for line in lines]
