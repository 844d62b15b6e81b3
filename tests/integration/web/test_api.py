"""The HTTP API through the real ASGI app and a real database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordertrail.bootstrap import System
from ordertrail.web.app import create_app
from tests.factories import api_key, canonical_order

UPS, FEDEX = "1Z999AA10123456784", "123456789012"
PROBLEM = "application/problem+json"


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system), headers=api_key(system)) as test_client:
        order = canonical_order(
            "ORD-1", (UPS, "ups", {"DRILL-18V": 1}), (FEDEX, "fedex", {"BIT-SET": 2})
        )
        assert test_client.post("/api/v1/orders", json=order).status_code == 201
        yield test_client


def scan(milestone: str, when: str, shipment: str = UPS, **extra: Any) -> dict[str, Any]:
    return {
        "shipment": shipment,
        "milestone": milestone,
        "occurred_at": when,
        "source": "carrier:ups",
        **extra,
    }


def test_events_in_status_out(client: TestClient) -> None:
    batch = [
        scan("carrier_accepted", "2026-11-19T18:30:00-05:00"),
        scan("in_transit", "2026-11-20T03:15:00-05:00"),
    ]
    answer = client.post("/api/v1/events", json=batch)
    assert answer.status_code == 200
    assert answer.json() == {"accepted": 2, "duplicates": 0}
    assert client.post("/api/v1/events", json=batch).json() == {"accepted": 0, "duplicates": 2}
    parcel = client.get(f"/api/v1/shipments/{UPS}").json()
    assert parcel["status"] == "in_transit"
    assert len(parcel["timeline"]) == 2
    order = client.get("/api/v1/orders/ORD-1").json()
    assert order["status"] == "partially_shipped"


def test_an_order_reads_back_as_the_document_that_answered_its_creation(
    client: TestClient,
) -> None:
    batch = [
        scan("carrier_accepted", "2026-11-19T18:30:00-05:00"),
        scan("out_for_delivery", "2026-11-21T08:05:00+01:00", location={"city": "Lyon"}),
    ]
    assert client.post("/api/v1/events", json=batch).status_code == 200
    order = canonical_order(
        "ORD-1", (UPS, "ups", {"DRILL-18V": 1}), (FEDEX, "fedex", {"BIT-SET": 2})
    )
    created = client.post("/api/v1/orders", json=order)  # known: updated, answered whole
    assert created.status_code == 201
    read = client.get("/api/v1/orders/ORD-1")
    assert read.json() == created.json()
    assert read.json()["timeline"][-1]["occurred_at"] == "2026-11-21T08:05:00+01:00"
    parcel = client.get(f"/api/v1/shipments/{UPS}").json()
    assert parcel == next(p for p in created.json()["shipments"] if p["id"] == parcel["id"])


def test_a_batch_with_bad_items_keeps_the_good_ones_and_lists_each_bad_one(
    client: TestClient,
) -> None:
    batch = [
        scan("carrier_accepted", "2026-11-19T18:30:00-05:00"),
        scan("carrier_accepted", "2026-11-19T18:30:00"),  # naive time
        scan("beamed_up", "2026-11-19T19:00:00Z"),  # unknown milestone
        scan("in_transit", "2026-11-20T03:15:00Z", shipment="NOPE"),  # unknown parcel
        "not an object",
        scan("in_transit", "2026-11-20T03:15:00Z", colour="red"),  # unknown field
        scan("in_transit", "2026-11-20T04:00:00Z", source="ops:key:tests-admin"),  # no why
        scan("in_transit", "2026-11-20T05:00:00Z"),
    ]
    answer = client.post("/api/v1/events", json=batch)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM
    problem = answer.json()
    assert problem["accepted"] == 2
    assert [(e["index"], e["field"]) for e in problem["errors"]] == [
        (1, "occurred_at"),
        (2, "milestone"),
        (3, "shipment"),
        (4, "(item)"),
        (5, "colour"),
        (6, "data.why"),
    ]
    assert "6 of 8 events were refused" in problem["detail"]
    assert client.get(f"/api/v1/shipments/{UPS}").json()["status"] == "in_transit"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{", 400),
        (b'{"shipment": "x"}', 400),
        (b"[]", 200),
        (b"\xff\xfe", 400),
        (b"[" * 100_000 + b"]" * 100_000, 400),
    ],
)
def test_bodies_that_are_not_event_arrays_get_a_problem(
    client: TestClient, body: bytes, status: int
) -> None:
    answer = client.post(
        "/api/v1/events", content=body, headers={"content-type": "application/json"}
    )
    assert answer.status_code == status
    if status != 200:
        assert answer.headers["content-type"] == PROBLEM
        assert answer.json()["status"] == status


def test_too_many_events_in_one_call_are_refused_whole(client: TestClient) -> None:
    limit = client.app.state.system.settings.max_batch  # type: ignore[attr-defined]
    batch = [scan("in_transit", f"2026-11-20T03:{i % 60:02d}:00Z") for i in range(limit + 1)]
    answer = client.post("/api/v1/events", json=batch)
    assert answer.status_code == 413
    assert client.get(f"/api/v1/shipments/{UPS}").json()["timeline"] == []


def test_orders_are_created_updated_listed_and_validated(client: TestClient) -> None:
    updated = canonical_order(
        "ORD-1", (UPS, "ups", {"DRILL-18V": 1}), (FEDEX, "fedex", {"BIT-SET": 2})
    )
    updated["priority"] = "high_value"
    assert client.post("/api/v1/orders", json=updated).json()["priority"] == "high_value"
    other = canonical_order("ORD-2", ("9400111899223197428497", "usps", {"GLOVES": 3}))
    created = client.post("/api/v1/orders", json=other)
    assert created.status_code == 201
    assert created.headers["location"] == "/api/v1/orders/ORD-2"
    listing = client.get("/api/v1/orders", params={"limit": 1}).json()
    assert [o["id"] for o in listing["orders"]] == ["ORD-1"]
    assert listing["next_after"] == "ORD-1"
    rest = client.get("/api/v1/orders", params={"after": "ORD-1"}).json()
    assert [o["id"] for o in rest["orders"]] == ["ORD-2"]
    assert rest["next_after"] is None

    stolen = canonical_order("ORD-3", (UPS, "ups", {"DRILL-18V": 1}))
    conflict = client.post("/api/v1/orders", json=stolen)
    assert conflict.status_code == 409
    assert "already belongs to order 'ORD-1'" in conflict.json()["detail"]

    bad = {**other, "id": "ORD-4", "placed_at": "yesterday", "lines": [{"sku": "X", "quantity": 0}]}
    refused = client.post("/api/v1/orders", json=bad)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"placed_at", "lines.0.quantity"}
    assert client.get("/api/v1/orders/ORD-4").status_code == 404


def test_missing_things_are_problem_documents(client: TestClient) -> None:
    for path in ("/api/v1/orders/NOPE", "/api/v1/shipments/NOPE", "/api/v1/nothing"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert answer.headers["content-type"] == PROBLEM
    wrong = client.get("/api/v1/orders", params={"status": "teleported"})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "query.status"


def test_health_and_the_published_contract(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert {"EventIn", "OrderIn", "LocationIn", "LineIn"} <= set(schemas)
    assert "return" in schemas["EventIn"]["properties"]
    body = spec["paths"]["/api/v1/events"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["items"]["$ref"].endswith("/EventIn")


def test_values_a_database_could_not_keep_are_refused_item_by_item(client: TestClient) -> None:
    good = scan("carrier_accepted", "2026-11-19T18:30:00-05:00")
    deep: Any = "bottom"
    for _ in range(40):
        deep = {"d": deep}
    batch = [
        good,
        scan("in_transit", "2026-11-20T01:00:00Z", data={"weight": "INFINITE"}),
        scan("in_transit", "2026-11-20T02:00:00Z", data=deep),
        scan("in_transit", "2026-11-20T03:00:00Z", data={"estimated_delivery": "x" * 500}),
        scan("in_transit", "0001-01-01T00:00:00+05:00"),
        scan("in_transit", "2026-11-20T04:00:00Z", raw_description="nul\u0000byte"),
    ]
    body = json.dumps(batch).replace('"INFINITE"', "1e400")  # a float too big to be finite
    answer = client.post(
        "/api/v1/events", content=body, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["accepted"] == 1
    assert [e["index"] for e in problem["errors"]] == [1, 2, 3, 4, 5]
    messages = " ".join(e["message"] for e in problem["errors"])
    for words in ("finite", "deeper than", "ISO 8601", "outside 1970", "NUL"):
        assert words in messages


def test_nan_tokens_and_nul_addresses_are_bad_requests(client: TestClient) -> None:
    nan = (
        b'[{"shipment": "x", "source": "carrier:ups", "occurred_at": "2026-11-20T00:00:00Z",'
        b' "raw_code": "A", "data": {"w": NaN}}]'
    )
    answer = client.post(
        "/api/v1/events", content=nan, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400
    for path in ("/api/v1/orders/ORD%001", "/api/v1/shipments/T%001", "/api/v1/orders?after=%00"):
        refused = client.get(path)
        assert refused.status_code == 400
        assert refused.headers["content-type"] == PROBLEM


def test_an_order_id_in_any_script_gets_a_working_location(client: TestClient) -> None:
    order = canonical_order("ORDRE-Ā/7 ü", ("NEW-TRACK-1", "dhl", {"X": 1}))
    created = client.post("/api/v1/orders", json=order)
    assert created.status_code == 201
    assert client.get(created.headers["location"]).json()["id"] == "ORDRE-Ā/7 ü"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": {"amount": 10**30, "currency": "USD"}}, "value.amount"),
        ({"value": {"amount": 2**63, "currency": "USD"}}, "value.amount"),
        ({"customer": {"time_zone": "Mars/Olympus"}}, "customer.time_zone"),
        ({"customer": {"name": "Dana\u0007Reyes"}}, "customer.name"),
        ({"promised_by": "0001-01-01"}, "promised_by"),
        ({"promised_by": "2026-01-01"}, "promised_by"),  # before the order was placed
        ({"placed_at": "2026-11-18T14:02:00+23:59"}, "placed_at"),
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": f"SKU-{n}", "quantity": 1} for n in range(1001)]}, "lines"),
    ],
)
def test_nonsense_orders_are_refused_naming_the_field(
    client: TestClient, change: dict[str, Any], field: str
) -> None:
    order = canonical_order("ORD-NONSENSE", ("NEW-TRACK-9", "dhl", {"X": 1})) | change
    body = json.dumps(order)  # json.dumps writes a lone surrogate as the escape a sender would
    answer = client.post(
        "/api/v1/orders", content=body, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert client.get("/api/v1/orders/ORD-NONSENSE").status_code == 404


def test_nonsense_events_are_refused_naming_the_field_and_the_good_ones_land(
    client: TestClient,
) -> None:
    returned = {"return": "RMA-1", "order": "ORD-1", "source": "warehouse:louisville"}
    batch = [
        scan("in_transit", "2026-11-20T03:15:00+23:59"),
        scan("in_transit", "2026-11-20T04:00:00Z", data={"operator": "\udfff"}),
        scan("in_transit", "2026-11-20T04:00:00Z", raw_code="\udfff"),
        {**returned, "milestone": "return_received", "occurred_at": "2026-11-26T09:00:00Z"},
        {
            **returned,
            "milestone": "disposition_decided",
            "occurred_at": "2026-11-26T10:00:00Z",
            "data": {"disposition": "banana"},
        },
        scan("in_transit", "2026-11-20T05:00:00Z"),
    ]
    answer = client.post(
        "/api/v1/events", content=json.dumps(batch), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert [(e["index"], e["field"]) for e in problem["errors"]] == [
        (0, "occurred_at"),
        (1, "data.operator"),
        (2, "raw_code"),
        (4, "data.disposition"),
    ]
    assert "surrogate" in problem["errors"][1]["message"]
    assert "surrogate" in problem["errors"][2]["message"]
    assert "restock" in problem["errors"][3]["message"]
    assert problem["accepted"] == 2
    assert client.get("/api/v1/orders/ORD-1").status_code == 200


def test_a_site_name_with_a_control_character_is_refused(client: TestClient) -> None:
    for name, zone in (("Louisville\u0001DC", None), ("Louisville DC", "Mars/Olympus")):
        answer = client.put("/api/v1/sites/louisville", json={"name": name, "time_zone": zone})
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == PROBLEM
    assert client.get("/api/v1/sites").json() == []
