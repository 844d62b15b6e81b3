"""Learning each lane's transit times from delivered parcels: `ordertrail eta learn`, `eta
lanes [--json]`, and the worker learning them by itself once a day."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from typer.testing import CliRunner

from ordertrail.app.rounds import work_round
from ordertrail.bootstrap import System
from ordertrail.cli import app
from tests.conftest import FixedClock
from tests.integration.promise.eta_story import history, warehouse


def run(url: str, *args: str) -> object:
    return CliRunner().invoke(app, ["--db", url, *args], catch_exceptions=False)


def test_eta_learn_then_lanes_shows_each_lanes_samples_and_percentiles(
    system: System, database_url: str
) -> None:
    warehouse(system)
    history(system, parcels=30)

    learned = run(database_url, "eta", "learn", "--now", "2026-11-01T00:00:00+00:00")
    assert learned.exit_code == 0, learned.output
    assert "learned 4 lanes" in learned.output

    shown = run(database_url, "eta", "lanes", "--json")
    lanes = json.loads(shown.output)
    lane = next(
        row
        for row in lanes
        if (row["level"], row["leg"]) == ("lane", "transit") and row["carrier"] == "ups"
    )
    assert (lane["service"], lane["origin"], lane["destination"]) == (
        "Ground",
        "louisville",
        "US-IL",
    )
    assert lane["samples"] == 30
    # two business days for most, three for every tenth parcel
    assert lane["percentiles"] == {"p50": 2, "p80": 2, "p90": 2, "p95": 3}
    from_destination = next(
        row for row in lanes if (row["level"], row["leg"]) == ("lane", "from_destination")
    )
    assert from_destination["percentiles"]["p50"] == 1  # scanned in Chicago the evening before
    # the same lane for every carrier of that region, and the postal prefix below it
    assert {row["level"] for row in lanes} == {"postal", "lane", "carrier", "region"}

    table = run(database_url, "eta", "lanes")
    assert "US-IL" in table.output and "samples" in table.output


def test_eta_learn_refuses_a_time_without_an_offset(database_url: str) -> None:
    result = run(database_url, "eta", "learn", "--now", "2026-11-01T00:00:00")
    assert result.exit_code == 2
    assert "--now needs a UTC offset" in result.output


def test_the_worker_learns_the_lanes_once_a_day(system: System, clock: FixedClock) -> None:
    warehouse(system)
    history(system, parcels=25)
    clock.current = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    first = work_round(system.uows, clock, {}, {})
    clock.advance(hours=1)
    second = work_round(system.uows, clock, {}, {})
    clock.advance(hours=24)
    third = work_round(system.uows, clock, {}, {})

    assert (first.lanes_learned, second.lanes_learned, third.lanes_learned) == (4, None, 4)
    assert "4 lanes learned" in first.said()


def test_a_site_keeps_its_carrier_cut_off_and_refuses_a_time_that_is_none(
    database_url: str,
) -> None:
    added = run(database_url, "sites", "add", "reno", "--name", "Reno DC", "--cutoff", "16:30")
    assert added.exit_code == 0, added.output
    listed = json.loads(run(database_url, "sites", "list", "--json").output)
    assert [(site["id"], site["cutoff"]) for site in listed] == [("reno", "16:30")]

    refused = run(database_url, "sites", "add", "reno", "--name", "Reno DC", "--cutoff", "25:00")
    assert refused.exit_code == 2
    assert "--cutoff: '25:00' is not a time of day" in refused.output
    assert json.loads(run(database_url, "sites", "list", "--json").output)[0]["cutoff"] == "16:30"
