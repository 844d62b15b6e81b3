"""API keys and roles: every API route checks the role, and the object where it matters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from ordertrail.bootstrap import System
from ordertrail.domain.access import GRANTS, Permission, Role
from ordertrail.store.tables import api_keys
from ordertrail.web.app import create_app, routers
from tests.factories import api_key, canonical_order

UPS = "1Z999AA10123456784"


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system)) as test_client:
        order = canonical_order("ORD-1", (UPS, "ups", {"HAT": 1}))
        order["customer"] |= {"phone": "+15555550100"}
        assert test_client.post("/api/v1/orders", json=order, headers=api_key(system)).is_success
        yield test_client


def keyed(path: str) -> bool:
    """Is this a route for API keys (the API, and /metrics for scrapers)?"""
    return path.startswith("/api/v1") or path == "/metrics"


def api_routes(system: System) -> list[tuple[str, str, Permission | None]]:
    """(method, path, permission it declares) for every route under /api/v1, and /metrics."""
    found = []
    for route in (r for routes in routers() for r in routes.routes):
        if not isinstance(route, APIRoute) or not keyed(route.path):
            continue
        needs = [
            getattr(d.call, "permission", None)
            for d in route.dependant.dependencies
            if getattr(d.call, "permission", None)
        ]
        for method in sorted(route.methods):
            found.append((method, route.path, needs[0] if needs else None))
    return found


def test_every_api_route_declares_the_permission_it_needs(system: System) -> None:
    routes = api_routes(system)
    published = create_app(system).openapi()["paths"]
    documented = {
        (method.upper(), path)
        for path, operations in published.items()
        if keyed(path)
        for method in operations
    }
    assert documented == {(m, re.sub(r":path\}", "}", p)) for m, p, _ in routes}
    assert [(m, p) for m, p, needs in routes if needs is None] == []


def test_every_api_route_refuses_a_missing_key_and_a_key_of_the_wrong_role(
    client: TestClient, system: System
) -> None:
    keys = {role: api_key(system, role.value) for role in Role}
    refused = 0
    for method, path, needs in api_routes(system):
        url = re.sub(r"\{[^}]+\}", "x", path)
        body: Any = [] if path.endswith("/events") else {}
        anonymous = client.request(method, url, json=body)
        assert anonymous.status_code == 401, (method, path)
        assert anonymous.headers["www-authenticate"] == "Bearer"
        for role, headers in keys.items():
            answer = client.request(method, url, json=body, headers=headers)
            if needs in GRANTS[role]:
                assert answer.status_code != 403, (method, path, role)
            else:
                assert answer.status_code == 403, (method, path, role, answer.text)
                refused += 1
    assert refused >= 20  # the loop really met wrong roles


def test_a_warehouse_key_reads_parcels_but_no_customer_contact(
    client: TestClient, system: System
) -> None:
    warehouse = client.get("/api/v1/orders/ORD-1", headers=api_key(system, "warehouse"))
    assert warehouse.status_code == 200
    text = warehouse.text
    for private in ("dana@example.com", "Dana Reyes", "+15555550100", "40213"):
        assert private not in text
    assert warehouse.json()["shipments"][0]["tracking_number"] == UPS
    support = client.get("/api/v1/orders/ORD-1", headers=api_key(system, "support")).json()
    assert support["customer"]["email"] == "dana@example.com"


def test_a_warehouse_key_speaks_for_warehouses_and_a_bound_key_for_its_own_site(
    client: TestClient, system: System
) -> None:
    headers = api_key(system, "warehouse", site="louisville")
    at = "2026-11-19T10:00:00+00:00"
    batch = [
        {
            "shipment": UPS,
            "milestone": "packed",
            "occurred_at": at,
            "source": "warehouse:louisville",
        },
        {"shipment": UPS, "milestone": "delivered", "occurred_at": at, "source": "carrier:ups"},
        {"shipment": UPS, "milestone": "picked", "occurred_at": at, "source": "warehouse:reno"},
    ]
    answer = client.post("/api/v1/events", json=batch, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["accepted"] == 1
    assert [e["index"] for e in answer.json()["errors"]] == [1, 2]
    assert "may not record events as 'carrier:ups'" in answer.text
    assert client.get(f"/api/v1/shipments/{UPS}", headers=headers).json()["status"] == "packed"
    scan = {"site": "reno", "station": "s1", "operator": "ana", "step": "pick", "code": UPS}
    refused = client.post("/api/v1/scans", json=scan, headers=headers)
    assert refused.status_code == 403 and "louisville" in refused.text


def test_a_support_key_cannot_change_a_mapping_but_an_ops_key_can(
    client: TestClient, system: System
) -> None:
    body = {"milestone": "in_transit"}
    support = client.put("/api/v1/mappings/ups/XQ", json=body, headers=api_key(system, "support"))
    assert support.status_code == 403
    ops = client.put("/api/v1/mappings/ups/XQ", json=body, headers=api_key(system, "ops"))
    assert ops.status_code == 200
    listed = client.get("/api/v1/mappings", headers=api_key(system, "support")).json()
    assert listed["mappings"][0]["mapped_by"] == "key:tests-ops"


def test_a_key_is_shown_once_stored_hashed_and_stops_working_when_revoked(
    client: TestClient, system: System
) -> None:
    admin = api_key(system)
    made = client.post(
        "/api/v1/keys", json={"name": "shopify-sync", "role": "ops"}, headers=admin
    ).json()
    secret = made["key"]
    assert secret.startswith("otk_") and len(secret) > 40
    listed = client.get("/api/v1/keys", headers=admin)
    assert secret not in listed.text and "key_hash" not in listed.text
    with system.engine.connect() as connection:
        stored = [tuple(row) for row in connection.execute(select(api_keys))]
    assert all(secret not in str(row) for row in stored)
    mine = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/orders", headers=mine).status_code == 200
    assert client.delete(f"/api/v1/keys/{made['id']}", headers=admin).status_code == 200
    assert client.get("/api/v1/orders", headers=mine).status_code == 401
    assert client.delete("/api/v1/keys/999999", headers=admin).status_code == 404
    forged = {"Authorization": "Bearer otk_" + "A" * 43}
    assert client.get("/api/v1/orders", headers=forged).status_code == 401
    for odd in ("Bearer", "Basic eDp5", "Bearer " + "x" * 5000, "Bearer \x7f"):
        assert client.get("/api/v1/orders", headers={"Authorization": odd}).status_code == 401


def test_contact_details_reach_no_warehouse_key_through_cases_or_carrier_words(
    client: TestClient, system: System
) -> None:
    ops = api_key(system, "ops")
    delivered = {
        "shipment": UPS,
        "milestone": "delivered",
        "source": "carrier:ups",
        "occurred_at": "2026-11-19T15:00:00+00:00",
        "raw_description": "Delivered, left with DANA REYES",
        "data": {"signed_by": "Dana Reyes"},
    }
    assert client.post("/api/v1/events", json=[delivered], headers=ops).status_code == 200
    report = {"by": "dana@example.com", "note": "never came; call me at +15555550100"}
    missing = client.post(
        f"/api/v1/shipments/{UPS}/reported-missing", json=report, headers=api_key(system, "support")
    )
    assert missing.status_code == 201
    support = client.get("/api/v1/exceptions", headers=api_key(system, "support")).text
    assert "+15555550100" in support  # support sees what the customer said
    warehouse = api_key(system, "warehouse")
    for url in ("/api/v1/exceptions", f"/api/v1/shipments/{UPS}", "/api/v1/orders/ORD-1"):
        text = client.get(url, headers=warehouse).text
        for private in ("dana@example.com", "Dana Reyes", "DANA REYES", "+15555550100"):
            assert private not in text, (url, private)


def test_names_longer_than_the_log_keeps_are_refused_not_crashed(
    client: TestClient, system: System
) -> None:
    admin = api_key(system)
    long_key = client.post("/api/v1/keys", json={"name": "k" * 101, "role": "ops"}, headers=admin)
    assert long_key.status_code == 422
    longest = client.post("/api/v1/keys", json={"name": "k" * 100, "role": "ops"}, headers=admin)
    headers = {"Authorization": f"Bearer {longest.json()['key']}"}
    body = {"milestone": "in_transit", "note": "checked with UPS"}
    corrected = client.post(f"/api/v1/shipments/{UPS}/corrections", json=body, headers=headers)
    assert corrected.status_code == 201, corrected.text
    mapped = client.put(
        "/api/v1/mappings/ups/XQ", json={"milestone": "in_transit"}, headers=headers
    )
    assert mapped.status_code == 200


def test_an_ops_event_names_the_key_that_sent_it_and_no_one_else(
    client: TestClient, system: System
) -> None:
    ops = api_key(system, "ops")
    at = "2026-11-19T10:00:00+00:00"
    correction = {"shipment": UPS, "milestone": "in_transit", "occurred_at": at}
    forged = {**correction, "source": "ops:maria", "data": {"why": "maria said so"}}
    refused = client.post("/api/v1/events", json=[forged], headers=ops)
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert (error["index"], error["field"]) == (0, "source")
    assert "'ops:key:tests-ops'" in error["message"] and "'ops:maria'" in error["message"]
    own = {**correction, "source": "ops:key:tests-ops", "data": {"why": "checked with UPS"}}
    assert client.post("/api/v1/events", json=[own], headers=ops).status_code == 200
    timeline = client.get(f"/api/v1/shipments/{UPS}", headers=ops).json()["timeline"]
    assert [row["source"] for row in timeline] == ["ops:key:tests-ops"]
    # a mapping, too, is made by whoever sends it
    claims = {"milestone": "in_transit", "mapped_by": "ops:maria"}
    mapped = client.put("/api/v1/mappings/ups/XQ", json=claims, headers=ops)
    assert mapped.status_code == 422 and "mapped_by" in mapped.text
    assert client.get("/api/v1/mappings", headers=ops).json()["mappings"] == []


def test_a_warehouse_key_sees_no_postal_code_in_the_places_a_carrier_scanned(
    client: TestClient, system: System
) -> None:
    delivered = {
        "shipment": UPS,
        "milestone": "delivered",
        "source": "carrier:ups",
        "occurred_at": "2026-11-19T15:00:00+00:00",
        "location": {"city": "Louisville", "region": "KY", "country": "US", "postal_code": "40213"},
    }
    assert client.post("/api/v1/events", json=[delivered], headers=api_key(system)).is_success
    warehouse = api_key(system, "warehouse")
    for url in (f"/api/v1/shipments/{UPS}", "/api/v1/orders/ORD-1"):
        answer = client.get(url, headers=warehouse)
        assert "40213" not in answer.text, url
        assert answer.json()["timeline"][0]["location"]["city"] == "Louisville"
    support = client.get(f"/api/v1/shipments/{UPS}", headers=api_key(system, "support"))
    assert support.json()["timeline"][0]["location"]["postal_code"] == "40213"
