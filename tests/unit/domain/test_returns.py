"""A return's fold, the policy's decision and the rules, as a returns clerk would check them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ordertrail.bootstrap import return_policy_of
from ordertrail.config import Settings
from ordertrail.domain.milestones import Disposition, Milestone
from ordertrail.domain.model import (
    DomainError,
    Line,
    Money,
    Source,
    Subject,
    SubjectKind,
    TrackingEvent,
)
from ordertrail.domain.order_status import OrderStatus, ParcelView, derive_order
from ordertrail.domain.returns.policy import Outcome, RequestFacts, ReturnPolicy, decide
from ordertrail.domain.returns.return_lines import (
    LABEL_ATTACHED,
    ReturnFile,
    ReturnKind,
    ReturnLine,
    ReturnReason,
    fold_return,
    lines_data,
)
from ordertrail.domain.returns.rules import (
    check_approval,
    check_disposition,
    check_receipt,
    check_replacement,
    check_request,
    refund_due,
)

R = ReturnReason
DELIVERED = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
DRILL, BITS = ReturnLine("DRILL", 1, R.DAMAGED), ReturnLine("BITS", 2, R.NO_LONGER_NEEDED)
FACTS = RequestFacts(DELIVERED + timedelta(days=3), DELIVERED, Money(30000, "USD"), 3)


def step(
    hours: float, milestone: Milestone | None, source: str = "ops:staff:kim", **data: Any
) -> TrackingEvent:
    at = DELIVERED + timedelta(days=3, hours=hours)
    return TrackingEvent(
        key=f"RMA-1:{milestone}:{hours}",
        subject=Subject(SubjectKind.RETURN, "RMA-1"),
        milestone=milestone,
        source=Source.parse(source),
        occurred_at=at,
        received_at=at,
        order_id="ORD-1",
        raw_code=LABEL_ATTACHED if milestone is None else None,
        data=data,
    )


def requested(policy: ReturnPolicy | None = None, *lines: ReturnLine) -> TrackingEvent:
    lines = lines or (DRILL, BITS)
    decision = decide(policy or ReturnPolicy(), lines, FACTS)
    return step(
        0,
        Milestone.RETURN_REQUESTED,
        "customer",
        lines=lines_data(lines),
        decision=decision.as_data(),
    )


def story() -> list[TrackingEvent]:
    return [
        requested(),
        step(0.1, Milestone.RETURN_APPROVED, "system"),
        step(1, None, label={"tracking_number": "RL1", "carrier": "ups"}),
        step(5, Milestone.IN_TRANSIT, "carrier:ups"),
        step(30, Milestone.RETURN_RECEIVED, lines=[{"sku": "DRILL", "quantity": 1}]),
        step(31, Milestone.DISPOSITION_DECIDED, sku="DRILL", disposition="scrap", damaged=1),
    ]


def test_the_fold_reads_lines_label_receipt_and_disposition() -> None:
    file = fold_return("RMA-1", "ORD-1", story())
    assert file.status is Milestone.DISPOSITION_DECIDED
    assert (file.tracking_number, file.carrier) == ("RL1", "ups")
    drill, bits = file.lines
    assert (drill.received, drill.disposition, drill.damaged) == (1, Disposition.SCRAP, 1)
    assert bits.received == 0
    assert file.requested_by == "customer" and file.kind is ReturnKind.RETURN


def test_arrival_order_and_repeats_do_not_change_the_return() -> None:
    events = story()
    expected = fold_return("RMA-1", "ORD-1", events)
    shuffled = events + events[:3]
    random.Random(7).shuffle(shuffled)
    assert fold_return("RMA-1", "ORD-1", shuffled) == expected


def test_a_replacement_sent_ahead_keeps_the_return_open_until_the_goods_are_back() -> None:
    ahead = [requested(), step(0.1, Milestone.RETURN_APPROVED, "system")]
    ahead.append(step(1, Milestone.REPLACEMENT_RELEASED, advance=True))
    file = fold_return("RMA-1", "ORD-1", ahead)
    assert file.replacement_in_advance and not file.closed
    assert file.status is Milestone.RETURN_APPROVED
    back = fold_return("RMA-1", "ORD-1", [*ahead, step(9, Milestone.DELIVERED, "carrier:ups")])
    assert back.status is Milestone.REPLACEMENT_RELEASED and back.closed


def test_the_policy_says_what_it_decided_and_why() -> None:
    policy = ReturnPolicy(restocking_fee_percent={R.NO_LONGER_NEEDED: 10})
    decision = decide(policy, [DRILL, BITS], FACTS)
    assert decision.outcome is Outcome.APPROVE and decision.team == "returns"
    assert decision.inspect == {"DRILL": True, "BITS": False}
    assert decision.unit_value == {"DRILL": 10000, "BITS": 10000}
    assert "within the 30-day return window" in decision.why
    assert "BITS: a 10% restocking fee applies to no_longer_needed" in decision.why
    assert not decision.advance_replacement


def test_outside_the_window_is_rejected_with_the_dates_in_words() -> None:
    late = RequestFacts(DELIVERED + timedelta(days=45), DELIVERED, None, 3)
    decision = decide(ReturnPolicy(), [BITS], late)
    assert decision.outcome is Outcome.REJECT
    assert decision.why[0] == (
        "delivered 2026-11-20, 45 days ago: returns are taken within 30 days of delivery"
    )


def test_warranty_claims_have_their_own_window_and_team_and_wait_for_a_person() -> None:
    claim = ReturnLine("DRILL", 1, R.WARRANTY)
    later = RequestFacts(DELIVERED + timedelta(days=200), DELIVERED, None, 3)
    decision = decide(ReturnPolicy(), [claim], later)
    assert (decision.outcome, decision.kind, decision.team) == (
        Outcome.REVIEW,
        ReturnKind.WARRANTY,
        "warranty",
    )
    with pytest.raises(DomainError, match="warranty claim is its own return"):
        decide(ReturnPolicy(), [claim, BITS], FACTS)


@pytest.mark.parametrize(
    ("policy", "facts", "why"),
    [
        (ReturnPolicy(advance_replacement_over=25000), FACTS, "order worth 300.00 USD"),
        (ReturnPolicy(), RequestFacts(FACTS.now, DELIVERED, None, 3, True), "carrier recorded"),
    ],
)
def test_an_advance_replacement_by_order_value_or_carrier_damage(
    policy: ReturnPolicy, facts: RequestFacts, why: str
) -> None:
    decision = decide(policy, [DRILL], facts)
    assert decision.advance_replacement
    assert any(why in words for words in decision.why)


@pytest.mark.parametrize(
    ("lines", "returned", "message"),
    [
        ([ReturnLine("DRILL", 2, R.DAMAGED)], {}, "DRILL: 2 asked back, but 1 delivered"),
        ([ReturnLine("SAW", 1, R.OTHER)], {}, "'SAW' is not on order ORD-1"),
        ([BITS], {"BITS": 1}, "BITS: 2 asked back, but 2 delivered and 1 already on another"),
        ([DRILL, DRILL], {}, "'DRILL' is listed twice"),
        ([], {}, "name at least one line"),
        ([ReturnLine("CASE", 1, R.OTHER)], {}, "CASE: none has been delivered yet"),
    ],
)
def test_a_request_the_order_cannot_back_is_refused(
    lines: list[ReturnLine], returned: dict[str, int], message: str
) -> None:
    ordered = {"DRILL": 1, "BITS": 2, "CASE": 1}
    with pytest.raises(DomainError, match=message):
        check_request("ORD-1", lines, ordered, {"DRILL": 1, "BITS": 2}, returned)


def test_a_disposition_for_a_line_not_received_is_refused() -> None:
    file = fold_return("RMA-1", "ORD-1", story())
    with pytest.raises(DomainError, match="BITS has not been received on RMA-1"):
        check_disposition(file, "BITS", "restock", 0)
    with pytest.raises(DomainError, match="'SAW' is not a line of RMA-1"):
        check_disposition(file, "SAW", "restock", 0)
    with pytest.raises(DomainError, match="2 damaged, but 1 were received"):
        check_disposition(file, "DRILL", "scrap", 2)
    with pytest.raises(DomainError, match="'burn' is not one of restock"):
        check_disposition(file, "DRILL", "burn", 0)


def test_a_refund_waits_for_the_goods_and_for_inspection_where_the_policy_says() -> None:
    events = story()
    approved = fold_return("RMA-1", "ORD-1", events[:2])
    with pytest.raises(DomainError, match="nothing has been received yet"):
        refund_due(approved)
    received = fold_return("RMA-1", "ORD-1", events[:5])
    with pytest.raises(DomainError, match="DRILL must be inspected before the refund"):
        refund_due(received)
    due = refund_due(fold_return("RMA-1", "ORD-1", events))
    assert (due.amount, dict(due.units)) == (Money(10000, "USD"), {"DRILL": 1})


def test_the_restocking_fee_is_kept_back_from_the_refund() -> None:
    policy = ReturnPolicy(restocking_fee_percent={R.NO_LONGER_NEEDED: 10})
    events = [requested(policy, BITS), step(0.1, Milestone.RETURN_APPROVED, "system")]
    events.append(step(9, Milestone.RETURN_RECEIVED))
    due = refund_due(fold_return("RMA-1", "ORD-1", events))
    assert (due.amount, due.fee) == (Money(18000, "USD"), 2000)


def test_receipts_approvals_and_replacements_are_checked_against_the_return() -> None:
    events = story()
    file = fold_return("RMA-1", "ORD-1", events[:5])
    with pytest.raises(DomainError, match="DRILL: 1 received, but only 0 of 1"):
        check_receipt(file, {"DRILL": 1})
    with pytest.raises(DomainError, match="its goods are in, it can no longer be rejected"):
        check_approval(file, approve=False)
    with pytest.raises(DomainError, match="already approved"):
        check_approval(fold_return("RMA-1", "ORD-1", events[:2]), approve=True)
    with pytest.raises(DomainError, match="only once the goods are back"):
        check_replacement(fold_return("RMA-1", "ORD-1", events[:2]))


def test_an_unknown_return_file_is_empty() -> None:
    assert fold_return("RMA-1", "ORD-1", []) == ReturnFile("RMA-1", "ORD-1")


def test_the_policy_is_read_from_the_returns_table_of_ordertrail_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ordertrail.toml").write_text(
        "[returns]\nwindow_days = 14\nadvance_replacement_over = 50000\n"
        'restocking_fee_percent = { no_longer_needed = 15 }\ninspect_reasons = ["damaged"]\n'
    )
    monkeypatch.chdir(tmp_path)
    policy = return_policy_of(Settings())
    assert (policy.window_days, policy.advance_replacement_over) == (14, 50000)
    assert policy.restocking_fee_percent == {R.NO_LONGER_NEEDED: 15}
    assert policy.inspect_reasons == frozenset({R.DAMAGED})
    monkeypatch.setenv("ORDERTRAIL_RETURNS", '{"window_days": 60}')
    assert return_policy_of(Settings()).window_days == 60


def test_an_unknown_reason_in_the_policy_stops_start_up() -> None:
    with pytest.raises(ValueError, match="returns: 'broken' is not a valid ReturnReason"):
        return_policy_of(Settings(returns={"inspect_reasons": ["broken"]}))  # type: ignore[arg-type]
    with pytest.raises(DomainError, match="140 is not 0–100"):
        return_policy_of(Settings(returns={"restocking_fee_percent": {"other": 140}}))  # type: ignore[arg-type]


def test_an_order_whose_settled_returns_left_it_some_units_is_partially_returned() -> None:
    drill, bits = Line("DRILL", 1), Line("BITS", 2)
    delivered = [ParcelView((drill, bits), shipped=True, delivered=True)]
    refunded = [Milestone.REFUND_RELEASED]
    some = derive_order(None, [drill, bits], delivered, refunded, [drill])
    every = derive_order(None, [drill, bits], delivered, refunded, [drill, bits])
    busy = derive_order(None, [drill, bits], delivered, [*refunded, Milestone.RETURN_APPROVED], [])
    assert (some.status, every.status, busy.status) == (
        OrderStatus.PARTIALLY_RETURNED,
        OrderStatus.RETURNED,
        OrderStatus.RETURN_IN_PROGRESS,
    )
