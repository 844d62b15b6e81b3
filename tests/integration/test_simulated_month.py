"""A month of a small simulated store, played through the system hour by hour: what it
concluded is checked against what really happened, and what customers heard against the
notification promises."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ordertrail.bootstrap import build
from ordertrail.config import Settings
from ordertrail.simulate.run import SimClock, run
from ordertrail.simulate.store import simulate
from ordertrail.simulate.truth import judge

START = datetime(2026, 10, 1, tzinfo=UTC)


def test_a_month_of_a_small_store(tmp_path: Path) -> None:
    clock = SimClock(START)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'month.db'}", sqlite_synchronous="OFF")
    system = build(settings, clock=clock)
    system.migrate()
    store = simulate(seed=7, start=START, days=30)
    try:
        result = run(system, clock, store)
        verdict = judge(system.uows, store, result.sent)
    finally:
        system.close()
    assert result.refused == []
    # what the system concluded
    assert verdict.misses == []
    assert verdict.not_shown_delivered == []
    assert verdict.false_alarms == []
    assert set(verdict.exceptions_by_kind) >= {"failed_attempt", "missing_scan", "stalled"}
    # what customers heard
    assert 0 < verdict.max_smooth_routine <= 4
    assert verdict.over_budget == []
    assert verdict.duplicates == []
    assert verdict.late == []
    assert verdict.contradicting == []
    assert verdict.customer_before_staff == []


def test_the_same_seed_gives_the_same_store() -> None:
    first, again = simulate(3, START, days=5), simulate(3, START, days=5)
    assert first.reports == again.reports and first.parcels == again.parcels
    assert simulate(4, START, days=5).reports != first.reports
