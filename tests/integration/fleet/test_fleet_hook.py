"""A white-glove partner's system reports its stops through the generic signed hook, in the
canonical events with the fleet's `data`: the customer sees the promised hours and who signed,
and a re-sent delivery changes nothing."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from ordertrail.bootstrap import System, build
from ordertrail.config import Settings
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key
from tests.fleet_story import EMAIL, ORDERS, PARCELS, shop_orders

SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


@pytest.fixture
def system(database_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[System]:
    settings = Settings(
        database_url=database_url, hook_secrets={"whiteglove": SECRET}, proof_folder=tmp_path
    )
    built = build(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system)) as test_client:
        shop_orders(test_client, system)
        yield test_client


def send(client: TestClient, events: list[dict[str, object]]) -> dict[str, object]:
    # signed now by the wall clock: the Standard Webhooks library checks its replay window on it
    when = datetime.now(UTC)
    body = json.dumps(events)
    message = "msg_" + secrets.token_hex(8)
    headers = {
        "content-type": "application/json",
        "webhook-id": message,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(message, when, body),
    }
    answer = client.post("/hooks/whiteglove", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_partners_window_and_proof_reach_the_customer_and_a_resend_changes_nothing(
    client: TestClient, system: System
) -> None:
    out = {
        "shipment": PARCELS[0],
        "milestone": "out_for_delivery",
        "occurred_at": "2026-11-25T08:05:00-05:00",
        "data": {
            "window": {"from": "2026-11-25T14:00:00-05:00", "until": "2026-11-25T16:00:00-05:00"}
        },
    }
    assert send(client, [out])["accepted"] == 1
    page = client.get("/track", params={"order": ORDERS[0], "email": EMAIL}).text
    assert "between 14:00 and 16:00 on Wed 25 Nov" in page
    delivered = {
        "key": "wg-4471-delivered",
        "shipment": PARCELS[0],
        "milestone": "delivered",
        "occurred_at": "2026-11-25T14:40:00-05:00",
        "raw_description": "Delivered, left at the front door",
        "data": {
            "signed_by": "Dana Reyes",
            "gps": {"latitude": 40.7128, "longitude": -74.006, "accuracy_m": 9},
        },
    }
    assert send(client, [delivered])["accepted"] == 1
    again = send(client, [delivered])  # the partner retries under a new id
    assert (again["accepted"], again["duplicates"]) == (0, 1)
    page = client.get("/track", params={"order": ORDERS[0], "email": EMAIL}).text
    assert "Left at the front door" in page
    assert "Signed for by D. Reyes" in page
    assert "between 14:00" not in page  # delivered: the promise is kept, not shown again
    shown = client.get(f"/api/v1/shipments/{PARCELS[0]}", headers=api_key(system)).json()
    assert [row["milestone"] for row in shown["timeline"]].count("delivered") == 1
