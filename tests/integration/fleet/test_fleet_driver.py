"""The driver page over HTTP: sign-in with a PIN (guesses limited), actions at a stop with
their proof, a resend that is a duplicate, and every kind of bad action refused with nothing
kept — no event, no file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ordertrail.bootstrap import System
from ordertrail.cli import app as cli
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key
from tests.fleet_story import (
    ORDERS,
    PARCELS,
    act,
    deliver,
    driver,
    fleet_system,
    photo,
    plan,
    shop_orders,
    sign_in,
    signature,
    stored_files,
)


@pytest.fixture
def proofs(tmp_path: Path) -> Path:
    return tmp_path / "proofs"


@pytest.fixture
def system(database_url: str, clock: FixedClock, proofs: Path) -> Iterator[System]:
    built = fleet_system(database_url, clock, proofs)
    yield built
    built.close()


@pytest.fixture
def pin(system: System) -> str:
    return driver(system)


@pytest.fixture
def client(system: System, pin: str, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(system)) as test_client:
        shop_orders(test_client, system)
        assert plan(test_client, system).status_code == 201
        clock.advance(hours=2)
        yield test_client


def timeline(client: TestClient, system: System, parcel: str = PARCELS[0]) -> list[Any]:
    shown = client.get(f"/api/v1/shipments/{parcel}", headers=api_key(system)).json()
    return list(shown["timeline"])


def test_the_driver_sees_todays_stops_in_order(client: TestClient, pin: str) -> None:
    sign_in(client, "Sam Ortiz", pin)
    page = client.get("/driver").text
    stops = re.findall(r'id="stop-R-1125-(\d)"', page)
    assert stops == ["1", "2", "3"]
    assert "14:00" in page or "19:00" in page  # the window, in the fleet's zone


def test_a_wrong_pin_is_refused_and_guessing_is_limited(client: TestClient, pin: str) -> None:
    wrong = "0" * 8 if pin != "0" * 8 else "1" * 8
    answers = [
        client.post("/driver/sign-in", data={"name": "Sam Ortiz", "pin": wrong}).status_code
        for _ in range(6)
    ]
    assert answers[:5] == [401] * 5
    assert answers[5] == 429
    # the right PIN from this phone waits too: the pair is paused, not just the wrong ones
    right = client.post("/driver/sign-in", data={"name": "Sam Ortiz", "pin": pin})
    assert right.status_code == 429
    assert "ordertrail_driver" not in client.cookies


def test_a_delivery_with_its_proof_is_recorded_once_however_often_it_is_sent(
    client: TestClient, system: System, pin: str, proofs: Path
) -> None:
    csrf = sign_in(client, "Sam Ortiz", pin)
    first = deliver(client, csrf)
    assert first.status_code == 201, first.text
    assert first.json() == {"recorded": 1, "duplicates": 0}
    again = deliver(client, csrf)
    assert again.status_code == 200, again.text
    assert again.json() == {"recorded": 0, "duplicates": 1}
    delivered = [row for row in timeline(client, system) if row["milestone"] == "delivered"]
    assert len(delivered) == 1
    assert len(stored_files(proofs)) == 2  # the photo and the signature, each kept once
    order = client.get(f"/api/v1/orders/{ORDERS[0]}", headers=api_key(system)).json()
    assert order["shipments"][0]["status"] == "delivered"


def test_an_attempt_needs_its_reason(client: TestClient, system: System, pin: str) -> None:
    csrf = sign_in(client, "Sam Ortiz", pin)
    refused = act(client, csrf, action="attempted")
    assert refused.status_code == 422
    assert "reason" in refused.json()["detail"]
    done = act(client, csrf, action="attempted", reason="recipient_unavailable", key="a" * 20)
    assert done.status_code == 201, done.text
    last = timeline(client, system)[-1]
    assert (last["milestone"], last["reason"]) == ("delivery_attempted", "recipient_unavailable")


def _other_driver(client: TestClient, system: System) -> str:
    pin = driver(system, "Kim Lee")
    return sign_in(client, "Kim Lee", pin)


@pytest.mark.parametrize(
    ("change", "status", "said"),
    [
        (
            {"files": {"photo": ("big.jpg", photo() + b"\0" * (8 * 1024 * 1024), "image/jpeg")}},
            413,
            "photo: is",
        ),
        (
            {"files": {"photo": ("cat.jpg", b"<svg onload=alert(1)></svg>", "image/jpeg")}},
            422,
            "photo: is not a JPEG, PNG or WebP image",
        ),
        (
            {"files": {"signature": ("s.png", photo(), "image/png")}},
            422,
            "signature: is not image/png",
        ),
        ({"accuracy": None}, 422, "gps.accuracy: a GPS point needs its accuracy"),
        ({"accuracy": "-3"}, 422, "gps.accuracy"),
        ({"latitude": "91"}, 422, "gps.latitude"),
        ({"stop": "9"}, 404, "route 'R-1125' has no stop 9"),
        ({"route": "R-0000"}, 404, "there is no route 'R-0000'"),
        ({"handoff": None}, 422, "handoff"),
        ({"key": "short"}, 422, "key"),
        ({"occurred_at": "2026-11-25T15:00:00+00:00"}, 422, "occurred_at: is in the future"),
        ({"occurred_at": "2026-11-25T12:00:00"}, 422, "occurred_at"),
        ({"as": "Kim Lee"}, 403, "route 'R-1125' is another driver's"),
    ],
    ids=[
        "oversized photo",
        "not an image",
        "signature not png",
        "gps without accuracy",
        "negative accuracy",
        "latitude off the earth",
        "stop not on the route",
        "no such route",
        "no handoff",
        "short key",
        "from the future",
        "no offset",
        "another driver's stop",
    ],
)
def test_a_bad_delivery_is_refused_and_keeps_nothing(
    client: TestClient,
    system: System,
    pin: str,
    proofs: Path,
    change: dict[str, Any],
    status: int,
    said: str,
) -> None:
    change = dict(change)
    csrf = (
        _other_driver(client, system)
        if change.pop("as", None)
        else sign_in(client, "Sam Ortiz", pin)
    )
    before = timeline(client, system)
    files = {"photo": ("p.jpg", photo(), "image/jpeg"), "signature": ("s.png", signature())}
    files |= change.pop("files", {})
    fields = {
        "action": "delivered",
        "handoff": "left_at",
        "where": "front door",
        "latitude": "38.2081",
        "longitude": "-85.7466",
        "accuracy": "12",
    } | change
    answer = act(client, csrf, files, **fields)
    assert answer.status_code == status, answer.text
    assert said in answer.json()["detail"]
    assert timeline(client, system) == before
    assert stored_files(proofs) == []


def test_an_action_without_the_pages_token_or_session_is_refused(
    client: TestClient, system: System, pin: str
) -> None:
    before = timeline(client, system)
    assert act(client, "", action="arrived").status_code == 401
    sign_in(client, "Sam Ortiz", pin)
    forged = act(client, "not-the-token", action="arrived")
    assert forged.status_code == 403
    assert timeline(client, system) == before


def test_a_disabled_driver_is_refused_on_the_next_action(
    client: TestClient, system: System, pin: str
) -> None:
    csrf = sign_in(client, "Sam Ortiz", pin)
    url = system.engine.url.render_as_string(hide_password=False)
    ran = CliRunner().invoke(cli, ["--db", url, "drivers", "disable", "Sam Ortiz"])
    assert ran.exit_code == 0, ran.output
    before = timeline(client, system)
    assert act(client, csrf, action="arrived").status_code == 401
    assert timeline(client, system) == before
    again = client.post("/driver/sign-in", data={"name": "Sam Ortiz", "pin": pin})
    assert again.status_code == 401
