"""The returns truth check says so when OrderTrail shows nothing of a return that happened:
a customer's request that opened nothing, a refused parcel that never became a return."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ordertrail.bootstrap import build
from ordertrail.config import Settings
from ordertrail.simulate.returns.truth import judge_returns
from ordertrail.simulate.run import SimClock
from ordertrail.simulate.store import simulate

START = datetime(2026, 10, 1, tzinfo=UTC)


def test_returns_the_system_never_heard_of_are_reported(tmp_path: Path) -> None:
    store = simulate(seed=7, start=START, days=30)
    system = build(
        Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"), clock=SimClock(START)
    )
    system.migrate()
    try:
        end = START + timedelta(days=90)
        verdict = judge_returns(system.uows, store, {}, end)
        before = judge_returns(system.uows, store, {}, START)
    finally:
        system.close()
    automatic = [plan for plan in store.returns if plan.automatic]
    assert verdict.judged == len(store.returns)
    assert len(verdict.refused_not_returned) == len(automatic) > 0
    assert len(verdict.mismatches) == len(store.returns) - len(automatic)
    assert all("no return opened, expected" in said for said in verdict.mismatches)
    assert verdict.customer_returns == 0 and verdict.delivered_orders > 0
    # before anything happened there is nothing to judge
    assert before.judged == 0 and before.mismatches == before.refused_not_returned == []
