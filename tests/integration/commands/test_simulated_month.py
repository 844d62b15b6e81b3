"""A month of a small simulated store, played through the system hour by hour along the
production paths (signed webhooks through the web app, carrier payloads through their
adapters, barcodes through the scan station's use case): what it concluded is checked against
what really happened, and what customers heard against the notification promises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ordertrail.app.returns.views import ReturnView, return_view
from ordertrail.bootstrap import build
from ordertrail.config import Settings
from ordertrail.simulate.b2b.account_truth import judge_accounts, judge_van
from ordertrail.simulate.carriers.formats import FORMAT, VOCABULARY, Scan, render
from ordertrail.simulate.carriers.hooks import fresh_secrets
from ordertrail.simulate.carriers.lanes import SITES
from ordertrail.simulate.returns.customers import RETURN_RATE, shop_returns
from ordertrail.simulate.returns.truth import judge_returns
from ordertrail.simulate.run import SimClock, run
from ordertrail.simulate.store import EXPECTED, Fate, Store, simulate
from ordertrail.simulate.truth import judge
from ordertrail.sources.carriers import adapter

START = datetime(2026, 10, 1, tzinfo=UTC)


def test_a_month_of_a_small_store(tmp_path: Path) -> None:
    clock = SimClock(START)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'month.db'}",
        sqlite_synchronous="OFF",
        hook_secrets=fresh_secrets(),
        returns=shop_returns(),
        proof_folder=tmp_path / "proofs",
    )
    system = build(settings, clock=clock)
    system.migrate()
    # a seed whose month sees every fate (declared lost is one parcel in a hundred)
    store = simulate(seed=2, start=START, days=30)
    try:
        result = run(system, clock, store)
        assert result.ended is not None
        verdict = judge(system.uows, store, result.sent, result.ended)
        returned = judge_returns(system.uows, store, result.rmas, result.ended)
        accounts = judge_accounts(system.uows, store, result.ended)
        van = judge_van(system.uows, store, result.ended)
        views = {rma: return_view(system.uows, rma) for rma in result.rmas.values()}
    finally:
        system.close()
    assert result.refused == []
    assert verdict.judged == len(store.parcels)  # ten quiet days let every fate play out
    # what the system concluded
    assert verdict.misses == []
    assert verdict.flagged_late == []
    assert verdict.not_shown_delivered == []
    assert verdict.false_alarms == []
    assert set(verdict.exceptions_by_kind) >= set(EXPECTED.values())
    # what customers heard
    assert 0 < verdict.max_smooth_routine <= 4
    assert verdict.over_budget == []
    assert verdict.duplicates == []
    assert verdict.late == []
    assert verdict.contradicting == []
    assert verdict.customer_before_staff == []
    # returns: every one anybody could know of shows what really became of it
    assert returned.judged == len(store.returns)
    assert returned.mismatches == []
    assert returned.refused_not_returned == []
    assert abs(returned.rate - RETURN_RATE) <= 0.02
    assert {"refunded", "replaced", "rejected"} <= set(returned.by_state)
    # B2B accounts: short lines keep the order open, each missed dock appointment was a case
    # for the accounts team, resolved when the truck was booked again
    assert accounts.judged == len(store.accounts) and accounts.mismatches == []
    assert set(accounts.by_status) == {"delivered", "partially_delivered"}
    assert accounts.missed == sum(p.misses for p in store.accounts) > 0
    assert accounts.still_open == []
    # the van: a route a day, every parcel delivered with its photo and signature
    assert van.judged == len(store.local) == van.delivered_with_proof > 0
    assert van.mismatches == [] and van.attempts > 0 and van.routes == len(store.rounds)
    _refused_parcels_came_back_and_were_refunded(store, result.rmas, views)
    _returns_read_as_a_clerk_expects([v for v in views.values() if v is not None])


def _refused_parcels_came_back_and_were_refunded(
    store: Store, rmas: dict[str, str], views: dict[str, ReturnView | None]
) -> None:
    refused = {p.tracking for p in store.parcels if p.fate is Fate.REFUSED}
    automatic = {plan.parcel: plan.ref for plan in store.returns if plan.automatic}
    assert refused and set(automatic) == refused
    for tracking, ref in automatic.items():
        view = views[rmas[ref]]
        assert view is not None and view.status == "refund_released", tracking
        assert view.refund is not None and view.refund.amount > 0


def _returns_read_as_a_clerk_expects(views: list[ReturnView]) -> None:
    """Damaged goods inspected with the damaged units recorded, warranty claims with the
    warranty team, partial returns, labels tracked by their carriers."""
    lines = [line for view in views for line in view.lines]
    assert any(x.reason == "damaged" and x.damaged > 0 and x.disposition for x in lines)
    assert any(v.kind == "warranty" and v.team == "warranty" for v in views)
    assert any(v.tracking_number and v.carrier for v in views)
    assert any(
        step.source.startswith("carrier:") and step.milestone == "return_received"
        for view in views
        for step in view.timeline
    )
    assert any(step.source.startswith("ops:staff:") for v in views for step in v.timeline)


def test_the_month_has_the_faults_of_the_real_world() -> None:
    store = simulate(seed=7, start=START, days=30)
    kinds = {report.kind for report in store.reports}
    parcels = {"shopify", "csv", "scan", "carrier", "return", "desk"}
    assert kinds == parcels | {"freight", "route", "driver"}
    assert {FORMAT[p.carrier] for p in store.parcels} == {"ups", "fedex", "easypost", "aftership"}
    assert any(p.pack_scan_missed for p in store.parcels)
    assert any(
        len({p.site for p in store.parcels if p.order_id == o.id}) == 2 for o in store.orders
    )
    assert any(s.word == "unmapped" for p in store.parcels for s in p.scans)
    bodies = [r.body for r in store.reports]
    assert len(bodies) > len({str(b) for b in bodies})  # some deliveries come twice
    outage = store.outage
    silenced = [
        r
        for r in store.reports
        if r.kind == "carrier"
        and r.body["carrier"] == outage.carrier
        and outage.begins <= r.arrives < outage.ends
    ]
    backlog = [
        r
        for r in store.reports
        if r.kind == "carrier"
        and r.body["carrier"] == outage.carrier
        and outage.ends <= r.arrives < outage.ends + timedelta(hours=2)
    ]
    assert silenced == [] and backlog


def test_the_same_seed_gives_the_same_store() -> None:
    first, again = simulate(3, START, days=5), simulate(3, START, days=5)
    assert first.reports == again.reports and first.parcels == again.parcels
    assert first.returns == again.returns and first.returns
    assert simulate(4, START, days=5).reports != first.reports


#: what each neutral word must read as, through the carrier's own adapter
MEANS = {
    "label": ("label_created", None),
    "accepted": ("carrier_accepted", None),
    "transit": ("in_transit", None),
    "departed": ("in_transit", None),
    "weather": ("delayed", None),
    "out": ("out_for_delivery", None),
    "attempt": ("delivery_attempted", None),
    "address": (None, "address_issue"),
    "damaged": ("exception", "damaged"),
    "lost": ("exception", "lost"),
    "refused": ("exception", "refused"),
    "returned": ("returned_to_sender", None),
    "delivered": ("delivered", None),
    "unmapped": (None, None),
}


@pytest.mark.parametrize(
    ("carrier", "word"), [(c, w) for c, words in VOCABULARY.items() for w in words]
)
def test_each_carrier_word_reads_as_meant(carrier: str, word: str) -> None:
    scan = Scan(START, word, SITES["reno"])
    (report,) = adapter(FORMAT[carrier]).parse(render(carrier, "9400111899223197428497", [scan]))
    milestone, reason = MEANS[word]
    said = report.milestone.value if report.milestone else None
    if milestone is not None or word == "unmapped":
        assert said == milestone
    if reason is not None:
        assert report.reason is not None and report.reason.value == reason
