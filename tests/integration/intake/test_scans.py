"""Warehouse scans through `/api/v1/scans`: GS1 carton labels, steps, labels, relabels and
hand-offs become the order's timeline; refusals say why; a double scan is recorded once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordertrail.bootstrap import build
from ordertrail.config import Settings
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key, canonical_order

SSCC = "376012345000000010"  # a valid SSCC-18 (check digit 0)
CARTON_LABEL = f"(00){SSCC}(400)ORD-1"  # GS1-128 human-readable form with the order number
UPS, UPS_NEW = "1Z999AA10123456784", "1Z12345E6605272234"


@pytest.fixture
def client(database_url: str, clock: FixedClock) -> Iterator[TestClient]:
    system = build(Settings(database_url=database_url), clock=clock)
    with TestClient(create_app(system), headers=api_key(system)) as test_client:
        site = {"name": "Louisville DC", "time_zone": "America/Kentucky/Louisville"}
        assert test_client.put("/api/v1/sites/louisville", json=site).status_code == 200
        for order_id in ("ORD-1", "ORD-2"):
            order = canonical_order(order_id)
            assert test_client.post("/api/v1/orders", json=order).status_code == 201
        yield test_client
    system.close()


def scan(client: TestClient, step: str, code: str, **more: Any) -> Any:
    body = {"site": "louisville", "station": "pack-3", "operator": "ana", "step": step}
    return client.post("/api/v1/scans", json=body | {"code": code} | more)


def test_a_carton_goes_from_pick_to_hand_off(client: TestClient, clock: FixedClock) -> None:
    assert scan(client, "pick", "ORD-1").status_code == 201
    clock.advance(minutes=5)
    packed = scan(client, "pack", CARTON_LABEL)
    assert packed.status_code == 201, packed.text
    assert packed.json()["shipment_id"] == SSCC
    clock.advance(minutes=1)
    twice = scan(client, "pack", CARTON_LABEL)
    assert (twice.status_code, twice.json()["status"]) == (200, "duplicate")
    clock.advance(minutes=1)
    unlabelled = scan(client, "handoff", SSCC)
    assert unlabelled.status_code == 409
    assert "no carrier label" in unlabelled.json()["detail"]
    assert scan(client, "label", SSCC, label=UPS).status_code == 201
    clock.advance(minutes=30)
    assert scan(client, "handoff", UPS).status_code == 201
    order = client.get("/api/v1/orders/ORD-1").json()
    parcel = order["shipments"][0]
    assert (parcel["id"], parcel["tracking_number"], parcel["carrier"]) == (SSCC, UPS, "ups")
    assert (parcel["site"], parcel["status"]) == ("louisville", "carrier_accepted")
    assert order["status"] == "shipped"
    steps = [(row["milestone"], row["source"]) for row in order["timeline"]]
    assert steps == [
        ("picked", "warehouse:louisville"),
        ("packed", "warehouse:louisville"),
        ("label_created", "warehouse:louisville"),
        ("carrier_accepted", "warehouse:louisville"),
    ]
    assert order["timeline"][1]["data"]["operator"] == "ana"
    assert order["timeline"][1]["data"]["signed_in"] == "key:tests-admin"
    assert order["timeline"][1]["data"]["station"] == "pack-3"


def test_a_relabelled_carton_keeps_one_timeline(client: TestClient, clock: FixedClock) -> None:
    scan(client, "pack", CARTON_LABEL)
    scan(client, "label", SSCC, label=UPS)
    clock.advance(minutes=10)
    again = scan(client, "label", SSCC, label=UPS_NEW)
    assert again.status_code == 409 and "RELABEL" in again.json()["detail"]
    assert scan(client, "relabel", SSCC, label=UPS_NEW).status_code == 201
    late = {
        "source": "carrier:ups",
        "shipment": UPS,  # the carrier still reports under the old label
        "milestone": "carrier_accepted",
        "occurred_at": clock.now().isoformat(),
    }
    assert client.post("/api/v1/events", json=[late]).status_code == 200
    parcel = client.get(f"/api/v1/shipments/{UPS_NEW}").json()
    assert parcel["id"] == SSCC and parcel["status"] == "carrier_accepted"
    assert client.get(f"/api/v1/shipments/{UPS}").json() == parcel  # the old label finds it
    assert [row["milestone"] for row in parcel["timeline"]] == [
        "packed",
        "label_created",
        "label_created",
        "carrier_accepted",
    ]


def test_a_cancelled_order_is_not_handed_off(client: TestClient, clock: FixedClock) -> None:
    scan(client, "pack", f"(00){SSCC}(400)ORD-2")
    scan(client, "label", SSCC, label=UPS)
    cancel = {
        "source": "channel:shopify",
        "order": "ORD-2",
        "milestone": "order_cancelled",
        "occurred_at": clock.now().isoformat(),
    }
    assert client.post("/api/v1/events", json=[cancel]).status_code == 200
    refused = scan(client, "handoff", UPS)
    assert refused.status_code == 409 and "cancelled" in refused.json()["detail"]
    parcel = client.get(f"/api/v1/shipments/{UPS}").json()
    assert parcel["status"] == "label_created"


@pytest.mark.parametrize(
    ("step", "code", "more", "status", "words"),
    [
        ("pack", "(00)376012345000000019", {}, 422, "check digit"),
        ("pack", "5901234123457", {}, 422, "product"),
        ("pack", "BADGE:ana", {}, 422, "badge"),
        ("pack", SSCC, {}, 409, "scan the order first"),
        ("pack", f"(00){SSCC}(400)ORD-404", {}, 409, "not known"),
        ("label", "ORD-1", {"label": UPS}, 409, "carton"),
        ("label", CARTON_LABEL, {}, 409, "new label"),
        ("pack", "ORD-1", {"site": "nowhere"}, 409, "not set up"),
        ("pack", "ORD-1", {"scanned_at": "2099-01-01T00:00:00+00:00"}, 409, "future"),
    ],
)
def test_scans_that_cannot_be_recorded_say_why(
    client: TestClient, step: str, code: str, more: dict[str, Any], status: int, words: str
) -> None:
    answer = scan(client, step, code, **more)
    assert answer.status_code == status, answer.text
    assert words in answer.json()["detail"]
    assert client.get("/api/v1/orders/ORD-1").json()["timeline"] == []


def test_malformed_scan_bodies_are_refused(client: TestClient) -> None:
    assert client.post("/api/v1/scans", json={"step": "pack"}).status_code == 422
    assert scan(client, "fly", "ORD-1").status_code == 422
    assert scan(client, "pack", "x" * 500).status_code == 422
    assert scan(client, "pack", "ORD-1", station="a:b").status_code == 422


def test_parcels_missing_their_next_scan_are_listed(client: TestClient, clock: FixedClock) -> None:
    scan(client, "pack", f"(00){SSCC}(400)ORD-1")
    clock.advance(hours=1)
    other = "376012345000000027"
    scan(client, "pack", f"(00){other}(400)ORD-1")
    scan(client, "label", other, label=UPS)
    assert client.get("/api/v1/missing-scans").json() == []
    clock.advance(hours=9)
    overdue = client.get("/api/v1/missing-scans").json()
    assert [(p["shipment_id"], p["missing"]) for p in overdue] == [(SSCC, "packed_not_handed_off")]
    clock.advance(hours=16)
    overdue = client.get("/api/v1/missing-scans").json()
    assert [(p["shipment_id"], p["missing"]) for p in overdue] == [
        (SSCC, "packed_not_handed_off"),
        (other, "labelled_not_accepted"),
    ]
    scan(client, "handoff", UPS)
    assert [p["shipment_id"] for p in client.get("/api/v1/missing-scans").json()] == [SSCC]
    cancel = {
        "source": "channel:shopify",
        "order": "ORD-1",
        "milestone": "order_cancelled",
        "occurred_at": clock.now().isoformat(),
    }
    client.post("/api/v1/events", json=[cancel])
    order = client.get("/api/v1/orders/ORD-1").json()
    assert order["status"] == "shipped"  # one parcel left; the unshipped one is cancelled
    assert client.get("/api/v1/missing-scans").json() == []


def test_an_order_ships_from_two_sites(client: TestClient) -> None:
    reno = client.put("/api/v1/sites/reno", json={"name": "Reno 3PL", "kind": "3pl"})
    assert reno.status_code == 200
    assert {site["id"] for site in client.get("/api/v1/sites").json()} == {"louisville", "reno"}
    assert scan(client, "pack", CARTON_LABEL).status_code == 201
    other = "376012345000000027"
    assert scan(client, "pack", f"(00){other}(400)ORD-1", site="reno").status_code == 201
    order = client.get("/api/v1/orders/ORD-1").json()
    assert {(p["id"], p["site"]) for p in order["shipments"]} == {
        (SSCC, "louisville"),
        (other, "reno"),
    }
    sources = {row["source"] for row in order["timeline"]}
    assert sources == {"warehouse:louisville", "warehouse:reno"}
    bad = client.put("/api/v1/sites/a:b", json={"name": "x"})
    assert bad.status_code == 422


def test_names_longer_than_the_store_keeps_are_refused(client: TestClient) -> None:
    long_code = "ORD-" + "9" * 150
    answer = scan(client, "pack", long_code, order="ORD-1")
    assert answer.status_code == 409 and "longer than" in answer.json()["detail"]
    long_zone = {"name": "x", "time_zone": "Mars/Olympus_Mons"}
    assert client.put("/api/v1/sites/mars", json=long_zone).status_code == 422
    assert (
        client.put("/api/v1/sites/mars", json={"name": "x", "time_zone": "z" * 70}).status_code
        == 422
    )
