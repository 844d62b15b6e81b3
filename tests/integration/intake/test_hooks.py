"""Signed webhooks: good, bad, missing, stale and repeated deliveries, for every signed source."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook
from typer.testing import CliRunner

from ordertrail.bootstrap import build
from ordertrail.cli import app
from ordertrail.config import Settings
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key, canonical_order
from tests.paths import FIXTURES

CARRIERS = FIXTURES / "carriers"
EASYPOST, AFTERSHIP, SHOPIFY = "ep-secret-ünïcode", "as-secret", "shpss_secret"
FLEET = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
USPS, DHL, FLEET_PARCEL = "9400111899223197428497", "JD014600003828392057", "ACME-000123"


@pytest.fixture
def client(database_url: str, clock: FixedClock) -> Iterator[TestClient]:
    settings = Settings(
        database_url=database_url,
        hook_secrets={
            "easypost": EASYPOST,
            "aftership": AFTERSHIP,
            "acme": FLEET,
            "shopify": SHOPIFY,
        },
    )
    system = build(settings, clock=clock)
    with TestClient(create_app(system), headers=api_key(system)) as test_client:
        order = canonical_order(
            "ORD-1", (USPS, "usps", {"GLOVES": 1}), (FLEET_PARCEL, "acme", {"HAT": 1})
        )
        assert test_client.post("/api/v1/orders", json=order).status_code == 201
        yield test_client
    system.close()


def easypost_signed(body: bytes, secret: str = EASYPOST) -> dict[str, str]:
    import unicodedata

    key = unicodedata.normalize("NFKD", secret).encode()
    return {
        "X-Hmac-Signature": "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()
    }


def aftership_signed(body: bytes, secret: str = AFTERSHIP) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"aftership-hmac-sha256": base64.b64encode(digest).decode()}


def standard_signed(body: bytes, when: datetime, secret: str = FLEET) -> dict[str, str]:
    message_id = "msg_" + secrets.token_hex(8)
    signature = Webhook(secret).sign(message_id, when, body.decode())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signature,
    }


def post(client: TestClient, source: str, body: bytes, headers: dict[str, Any]) -> Any:
    return client.post(
        f"/hooks/{source}", content=body, headers={"content-type": "application/json", **headers}
    )


def timeline_length(client: TestClient, number: str) -> int:
    return len(client.get(f"/api/v1/shipments/{number}").json()["timeline"])


def test_easypost_good_repeated_bad_and_missing(client: TestClient) -> None:
    body = (CARRIERS / "easypost_event_tracker_updated_made.json").read_bytes()
    first = post(client, "easypost", body, easypost_signed(body))
    assert first.status_code == 200
    assert (first.json()["accepted"], first.json()["duplicates"]) == (7, 0)
    parcel = client.get(f"/api/v1/shipments/{USPS}").json()
    assert parcel["status"] == "delivery_attempted"
    # a replay of the very same signed delivery is acknowledged and changes nothing
    again = post(client, "easypost", body, easypost_signed(body))
    assert (again.status_code, again.json()["accepted"], again.json()["duplicates"]) == (200, 0, 7)
    tampered = body.replace(b"Out for Delivery", b"Out for Lunch")
    signature = easypost_signed(body)["X-Hmac-Signature"]
    refusals = [
        (tampered, {"X-Hmac-Signature": signature}),  # the body changed after signing
        (body, easypost_signed(body, "wrong secret")),
        (body, {}),
        (body, {"X-Hmac-Signature": "hmac-sha256-hex=zz"}),
        (body, {"X-Hmac-Signature": "hmac-sha256-hex=\xe9\xe9".encode("latin-1")}),  # not ASCII
        (body, {"X-Hmac-Signature": signature.removeprefix("hmac-sha256-hex=")}),
    ]
    for sent, headers in refusals:
        refused = post(client, "easypost", sent, headers)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
    assert timeline_length(client, USPS) == 7


def test_aftership_for_a_parcel_not_registered_yet_waits_and_attaches(
    client: TestClient, database_url: str
) -> None:
    body = (CARRIERS / "aftership_webhook_tracking_update_made.json").read_bytes()
    held = post(client, "aftership", body, aftership_signed(body))
    assert held.status_code == 200
    assert (held.json()["accepted"], held.json()["unmatched"]) == (0, 5)
    waiting = client.get("/api/v1/unmatched").json()["unmatched"]
    assert {w["shipment"] for w in waiting} == {DHL} and len(waiting) == 5
    listed = CliRunner().invoke(app, ["--db", database_url, "unmatched", "--json"])
    assert len(json.loads(listed.stdout)) == 5
    retried = post(client, "aftership", body, aftership_signed(body))  # the sender retries
    assert (retried.json()["unmatched"], retried.json()["duplicates"]) == (0, 5)
    assert post(client, "aftership", body, aftership_signed(body, "nope")).status_code == 401
    assert post(client, "aftership", body, {}).status_code == 401

    order = canonical_order("ORD-2", (DHL, "dhl", {"BOOK": 1}))
    assert client.post("/api/v1/orders", json=order).status_code == 201
    assert client.get("/api/v1/unmatched").json()["unmatched"] == []
    parcel = client.get(f"/api/v1/shipments/{DHL}").json()
    assert len(parcel["timeline"]) == 5
    assert parcel["status"] == "in_transit"
    assert parcel["unmapped"] == 1  # the appointment-scheduled subtag says nothing
    # arriving again now, they are duplicates, not waiting again
    again = post(client, "aftership", body, aftership_signed(body))
    assert (again.json()["duplicates"], again.json()["unmatched"]) == (5, 0)


def test_standard_webhooks_good_stale_forged_and_repeated(client: TestClient) -> None:
    events = [
        {
            "shipment": FLEET_PARCEL,
            "milestone": "carrier_accepted",
            "source": "carrier:acme",
            "occurred_at": "2026-11-24T09:00:00+01:00",
        },
        {
            "shipment": FLEET_PARCEL,
            "milestone": "delivered",
            "source": "carrier:acme",
            "occurred_at": "2026-11-24T15:30:00+01:00",
            "data": {"signed_by": "K. MOLL"},
        },
    ]
    body = json.dumps(events).encode()
    now = datetime.now(UTC)
    good = post(client, "acme", body, standard_signed(body, now))
    assert (good.status_code, good.json()["accepted"]) == (200, 2)
    assert client.get(f"/api/v1/shipments/{FLEET_PARCEL}").json()["status"] == "delivered"
    stale = post(client, "acme", body, standard_signed(body, now - timedelta(minutes=10)))
    assert stale.status_code == 401
    forged = standard_signed(body, now, "whsec_" + base64.b64encode(b"x" * 24).decode())
    assert post(client, "acme", body, forged).status_code == 401
    missing = {k: v for k, v in standard_signed(body, now).items() if k != "webhook-signature"}
    assert post(client, "acme", body, missing).status_code == 401
    garbled = {**standard_signed(body, now), "webhook-signature": "v1,not-base64!!"}
    assert post(client, "acme", body, garbled).status_code == 401
    repeated = post(client, "acme", body, standard_signed(body, now))
    assert (repeated.json()["accepted"], repeated.json()["duplicates"]) == (0, 2)


def test_a_standard_webhooks_redelivery_is_known_by_its_webhook_id(client: TestClient) -> None:
    first = [{"shipment": FLEET_PARCEL, "raw_code": "SCAN", "occurred_at": "2026-11-24T09:00:00Z"}]
    body = json.dumps(first).encode()
    signed = standard_signed(body, datetime.now(UTC))
    assert post(client, "acme", body, signed).json()["accepted"] == 1
    again = post(client, "acme", body, signed)
    assert (again.status_code, again.json().get("duplicate_delivery")) == (200, True)
    assert again.json()["accepted"] == 0


def test_unconfigured_sources_and_unreadable_deliveries(client: TestClient) -> None:
    body = b'{"anything": true}'
    assert post(client, "ups", body, {}).status_code == 404
    signed_junk = post(client, "aftership", b"[1, 2", aftership_signed(b"[1, 2"))
    assert signed_junk.status_code == 422
    oops = b"{oops"
    assert post(client, "acme", oops, standard_signed(oops, datetime.now(UTC))).status_code == 422


def test_a_fleet_hook_speaks_for_its_carrier_only_and_lists_what_it_refused(
    client: TestClient,
) -> None:
    good = {
        "shipment": FLEET_PARCEL,
        "milestone": "carrier_accepted",
        "occurred_at": "2026-11-24T09:00:00+01:00",
    }  # source: carrier:acme, implied
    forged = {**good, "milestone": "delivered", "source": "ops:admin", "data": {"why": "x"}}
    other = {**good, "milestone": "exception", "reason": "lost", "source": "carrier:usps"}
    broken = {"shipment": FLEET_PARCEL}
    body = json.dumps([forged, good, broken, other]).encode()
    answer = post(client, "acme", body, standard_signed(body, datetime.now(UTC)))
    assert answer.status_code == 200
    assert answer.json()["accepted"] == 1
    assert sorted({r["index"] for r in answer.json()["refused"]}) == [0, 2, 3]
    assert client.get(f"/api/v1/shipments/{FLEET_PARCEL}").json()["status"] == "carrier_accepted"


def shopify_signed(
    body: bytes, topic: str, secret: str = SHOPIFY, delivery: str = ""
) -> dict[str, str]:
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {
        "X-Shopify-Hmac-Sha256": digest,
        "X-Shopify-Topic": topic,
        "X-Shopify-Webhook-Id": delivery or secrets.token_hex(16),
    }


def test_shopify_fulfillment_events_good_bad_repeated_and_other_topics(client: TestClient) -> None:
    body = (CARRIERS / "shopify_fulfillment_event_in_transit_made.json").read_bytes()
    held = post(client, "shopify", body, shopify_signed(body, "fulfillment_events/create"))
    assert (held.status_code, held.json()["unmatched"]) == (200, 1)  # no such fulfillment yet
    order = canonical_order("ORD-7", ("1Z999AA10123456784", "ups", {"X": 1}))
    order["shipments"][0]["id"] = "shopify-fulfillment-1069019873"
    assert client.post("/api/v1/orders", json=order).status_code == 201
    parcel = client.get("/api/v1/shipments/1Z999AA10123456784").json()
    assert (parcel["status"], parcel["timeline"][0]["source"]) == (
        "delivery_attempted",
        "channel:shopify",
    )
    # the same event in an `update` delivery: a duplicate by its event id
    again = post(client, "shopify", body, shopify_signed(body, "fulfillment_events/update"))
    assert again.json()["duplicates"] == 1
    signed = shopify_signed(body, "fulfillment_events/create", delivery="d-7")
    assert post(client, "shopify", body, signed).json()["accepted"] == 0
    assert post(client, "shopify", body, signed).json()["duplicate_delivery"] is True
    forged = shopify_signed(body, "fulfillment_events/create", "not the secret")
    assert post(client, "shopify", body, forged).status_code == 401
    assert post(client, "shopify", body, {}).status_code == 401
    other = b'{"id": 1}'
    skipped = post(client, "shopify", other, shopify_signed(other, "products/create"))
    assert skipped.status_code == 200
    assert skipped.json()["refused"][0]["field"] == "X-Shopify-Topic"


def test_lone_surrogates_are_refused_by_every_hook_naming_where(client: TestClient) -> None:
    """The text a sender could put in a JSON escape that no reader can show again."""
    good = {
        "shipment": FLEET_PARCEL,
        "milestone": "carrier_accepted",
        "occurred_at": "2026-11-24T09:00:00+01:00",
    }
    bad = {**good, "milestone": "in_transit", "data": {"operator": "\udfff"}}
    body = json.dumps([bad, good]).encode()
    answer = post(client, "acme", body, standard_signed(body, datetime.now(UTC)))
    assert answer.status_code == 200
    assert answer.json()["accepted"] == 1
    ((refused,),) = [answer.json()["refused"]]
    assert (refused["index"], refused["field"]) == (0, "data.operator")
    assert "surrogate" in refused["message"]
    tracker = (CARRIERS / "easypost_event_tracker_updated_made.json").read_text()
    payload = json.loads(tracker)
    payload["result"]["tracking_details"][0]["message"] = "Out for \udfff"
    body = json.dumps(payload).encode()
    refused_whole = post(client, "easypost", body, easypost_signed(body))
    assert refused_whole.status_code == 422
    assert "surrogate" in refused_whole.json()["detail"]
    assert timeline_length(client, FLEET_PARCEL) == 1
