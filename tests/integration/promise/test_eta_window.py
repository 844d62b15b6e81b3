"""The delivery window a customer sees: made at hand-off from the lane's history, kept through
small moves, changed once — with its cause recorded — on a real delay, paused by trouble, and
looked at again by the worker once it has passed without news. Shown as the `eta` object of
`shipment show --json` / `order show --json` and the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ordertrail.app.rounds import work_round
from ordertrail.bootstrap import System
from ordertrail.cli import app
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key
from tests.integration.promise.eta_story import (
    CHICAGO,
    CHICAGO_PLACE,
    HUB,
    LOUISVILLE,
    PARCEL,
    a_learned_lane,
    handed_over,
    held_in_chicago,
    scan,
)


def shown(database_url: str, tracking: str = PARCEL) -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["--db", database_url, "shipment", "show", tracking, "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    parcel: dict[str, Any] = json.loads(result.output)
    return parcel


def window(parcel: dict[str, Any]) -> tuple[str | None, str | None, int]:
    eta = parcel["eta"]
    return eta["earliest"], eta["latest"], eta["changed"]


def test_the_window_stays_put_through_small_moves_and_changes_once_on_a_real_delay(
    system: System, clock: FixedClock, database_url: str
) -> None:
    a_learned_lane(system)
    handed_over(system, clock, "N-1", promised_by="2026-11-25")

    at_hand_off = shown(database_url)["eta"]
    assert (at_hand_off["earliest"], at_hand_off["latest"]) == ("2026-11-19", "2026-11-20")
    assert (at_hand_off["basis"], at_hand_off["confidence"], at_hand_off["changed"]) == (
        "lane",
        1.0,
        0,
    )

    # small moves: the hub overnight, then Chicago the next evening (our estimate narrows to
    # Thursday, but Thursday is inside what the customer was told: nothing changes for them)
    clock.current = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
    scan(system, PARCEL, "in_transit", datetime(2026, 11, 17, 21, 0, tzinfo=LOUISVILLE), HUB)
    clock.current = datetime(2026, 11, 19, 2, 0, tzinfo=UTC)
    scan(system, PARCEL, "in_transit", datetime(2026, 11, 18, 19, 0, tzinfo=CHICAGO), CHICAGO_PLACE)
    moved = shown(database_url)
    assert window(moved) == ("2026-11-19", "2026-11-20", 0)
    assert moved["eta"]["model"]["earliest"] == moved["eta"]["model"]["latest"] == "2026-11-19"
    assert moved["eta_changes"] == []

    # a real delay: the carrier holds it in Chicago and says Monday
    held_in_chicago(system, clock, "carrier_delay")
    delayed = shown(database_url)
    assert window(delayed) == ("2026-11-23", "2026-11-23", 1)
    assert delayed["eta"]["cause"] == "carrier_delay"
    assert delayed["eta"]["carrier"] == "2026-11-23"
    [change] = delayed["eta_changes"]
    assert (change["was_earliest"], change["was_latest"]) == ("2026-11-19", "2026-11-20")
    assert (change["earliest"], change["latest"], change["cause"]) == (
        "2026-11-23",
        "2026-11-23",
        "carrier_delay",
    )

    # it moves again, goes out on Monday and arrives: no further change for the customer
    clock.current = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    scan(system, PARCEL, "in_transit", datetime(2026, 11, 20, 8, 0, tzinfo=CHICAGO), CHICAGO_PLACE)
    clock.current = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    scan(
        system,
        PARCEL,
        "out_for_delivery",
        datetime(2026, 11, 23, 8, 0, tzinfo=CHICAGO),
        CHICAGO_PLACE,
    )
    scan(system, PARCEL, "delivered", datetime(2026, 11, 23, 13, 0, tzinfo=CHICAGO), CHICAGO_PLACE)
    done = shown(database_url)
    assert window(done) == ("2026-11-23", "2026-11-23", 1)
    assert done["eta"]["basis"] == "delivered"
    assert len(done["eta_changes"]) == 1

    with TestClient(create_app(system), headers=api_key(system, "support")) as client:
        served = client.get(f"/api/v1/shipments/{PARCEL}").json()["eta"]
    assert served == done["eta"]
    assert set(served) >= {"earliest", "latest", "confidence", "basis", "changed"}

    order = json.loads(
        CliRunner().invoke(app, ["--db", database_url, "order", "show", "N-1", "--json"]).output
    )
    assert {k: order["shipments"][0]["eta"][k] for k in ("earliest", "latest", "changed")} == {
        "earliest": "2026-11-23",
        "latest": "2026-11-23",
        "changed": 1,
    }


def test_a_failed_attempt_pauses_the_estimate_and_says_why(
    system: System, clock: FixedClock, database_url: str
) -> None:
    a_learned_lane(system)
    handed_over(system, clock, "N-2")
    clock.current = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)
    scan(
        system,
        PARCEL,
        "delivery_attempted",
        datetime(2026, 11, 19, 13, 0, tzinfo=CHICAGO),
        CHICAGO_PLACE,
        reason="recipient_unavailable",
    )

    eta = shown(database_url)["eta"]
    assert (eta["paused"], eta["reason"]) == ("failed_attempt", "recipient_unavailable")
    assert eta["model"]["earliest"] is None
    assert eta["changed"] == 0


def test_a_window_that_passes_without_news_is_looked_at_again_by_the_worker(
    system: System, clock: FixedClock, database_url: str
) -> None:
    a_learned_lane(system)
    handed_over(system, clock, "N-3")
    assert window(shown(database_url)) == ("2026-11-19", "2026-11-20", 0)

    clock.current = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)  # Friday: the window holds
    assert work_round(system.uows, clock, {}, {}).estimated == 0
    clock.current = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # Monday: it has passed
    assert work_round(system.uows, clock, {}, {}).estimated == 1

    eta = shown(database_url)["eta"]
    # later than every parcel of its lane: no made-up date, and the reason why
    assert eta["paused"] == "late"
    assert work_round(system.uows, clock, {}, {}).estimated == 0  # not looked at every round
