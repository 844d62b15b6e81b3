"""The returns flow's use cases: each checks the rules, then records its events, or nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any
from uuid import uuid4

from ordertrail.app.intake.commands import EventReport
from ordertrail.app.intake.derive import append_and_derive, histories
from ordertrail.app.intake.resolve import Resolver
from ordertrail.app.ports import Clock, UnitOfWork, UnitOfWorkFactory
from ordertrail.app.returns.commands import (
    AttachLabel,
    DecideReturn,
    InspectLine,
    ReceiveReturn,
    ReleaseRefund,
    ReleaseReplacement,
    RequestReturn,
    SchedulePickup,
)
from ordertrail.app.returns.facts import order_for_return
from ordertrail.domain.milestones import Milestone, SourceKind
from ordertrail.domain.model import DomainError, Source
from ordertrail.domain.returns.policy import Outcome, decide
from ordertrail.domain.returns.return_lines import (
    LABEL_ATTACHED,
    ReturnFile,
    fold_return,
    lines_data,
)
from ordertrail.domain.returns.rules import (
    check_approval,
    check_disposition,
    check_open,
    check_receipt,
    check_replacement,
    check_request,
    refund_data,
    refund_due,
)

SYSTEM = Source(SourceKind.SYSTEM)


def request_return(cmd: RequestReturn, uows: UnitOfWorkFactory, clock: Clock) -> ReturnFile:
    """Open a return for delivered units; the policy decides at once what it can."""
    now = clock.now()
    with uows() as uow:
        uow.orders.status_inputs([cmd.order])  # holds the order: two requests take turns
        found = order_for_return(uow, cmd.order)
        check_request(cmd.order, cmd.lines, found.ordered, found.delivered, found.returned)
        decision = decide(uow.return_policy, cmd.lines, found.request_facts(now))
        rma = f"RMA-{uow.returns.next_number()}"
        asked = {
            "lines": lines_data(cmd.lines),
            "kind": decision.kind.value,
            "decision": decision.as_data(),
            "why": cmd.why or "; ".join(sorted({str(line.reason) for line in cmd.lines})),
            **({"channel_ref": cmd.channel_ref} if cmd.channel_ref else {}),
        }
        reports = [_report(rma, cmd.order, Milestone.RETURN_REQUESTED, cmd.by, now, asked)]
        verdict = {
            Outcome.APPROVE: Milestone.RETURN_APPROVED,
            Outcome.REJECT: Milestone.RETURN_REJECTED,
        }
        if decision.outcome in verdict:
            said = {"why": "; ".join(decision.why), "by_policy": True}
            reports.append(_report(rma, cmd.order, verdict[decision.outcome], SYSTEM, now, said))
        _record(uow, reports, now)
        return _done(uow, rma)


def decide_return(cmd: DecideReturn, uows: UnitOfWorkFactory, clock: Clock) -> ReturnFile:
    now = clock.now()
    with uows() as uow:
        file = _open(uow, cmd.rma)
        check_approval(file, cmd.approve)
        why = _why(cmd.by, cmd.why, "approved" if cmd.approve else "rejected")
        milestone = Milestone.RETURN_APPROVED if cmd.approve else Milestone.RETURN_REJECTED
        _record(uow, [_report(file.id, file.order_id, milestone, cmd.by, now, why)], now)
        return _done(uow, file.id)


def schedule_pickup(cmd: SchedulePickup, uows: UnitOfWorkFactory, clock: Clock) -> ReturnFile:
    now = clock.now()
    try:
        day = date.fromisoformat(cmd.on)
    except ValueError:
        raise DomainError("on", f"'{cmd.on}' is not a day (YYYY-MM-DD)") from None
    with uows() as uow:
        file = _open(uow, cmd.rma)
        _check_approved(file, "schedule a pickup")
        said = {"pickup_on": day.isoformat(), "why": cmd.why or f"pickup on {day}"}
        milestone = Milestone.RETURN_PICKUP_SCHEDULED
        _record(uow, [_report(file.id, file.order_id, milestone, cmd.by, now, said)], now)
        return _done(uow, file.id)


def attach_label(cmd: AttachLabel, uows: UnitOfWorkFactory, clock: Clock) -> ReturnFile:
    now = clock.now()
    tracking = cmd.tracking_number.strip()
    if not tracking or len(tracking) > 100:
        raise DomainError("tracking_number", "give the return label's tracking number")
    with uows() as uow:
        file = _open(uow, cmd.rma)
        _check_approved(file, "attach a label")
        if uow.subjects.find_shipments([tracking]):
            raise DomainError("tracking_number", f"'{tracking}' already names an outbound parcel")
        other = uow.returns.by_tracking([tracking]).get(tracking)
        if other and other.subject.id != file.id:
            raise DomainError(
                "tracking_number", f"'{tracking}' is already {other.subject.id}'s label"
            )
        label = {"tracking_number": tracking, "carrier": cmd.carrier}
        said = {"label": label, "why": f"return label {tracking}"}
        report = _report(file.id, file.order_id, None, cmd.by, now, said, LABEL_ATTACHED)
        _record(uow, [report], now)
        return _done(uow, file.id)


def receive_return(cmd: ReceiveReturn, uows: UnitOfWorkFactory, clock: Clock) -> ReturnFile:
    """Goods are back, some or all; what the policy does next follows by itself."""
    now = clock.now()
    with uows() as uow:
        file = _open(uow, cmd.rma)
        check_receipt(file, cmd.lines)
        counted = [{"sku": sku, "quantity": n} for sku, n in sorted(cmd.lines.items())]
        said = {**({"lines": counted} if counted else {}), "why": cmd.why or "goods received"}
        reports = [_report(file.id, file.order_id, Milestone.RETURN_RECEIVED, cmd.by, now, said)]
        _record(uow, reports, now)  # the policy's follow-ups come with it (project.py)
        return _done(uow, file.id)


def inspect_line(cmd: InspectLine, uows: UnitOfWorkFactory, clock: Clock) -> ReturnFile:
    now = clock.now()
    with uows() as uow:
        file = _open(uow, cmd.rma)
        decided = check_disposition(file, cmd.sku, cmd.disposition, cmd.damaged)
        said: dict[str, Any] = {
            "sku": cmd.sku,
            "disposition": decided.value,
            "damaged": cmd.damaged,
            "why": cmd.note or f"inspected: {decided}",
        }
        said.update({k: v for k, v in (("note", cmd.note), ("photo", cmd.photo)) if v})
        milestone = Milestone.DISPOSITION_DECIDED
        _record(uow, [_report(file.id, file.order_id, milestone, cmd.by, now, said)], now)
        return _done(uow, file.id)


def release_refund(cmd: ReleaseRefund, uows: UnitOfWorkFactory, clock: Clock) -> ReturnFile:
    now = clock.now()
    with uows() as uow:
        file = _open(uow, cmd.rma)
        _refund(uow, file, cmd.by, cmd.why or "refund released", now)
        return _done(uow, file.id)


def release_replacement(
    cmd: ReleaseReplacement, uows: UnitOfWorkFactory, clock: Clock
) -> ReturnFile:
    now = clock.now()
    with uows() as uow:
        file = _open(uow, cmd.rma)
        advance = check_replacement(file)
        lines = [{"sku": p.line.sku, "quantity": p.line.quantity} for p in file.lines]
        said = {"advance": advance, "lines": lines, "why": cmd.why or "replacement released"}
        milestone = Milestone.REPLACEMENT_RELEASED
        _record(uow, [_report(file.id, file.order_id, milestone, cmd.by, now, said)], now)
        return _done(uow, file.id)


def _refund(uow: UnitOfWork, file: ReturnFile, by: Source, why: str, now: datetime) -> None:
    said = {**refund_data(refund_due(file)), "why": why}
    _record(uow, [_report(file.id, file.order_id, Milestone.REFUND_RELEASED, by, now, said)], now)


def _check_approved(file: ReturnFile, action: str) -> None:
    check_open(file, action)
    if file.stage in (None, Milestone.RETURN_REQUESTED):
        raise DomainError("return", f"{file.id} awaits approval; approve it before you {action}")


def _why(by: Source, why: str | None, default: str) -> dict[str, str]:
    """A decision's why: staff overruling or standing in for the policy must say it."""
    given = (why or "").strip()
    if not given and by.kind is SourceKind.OPS:
        raise DomainError("why", f"say why it is {default} (staff actions are recorded with why)")
    return {"why": given or default}


