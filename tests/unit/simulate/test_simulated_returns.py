"""The simulated shop's returns as planned before a run: who returns what and why, what the
returns desk does and when, and the status each return should show at each moment."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from ordertrail.domain.returns.return_lines import ReturnReason
from ordertrail.simulate.returns import desk
from ordertrail.simulate.returns.customers import RETURN_RATE, WINDOW_DAYS
from ordertrail.simulate.returns.truth import ASKED_WITHIN, ReturnPlan, delivered
from ordertrail.simulate.store import Fate, Store, simulate

START = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def store() -> Store:
    return simulate(seed=7, start=START, days=30)


def customers(store: Store) -> list[ReturnPlan]:
    return [plan for plan in store.returns if not plan.automatic]


def test_about_one_delivered_order_in_twelve_is_returned(store: Store) -> None:
    parcels = Counter(p.order_id for p in store.parcels)
    arrived = Counter(p.order_id for p in store.parcels if delivered(p))
    eligible = [order for order, n in parcels.items() if arrived[order] == n]
    assert len(customers(store)) == round(len(eligible) * RETURN_RATE) > 0
    assert {plan.order_id for plan in customers(store)} <= set(eligible)


def test_customers_return_lines_of_their_order_for_reasons_from_the_list(store: Store) -> None:
    orders = {order.id: order for order in store.orders}
    partial = 0
    for plan in customers(store):
        ordered = {sku: quantity for sku, quantity, _ in orders[plan.order_id].lines}
        for sku, quantity, reason in plan.lines:
            assert 1 <= quantity <= ordered[sku]
            ReturnReason(reason)  # one of the domain's reasons
        units = sum(q for _, q, _ in plan.lines)
        partial += units < sum(ordered.values())
    reasons = {reason for plan in customers(store) for _, _, reason in plan.lines}
    assert partial and {"damaged", "warranty"} <= reasons


def test_a_warranty_claim_is_one_unit_and_waits_for_the_warranty_team(store: Store) -> None:
    claims = [p for p in customers(store) if p.lines[0][2] == "warranty"]
    assert claims
    for claim in claims:
        assert len(claim.lines) == 1 and claim.lines[0][1] == 1
        assert [status for _, status in claim.steps[:2]] == ["return_requested", "return_approved"]


def test_a_request_after_the_window_is_expected_rejected_and_nothing_follows(
    store: Store,
) -> None:
    late = [p for p in customers(store) if p.outcome == "return_rejected"]
    assert late
    parcels = {p.order_id: p for p in store.parcels}
    for plan in late:
        asked = plan.steps[0][0]
        assert asked - (delivered(parcels[plan.order_id]) or asked) > timedelta(days=WINDOW_DAYS)
        assert len(plan.steps) == 1
    for plan in customers(store):
        if plan not in late:
            arrived = max(
                d for p in store.parcels if p.order_id == plan.order_id and (d := delivered(p))
            )
            assert plan.steps[0][0] - arrived <= ASKED_WITHIN + timedelta(days=2)


def test_every_refused_parcel_comes_back_and_is_refunded(store: Store) -> None:
    refused = {p.tracking for p in store.parcels if p.fate is Fate.REFUSED}
    automatic = [plan for plan in store.returns if plan.automatic]
    assert refused and {plan.parcel for plan in automatic} == refused
    assert {plan.outcome for plan in automatic} == {"refund_released"}
    booked = [r for r in store.reports if r.kind == "desk" and r.body["ref"].startswith("auto-")]
    assert len(booked) == len(automatic)
    assert all(r.body["action"] == "receive" and r.body["parcel"] for r in booked)


def test_labelled_returns_are_tracked_by_their_carrier(store: Store) -> None:
    labelled = [plan for plan in customers(store) if plan.label]
    assert labelled
    carried = {r.body["payload"] for r in store.reports if r.kind == "carrier"}
    for plan in labelled:
        assert plan.label is not None
        assert any(plan.label in payload for payload in carried)
        assert "return_in_transit" in [status for _, status in plan.steps]


def test_the_expected_status_is_the_last_step_reached() -> None:
    at = START
    plan = ReturnPlan(
        "SR-0001",
        "#1001",
        (("MUG", 1, "damaged"),),
        ((at, "return_approved"), (at + timedelta(days=2), "inspection_pending")),
    )
    assert plan.expected(at - timedelta(seconds=1)) is None
    assert plan.expected(at) == "return_approved"
    assert plan.expected(at + timedelta(days=1)) == "return_approved"
    assert plan.expected(at + timedelta(days=3)) == "inspection_pending"
    assert plan.outcome == "inspection_pending"


def test_the_desk_inspects_damaged_goods_and_records_the_damage_before_releasing() -> None:
    store = simulate(seed=1, start=START, days=1)
    store.reports.clear()
    back = START + timedelta(days=5)
    lines = (("LAMP", 2, "damaged"), ("MUG", 1, "no_longer_needed"))
    steps = desk.after_receipt(store, random.Random(1), "SR-0009", lines, back)
    assert [s for _, s in steps[:2]] == ["inspection_pending", "disposition_decided"]
    assert steps[2][1] in ("refund_released", "replacement_released")
    assert [t for t, _ in steps] == sorted(t for t, _ in steps) and steps[0][0] == back
    inspect, release = (r.body for r in store.reports)
    assert inspect["action"] == "inspect"
    lamp, mug = inspect["lines"]
    assert lamp["disposition"] in ("scrap", "refurbish") and 1 <= lamp["damaged"] <= 2
    assert mug == {"sku": "MUG", "disposition": "restock", "damaged": 0}
    assert release["action"] == ("refund" if steps[2][1] == "refund_released" else "replace")


def test_goods_nobody_inspects_are_refunded_on_receipt_with_nothing_for_the_desk() -> None:
    store = simulate(seed=1, start=START, days=1)
    store.reports.clear()
    back = START + timedelta(days=5)
    lines = (("MUG", 1, "no_longer_needed"),)
    assert desk.after_receipt(store, random.Random(1), "SR-0009", lines, back) == [
        (back, "refund_released")
    ]
    assert store.reports == []
