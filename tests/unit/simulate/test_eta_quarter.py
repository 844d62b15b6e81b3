"""The quarter `bench eta` measures on: seeded, its true delivery days where its scans say,
and the carriers' behaviour table printed with the figures."""

from __future__ import annotations

import json
import random
from datetime import date
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from ordertrail.app.promise.eta_ports import EtaRules
from ordertrail.cli import app
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.promise.business_days import local_day
from ordertrail.simulate.carriers.carrier_behaviour import BEHAVIOUR
from ordertrail.simulate.carriers.eta_quarter import quarter
from ordertrail.sources.public_holidays import PublicHolidays


def test_a_seeded_quarter_is_the_same_and_its_truth_is_where_the_scans_say() -> None:
    rules = EtaRules(PublicHolidays())
    first = list(quarter(random.Random(3), rules, date(2026, 11, 23), 7, 20))
    again = list(quarter(random.Random(3), rules, date(2026, 11, 23), 7, 20))
    assert [p.delivered_on for p in first] == [p.delivered_on for p in again]
    # no collections on Thanksgiving or the weekend (nor at Reno on Nevada's Family Day,
    # the day after); deliveries only on business days
    assert {p.handed_over.date() for p in first} == {
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 25),
        date(2026, 11, 27),
    }
    assert all(p.site.id == "louisville" for p in first if p.handed_over.day == 27)
    for parcel in first:
        delivered = parcel.events[-1]
        assert delivered.milestone is Milestone.DELIVERED
        zone = ZoneInfo(parcel.facts.customer.time_zone or "UTC")
        assert local_day(delivered.occurred_at, zone) == parcel.delivered_on
        assert parcel.delivered_on != date(2026, 11, 26) and parcel.delivered_on.weekday() < 5
        times = [event.occurred_at for event in parcel.events]
        assert times == sorted(times)


def test_bench_eta_prints_both_estimators_and_the_carriers_table() -> None:
    result = CliRunner().invoke(app, ["bench", "eta", "--days", "7", "--per-day", "10", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert set(figures["ordertrail"]) == set(figures["carrier_only"])
    assert figures["ordertrail"]["parcels"] == figures["carrier_only"]["parcels"] > 0
    assert len(figures["carrier_behaviour"]) == len(BEHAVIOUR)
    shown = CliRunner().invoke(app, ["bench", "eta", "--days", "7", "--per-day", "10"])
    assert "How the simulated carriers deliver" in shown.output
    assert "hit_rate_at_hand_off" in shown.output