def _report(
    rma: str,
    order: str,
    milestone: Milestone | None,
    by: Source,
    now: datetime,
    data: Mapping[str, Any],
    raw_code: str | None = None,
) -> EventReport:
    # a fresh key per action: the same action twice is refused by the rules, not by the key
    what = milestone.value if milestone else raw_code
    return EventReport(
        source=by,
        occurred_at=now,
        milestone=milestone,
        order=order,
        return_id=rma,
        key=f"{rma}:{what}:{uuid4().hex[:16]}",
        raw_code=raw_code,
        data=dict(data),
    )


def _record(uow: UnitOfWork, reports: list[EventReport], now: datetime) -> None:
    resolver = Resolver.load(uow, reports)
    events = [resolver.event(report, now) for report in reports]
    append_and_derive(uow, events, held=resolver.held, new_returns=resolver.new_returns, now=now)


def _open(uow: UnitOfWork, rma: str) -> ReturnFile:
    """The return as its events tell it, held against other writers until the end."""
    ref = uow.subjects.find_returns([rma]).get(rma)
    if ref is None:
        raise DomainError("rma", f"no return has id '{rma}'")
    uow.projections.lock([ref.subject])
    history = histories(uow, [ref.subject]).get(ref.subject, [])
    return fold_return(rma, ref.order_id, history)


def _done(uow: UnitOfWork, rma: str) -> ReturnFile:
    file = _open(uow, rma)
    uow.commit()
    return file


RETURN_HANDLERS: dict[type, Callable[[Any, UnitOfWorkFactory, Clock], ReturnFile]] = {
    RequestReturn: request_return,
    DecideReturn: decide_return,
    SchedulePickup: schedule_pickup,
    AttachLabel: attach_label,
    ReceiveReturn: receive_return,
    InspectLine: inspect_line,
    ReleaseRefund: release_refund,
    ReleaseReplacement: release_replacement,
}
