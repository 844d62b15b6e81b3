"""The return alerts on a fixed clock: goods back and not inspected within the inspection SLA,
a refund due and not released in time; each gone once the return moves on."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ordertrail.domain.casework.exceptions import ExceptionKind, Finding
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import DomainError, TrackingEvent
from ordertrail.domain.returns.alerts import inspection_wait, return_alerts, times_of
from ordertrail.domain.returns.policy import ReturnPolicy
from ordertrail.domain.returns.return_lines import ReturnLine, ReturnReason, fold_return
from tests.unit.domain.test_returns import DELIVERED, requested, step

R = ReturnReason
POLICY = ReturnPolicy()  # inspection within 48 h, refund within 72 h
DRILL = ReturnLine("DRILL", 1, R.DAMAGED)  # inspected before a refund
BITS = ReturnLine("BITS", 2, R.NO_LONGER_NEEDED)  # refunded on receipt
RECEIVED_AT = 30  # hours after the request, as `step` counts


def at(hours: float) -> datetime:
    """The clock, counted like `step`: hours after the request."""
    return DELIVERED + timedelta(days=3, hours=hours)


def received(*lines: ReturnLine) -> list[TrackingEvent]:
    counted = [{"sku": line.sku, "quantity": line.quantity} for line in lines]
    return [
        requested(None, *lines),
        step(0.1, Milestone.RETURN_APPROVED, "system"),
        step(RECEIVED_AT, Milestone.RETURN_RECEIVED, lines=counted),
    ]


def alerts(events: list[TrackingEvent], now: float, policy: ReturnPolicy = POLICY) -> list[Finding]:
    return return_alerts(fold_return("RMA-1", "ORD-1", events), events, at(now), policy)


def kinds(found: list[Finding]) -> list[ExceptionKind]:
    return [finding.kind for finding in found]


def test_goods_waiting_past_the_inspection_sla_raise_an_alert_once() -> None:
    events = received(DRILL)
    assert alerts(events, RECEIVED_AT + 48) == []  # the SLA itself is still in time
    late = alerts(events, RECEIVED_AT + 49)
    assert kinds(late) == [ExceptionKind.RETURN_NOT_INSPECTED]
    assert late[0].since == at(RECEIVED_AT)
    assert "DRILL back since" in late[0].detail and "(48 h)" in late[0].detail
    # the same trouble a day later is the same finding: one case, its words unchanged
    assert alerts(events, RECEIVED_AT + 73)[0].key == late[0].key
    assert alerts(events, RECEIVED_AT + 73)[0].detail == late[0].detail


def test_the_inspection_sla_is_one_setting() -> None:
    events = received(DRILL)
    quick = ReturnPolicy(inspection_sla_hours=4)
    assert kinds(alerts(events, RECEIVED_AT + 5, quick)) == [ExceptionKind.RETURN_NOT_INSPECTED]
    file = fold_return("RMA-1", "ORD-1", events)
    waiting = inspection_wait(file, times_of(events), at(RECEIVED_AT + 5), quick)
    assert waiting is not None and waiting.overdue and waiting.skus == ("DRILL",)
    assert waiting.age == timedelta(hours=5)
    in_time = inspection_wait(file, times_of(events), at(RECEIVED_AT + 5), POLICY)
    assert in_time is not None and not in_time.overdue


def test_an_inspection_ends_the_alert_and_starts_the_refund_clock() -> None:
    events = received(DRILL)
    events.append(
        step(
            RECEIVED_AT + 50,
            Milestone.DISPOSITION_DECIDED,
            sku="DRILL",
            disposition="scrap",
            damaged=1,
        )
    )
    assert alerts(events, RECEIVED_AT + 50 + 72) == []  # inspected: refund due, still in time
    held = alerts(events, RECEIVED_AT + 50 + 73)
    assert kinds(held) == [ExceptionKind.REFUND_HELD]
    assert held[0].since == at(RECEIVED_AT + 50)  # due since the inspection, not the receipt
    assert "not released within 72 h" in held[0].detail


def test_a_refund_due_on_receipt_but_held_raises_an_alert() -> None:
    # one of two bit sets back: due on receipt, but the policy waits for the rest to pay
    # by itself, so it is a person's to release
    one_set = [{"sku": "BITS", "quantity": 1}]
    events = [*received(BITS)[:2], step(RECEIVED_AT, Milestone.RETURN_RECEIVED, lines=one_set)]
    assert alerts(events, RECEIVED_AT + 72) == []
    assert kinds(alerts(events, RECEIVED_AT + 73)) == [ExceptionKind.REFUND_HELD]
    assert kinds(alerts(events, RECEIVED_AT + 73, ReturnPolicy(refund_within_hours=100))) == []


@pytest.mark.parametrize(
    ("moved_on", "data"),
    [
        (Milestone.REFUND_RELEASED, {"amount": 10000, "currency": "USD"}),
        (Milestone.REPLACEMENT_RELEASED, {}),
    ],
)
def test_no_alert_once_money_or_goods_went_out(
    moved_on: Milestone, data: dict[str, object]
) -> None:
    events = received(DRILL)
    events.append(
        step(RECEIVED_AT + 1, Milestone.DISPOSITION_DECIDED, sku="DRILL", disposition="restock")
    )
    events.append(step(RECEIVED_AT + 2, moved_on, **data))
    assert alerts(events, RECEIVED_AT + 500) == []


def test_nothing_is_said_of_returns_not_back_or_rejected() -> None:
    asked = received(DRILL)[:2]
    assert alerts(asked, 1000) == []
    rejected = [requested(None, DRILL), step(0.1, Milestone.RETURN_REJECTED, "ops:staff:kim")]
    assert alerts(rejected, 1000) == []


def test_an_sla_shorter_than_an_hour_is_refused() -> None:
    with pytest.raises(DomainError, match="at least 1 hour"):
        ReturnPolicy(inspection_sla_hours=0)
