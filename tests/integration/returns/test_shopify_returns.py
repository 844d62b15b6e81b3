"""A shop that runs its returns in Shopify: the returns webhooks (fixtures written from
Shopify's webhook reference) walk the same return flow and timeline as a return asked for here."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import canonical_order
from tests.integration.intake.test_hooks import client, post, shopify_signed
from tests.paths import FIXTURES

__all__ = ["client"]  # the hooks' client fixture: a shop with a Shopify secret set

RETURNS = FIXTURES / "shopify" / "returns"
RMA = "SHOPIFY-R9473294"


def deliver(client: TestClient, topic: str, body: bytes | None = None) -> Any:
    body = body or (RETURNS / (topic.replace("/", "_") + ".json")).read_bytes()
    answer = post(client, "shopify", body, shopify_signed(body, topic))
    assert answer.status_code == 200, answer.text
    return answer.json()


def delivered_mugs(client: TestClient) -> None:
    order = canonical_order("#1029", ("1Z1029", "ups", {"MUG": 2}))
    assert client.post("/api/v1/orders", json=order).status_code == 201
    news = {"source": "carrier:ups", "shipment": "1Z1029", "milestone": "delivered"}
    news["occurred_at"] = "2026-11-22T12:00:00+00:00"
    assert client.post("/api/v1/events", json=[news]).status_code == 200


def steps(client: TestClient) -> list[tuple[str, str]]:
    shown = client.get(f"/api/v1/returns/{RMA}").json()
    return [(s["milestone"] or s["raw_code"], s["source"]) for s in shown["timeline"]]


def test_a_shopify_return_is_requested_approved_shipped_back_and_closed(
    client: TestClient,
) -> None:
    delivered_mugs(client)
    assert deliver(client, "returns/request")["accepted"] == 1
    shown = client.get(f"/api/v1/returns/{RMA}").json()
    assert (shown["order_id"], shown["status"], shown["requested_by"]) == (
        "#1029",
        "return_requested",
        "channel:shopify",
    )
    assert [(x["sku"], x["quantity"], x["reason"]) for x in shown["lines"]] == [
        ("MUG", 1, "defective")
    ]
    deliver(client, "returns/approve")
    deliver(client, "reverse_deliveries/attach_deliverable")
    carrier = {"source": "carrier:ups", "shipment": "1ZRETURN10290001", "milestone": "in_transit"}
    carrier["occurred_at"] = "2026-11-25T09:00:00+00:00"
    assert client.post("/api/v1/events", json=[carrier]).json()["accepted"] == 1
    assert client.get(f"/api/v1/returns/{RMA}").json()["status"] == "return_in_transit"
    deliver(client, "returns/close")
    assert steps(client) == [
        ("return_requested", "channel:shopify"),
        ("return_approved", "channel:shopify"),
        ("label_attached", "channel:shopify"),
        ("return_in_transit", "carrier:ups"),
        ("refund_released", "channel:shopify"),
    ]
    assert client.get("/api/v1/orders/%231029").json()["status"] == "partially_returned"
    again = deliver(client, "returns/close")  # Shopify delivers again: nothing new
    assert (again["accepted"], again["duplicates"]) == (0, 1)


def test_a_declined_shopify_return_says_why(client: TestClient) -> None:
    delivered_mugs(client)
    deliver(client, "returns/request")
    deliver(client, "returns/decline")
    shown = client.get(f"/api/v1/returns/{RMA}").json()
    assert shown["status"] == "return_rejected"
    assert shown["timeline"][-1]["why"] == (
        "declined in Shopify; return_period_ended; Bought 45 days ago"
    )


def test_unusable_shopify_return_deliveries_are_refused_and_change_nothing(
    client: TestClient,
) -> None:
    delivered_mugs(client)
    disposed = deliver(client, "reverse_fulfillment_orders/dispose")
    assert disposed["accepted"] == 0 and disposed["refused"][0]["field"] == "dispositions"
    request = json.loads((RETURNS / "returns_request.json").read_bytes())
    del request["order"]["name"]
    nameless = post(
        client,
        "shopify",
        body := json.dumps(request).encode(),
        shopify_signed(body, "returns/request"),
    )
    assert nameless.status_code == 422, nameless.text
    assert "order.name" in nameless.text
    request["order"]["name"] = "#1029"
    request["return_line_items"][0]["quantity"] = 0
    zero = post(
        client,
        "shopify",
        body := json.dumps(request).encode(),
        shopify_signed(body, "returns/request"),
    )
    assert zero.status_code == 422 and "quantity" in zero.text
    assert client.get(f"/api/v1/returns/{RMA}").status_code == 404
    assert client.get("/api/v1/returns").json()["returns"] == []
