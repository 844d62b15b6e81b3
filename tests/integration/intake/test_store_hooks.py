"""Store-platform webhooks: Shopify's documented order and fulfillment bodies, correctly
signed, register the orders, lines and parcels a person would expect; bad signatures store
nothing; re-deliveries and late copies change nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from ordertrail.bootstrap import build
from ordertrail.config import Settings
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key
from tests.paths import FIXTURES

SHOPIFY, WOO = "shpss_store_secret", "wc_secret"


@pytest.fixture
def client(database_url: str, clock: FixedClock) -> Iterator[TestClient]:
    settings = Settings(
        database_url=database_url, hook_secrets={"shopify": SHOPIFY, "woocommerce": WOO}
    )
    system = build(settings, clock=clock)
    with TestClient(create_app(system), headers=api_key(system)) as test_client:
        yield test_client
    system.close()


def sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / "shopify" / name).read_text())
    return loaded


def live_order() -> dict[str, Any]:
    """Shopify's documented sample, as a paid order that was not cancelled."""
    order = sample("orders_create.json")
    order.update(cancelled_at=None, cancel_reason=None, confirmed=True, financial_status="paid")
    return order


def signed_post(
    client: TestClient, source: str, headers: dict[str, str], payload: Any, secret: str
) -> Any:
    """POST `payload` to `/hooks/<source>` signed the way Shopify and WooCommerce sign:
    base64 HMAC-SHA256 of the body, in the header the `signature` key of `headers` names."""
    body = json.dumps(payload).encode()
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    sent = {name: digest if value == "signature" else value for name, value in headers.items()}
    return client.post(
        f"/hooks/{source}", content=body, headers={"content-type": "application/json", **sent}
    )


def shopify(
    client: TestClient, topic: str, payload: Any, *, secret: str = SHOPIFY, delivery: str = ""
) -> Any:
    headers = {
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": "signature",
        "X-Shopify-Webhook-Id": delivery or str(uuid.uuid4()),
    }
    return signed_post(client, "shopify", headers, payload, secret)


def order_view(client: TestClient, order_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/orders/{quote(order_id, safe='')}")
    assert answer.status_code == 200, answer.text
    view: dict[str, Any] = answer.json()
    return view


def milestones(view: dict[str, Any]) -> list[str]:
    return [row["milestone"] for row in view["timeline"]]


def test_the_documented_cancelled_test_order_registers_as_cancelled(client: TestClient) -> None:
    answer = shopify(client, "orders/create", sample("orders_create.json"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["registered"] == 1
    view = order_view(client, "#9999")
    assert view["status"] == "cancelled"
    assert view["channel"] == "shopify"
    assert view["external_id"] == "820982911946154508"
    assert {(line["sku"], line["quantity"]) for line in view["lines"]} == {
        ("SKU2006-001", 1),
        ("LENS-PROTECT-2YR", 1),
        ("CASE-LEATHER-PREM", 1),
        ("SKU2006-020", 1),
        ("SKU2006-035", 1),
    }
    assert view["value"] == {"amount": 40495, "currency": "USD"}
    assert milestones(view) == ["order_placed", "order_cancelled"]
    assert view["timeline"][1]["source"] == "channel:shopify"


def test_fulfillments_become_parcels_with_exactly_their_lines(client: TestClient) -> None:
    assert shopify(client, "orders/create", live_order()).json()["registered"] == 1
    first = sample("fulfillments_create.json")
    first["line_items"] = first["line_items"][:2]
    second = sample("fulfillments_create.json")
    second.update(id=123457, name="#9999.2", tracking_number="1Z999AA10123456784")
    second.update(tracking_numbers=["1Z999AA10123456784"], line_items=second["line_items"][2:])
    for fulfillment in (first, second):
        answer = shopify(client, "fulfillments/create", fulfillment)
        assert answer.json()["registered"] == 1, answer.text
    view = order_view(client, "#9999")
    parcels = {parcel["id"]: parcel for parcel in view["shipments"]}
    assert set(parcels) == {"shopify-fulfillment-123456", "shopify-fulfillment-123457"}
    one, two = parcels["shopify-fulfillment-123456"], parcels["shopify-fulfillment-123457"]
    assert one["tracking_number"] == "1z827wk74630" and one["carrier"] == "ups"
    assert [line["sku"] for line in one["lines"]] == ["SKU2006-001", "LENS-PROTECT-2YR"]
    assert [line["sku"] for line in two["lines"]] == [
        "CASE-LEATHER-PREM",
        "SKU2006-020",
        "SKU2006-035",
    ]
    assert (one["status"], two["status"]) == ("label_created", "label_created")
    assert view["status"] == "in_fulfillment"
    # the order's own update lists the same fulfillments: nothing doubles
    updated = live_order() | {"updated_at": "2022-01-01T10:00:00-05:00"}
    updated["fulfillments"] = [first, second]
    assert shopify(client, "orders/updated", updated).status_code == 200
    again = order_view(client, "#9999")
    assert len(again["shipments"]) == 2
    assert milestones(again).count("label_created") == 2


def test_a_cancellation_keeps_what_shipped_and_cancels_the_rest(client: TestClient) -> None:
    placed = live_order()
    shipped = sample("fulfillments_create.json") | {"line_items": []}
    shipped["line_items"] = sample("fulfillments_create.json")["line_items"][:1]
    placed["fulfillments"] = [shipped]
    shopify(client, "orders/create", placed)
    accepted = {
        "source": "carrier:ups",
        "shipment": "1z827wk74630",
        "milestone": "carrier_accepted",
        "occurred_at": "2022-01-01T09:00:00-05:00",
    }
    assert client.post("/api/v1/events", json=[accepted]).status_code in (200, 201)
    assert order_view(client, "#9999")["status"] == "partially_shipped"
    cancelled = placed | {
        "cancelled_at": "2022-01-02T08:00:00-05:00",
        "cancel_reason": "customer",
        "updated_at": "2022-01-02T08:00:00-05:00",
    }
    assert shopify(client, "orders/cancelled", cancelled).status_code == 200
    view = order_view(client, "#9999")
    assert view["status"] == "shipped"  # the parcel that left still counts; nothing pends
    assert "order_cancelled" in milestones(view)


def test_bad_signatures_store_nothing_and_redeliveries_change_nothing(
    client: TestClient,
) -> None:
    forged = shopify(client, "orders/create", live_order(), secret="not the secret")
    assert forged.status_code == 401
    assert client.get(f"/api/v1/orders/{quote('#9999', safe='')}").status_code == 404
    first = shopify(client, "orders/create", live_order(), delivery="d-1")
    before = order_view(client, "#9999")
    again = shopify(client, "orders/create", live_order(), delivery="d-1")
    assert again.json()["duplicate_delivery"] is True
    resent = shopify(client, "orders/create", live_order())  # same body, new delivery id
    assert resent.json()["duplicates"] == len(before["timeline"])
    assert first.json()["accepted"] == len(before["timeline"])
    assert order_view(client, "#9999") == before


def test_a_late_older_copy_of_an_order_is_not_applied(client: TestClient) -> None:
    newer = live_order() | {"updated_at": "2022-01-03T00:00:00-05:00", "email": "new@example.com"}
    older = live_order() | {"updated_at": "2022-01-01T00:00:00-05:00", "email": "old@example.com"}
    shopify(client, "orders/updated", newer)
    late = shopify(client, "orders/updated", older)
    assert late.json()["registered"] == 0
    assert order_view(client, "#9999")["customer"]["email"] == "new@example.com"


def test_a_late_older_fulfillment_update_does_not_undo_a_newer_one(client: TestClient) -> None:
    assert shopify(client, "orders/create", live_order()).json()["registered"] == 1
    newer = sample("fulfillments_create.json") | {
        "updated_at": "2022-01-03T00:00:00-05:00",
        "tracking_number": "1Z999AA10123456784",
        "tracking_numbers": ["1Z999AA10123456784"],
    }
    older = sample("fulfillments_create.json") | {"updated_at": "2022-01-02T00:00:00-05:00"}
    assert shopify(client, "fulfillments/update", newer).json()["registered"] == 1
    late = shopify(client, "fulfillments/update", older).json()
    assert late["registered"] == 0 and late["accepted"] == 0  # nothing it said is recorded
    [parcel] = order_view(client, "#9999")["shipments"]
    assert parcel["tracking_number"] == "1Z999AA10123456784"
    undated = sample("fulfillments_create.json") | {"updated_at": None}
    assert shopify(client, "fulfillments/update", undated).json()["registered"] == 1


def test_a_fulfillment_of_a_carton_the_warehouse_labelled_is_that_carton(
    client: TestClient,
) -> None:
    """The warehouse packs and labels carton SSCC with tracking T; then the shop's fulfillment
    with T and its items arrives. One box: the carton takes the items, and the fulfillment's
    id (which Shopify's tracking events name) finds the carton."""
    assert shopify(client, "orders/create", live_order()).json()["registered"] == 1
    assert client.put("/api/v1/sites/louisville", json={"name": "Louisville DC"}).is_success
    sscc, tracking = "376012345000000010", "1Z999AA10123456784"
    station = {"site": "louisville", "station": "pack-1", "operator": "ana", "order": "#9999"}
    for step, code, label in (("pack", sscc, None), ("label", sscc, tracking)):
        body = station | {"step": step, "code": f"(00){sscc}" if code == sscc else code}
        body |= {"label": label} if label else {}
        assert client.post("/api/v1/scans", json=body).status_code == 201, body
    fulfillment = sample("fulfillments_create.json") | {
        "tracking_number": tracking,
        "tracking_numbers": [tracking],
    }
    answer = shopify(client, "fulfillments/create", fulfillment).json()
    assert answer["registered"] == 1 and answer["not_registered"] == [], answer
    [parcel] = order_view(client, "#9999")["shipments"]
    assert parcel["id"] == sscc and parcel["tracking_number"] == tracking
    assert {line["sku"] for line in parcel["lines"]} >= {"SKU2006-001"}
    found = client.get("/api/v1/shipments/shopify-fulfillment-123456").json()
    assert found["id"] == sscc


def test_unusable_deliveries_are_explained(client: TestClient) -> None:
    orphan = sample("fulfillments_create.json") | {"name": "#4242.1"}
    answer = shopify(client, "fulfillments/create", orphan)
    assert answer.status_code == 200
    assert "#4242" in answer.json()["not_registered"][0]
    nameless = sample("fulfillments_create.json") | {"name": "no dot"}
    assert shopify(client, "fulfillments/create", nameless).status_code == 422
    assert shopify(client, "orders/create", [1, 2]).status_code == 422
    timeless = live_order() | {"created_at": "yesterday"}
    problem = shopify(client, "orders/create", timeless)
    assert problem.status_code == 422 and "created_at" in problem.json()["detail"]
    other = shopify(client, "products/update", {"id": 1})
    assert other.json()["refused"][0]["field"] == "X-Shopify-Topic"


def woo_sample() -> dict[str, Any]:
    """WooCommerce's documented order 727 (REST API v3 "Retrieve an order")."""
    orders = json.loads((FIXTURES / "channels" / "woocommerce_orders.json").read_text())
    first: dict[str, Any] = orders[0]
    return first


def woocommerce(
    client: TestClient, topic: str, payload: Any, *, secret: str = WOO, delivery: str = ""
) -> Any:
    headers = {
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Signature": "signature",
        "X-WC-Webhook-Delivery-ID": delivery or str(uuid.uuid4()),
    }
    return signed_post(client, "woocommerce", headers, payload, secret)


def test_woocommerce_orders_register_with_their_tracking(client: TestClient) -> None:
    ping = client.post(
        "/hooks/woocommerce",
        content=b"webhook_id=15",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert ping.status_code == 200 and ping.json()["accepted"] == 0
    unsigned = client.post("/hooks/woocommerce", content=json.dumps(woo_sample()).encode())
    assert unsigned.status_code == 401
    assert woocommerce(client, "order.created", woo_sample(), secret="nope").status_code == 401
    assert client.get("/api/v1/orders/727").status_code == 404
    answer = woocommerce(client, "order.created", woo_sample())
    assert answer.json()["registered"] == 1, answer.text
    view = order_view(client, "727")
    assert (view["channel"], view["external_id"], view["status"]) == (
        "woocommerce",
        "727",
        "confirmed",
    )
    assert view["value"] == {"amount": 2935, "currency": "USD"}
    assert milestones(view) == ["order_placed", "order_confirmed"]
    shipped = woo_sample() | {"date_modified_gmt": "2017-03-23T10:00:00"}
    shipped["meta_data"] = shipped["meta_data"] + [
        {
            "id": 13200,
            "key": "_wc_shipment_tracking_items",
            "value": [
                {
                    "tracking_provider": "ups",
                    "tracking_number": "1Z999AA10123456784",
                    "date_shipped": "1490263200",
                    "tracking_id": "a1b2",
                }
            ],
        }
    ]
    woocommerce(client, "order.updated", shipped, delivery="wc-9")
    again = woocommerce(client, "order.updated", shipped, delivery="wc-9")
    assert again.json()["duplicate_delivery"] is True
    parcel = order_view(client, "727")["shipments"][0]
    assert (parcel["tracking_number"], parcel["carrier"], parcel["status"]) == (
        "1Z999AA10123456784",
        "ups",
        "label_created",
    )
    cancelled = shipped | {"status": "cancelled", "date_modified_gmt": "2017-03-24T08:00:00"}
    woocommerce(client, "order.updated", cancelled)
    view = order_view(client, "727")
    assert view["status"] == "cancelled" and milestones(view)[-1] == "order_cancelled"
    other = woocommerce(client, "product.updated", {"id": 1})
    assert other.json()["refused"][0]["field"] == "X-WC-Webhook-Topic"


def fulfillment(number: int, tracking: str | None, skus: slice, **more: Any) -> dict[str, Any]:
    """The documented fulfillment, as fulfillment `number` of #9999 with some of its items."""
    made = sample("fulfillments_create.json")
    made.update(id=123455 + number, name=f"#9999.{number}", line_items=made["line_items"][skus])
    made.update(tracking_number=tracking, tracking_numbers=[tracking] if tracking else [])
    return made | more


def test_the_order_webhook_alone_registers_parcels_and_their_labels(client: TestClient) -> None:
    order = live_order() | {"fulfillments": [fulfillment(1, "1Z999AA10123456784", slice(0, 2))]}
    answer = shopify(client, "orders/create", order).json()
    assert answer["refused"] == [] and answer["accepted"] == 3
    parcel = order_view(client, "#9999")["shipments"][0]
    assert (parcel["status"], parcel["tracking_number"]) == ("label_created", "1Z999AA10123456784")


def test_a_mistyped_or_shared_tracking_number_does_not_lose_the_order(client: TestClient) -> None:
    order = live_order()
    order["fulfillments"] = [
        fulfillment(1, "1Z999AA10123456785", slice(0, 1)),  # check digit wrong
        fulfillment(2, "1Z12345E6605272234", slice(1, 2)),
        fulfillment(3, "1Z12345E6605272234", slice(2, 4)),  # into the same box as .2
    ]
    answer = shopify(client, "orders/create", order).json()
    assert answer["registered"] == 1
    assert "check digit" in answer["refused"][0]["message"]
    parcels = {p["id"]: p for p in order_view(client, "#9999")["shipments"]}
    assert parcels["shopify-fulfillment-123456"]["tracking_number"] is None
    shared = parcels["shopify-fulfillment-123457"]
    assert [line["sku"] for line in shared["lines"]] == [
        "LENS-PROTECT-2YR",
        "CASE-LEATHER-PREM",
        "SKU2006-020",
    ]
    assert "shopify-fulfillment-123458" not in parcels


def test_a_cancelled_fulfillment_is_not_waited_for(client: TestClient, clock: FixedClock) -> None:
    first = fulfillment(1, "1Z999AA10123456784", slice(0, 5))
    shopify(client, "orders/create", live_order() | {"fulfillments": [first]})
    cancelled = first | {"status": "cancelled", "updated_at": "2022-01-01T10:00:00-05:00"}
    again = fulfillment(2, "1Z12345E6605272234", slice(0, 5))
    shopify(client, "orders/updated", live_order() | {"fulfillments": [cancelled, again]})
    parcels = {p["id"]: p for p in order_view(client, "#9999")["shipments"]}
    assert parcels["shopify-fulfillment-123456"]["cancelled"] is True
    delivered = {
        "source": "carrier:ups",
        "shipment": "1Z12345E6605272234",
        "milestone": "delivered",
        "occurred_at": "2022-01-03T12:00:00-05:00",
    }
    client.post("/api/v1/events", json=[delivered])
    assert order_view(client, "#9999")["status"] == "delivered"
    clock.advance(days=30)
    assert client.get("/api/v1/missing-scans").json() == []


@pytest.mark.parametrize(
    ("topic", "change", "field"),
    [
        ("orders/create", {"shipping_address": "x"}, "shipping_address"),
        ("orders/create", {"fulfillments": 3}, "fulfillments"),
        ("orders/create", {"line_items": 3}, "line_items"),
        ("orders/create", {"shipping_lines": "x"}, "shipping_lines"),
        ("orders/create", {"total_price_set": "x"}, "total_price_set"),
        ("fulfillments/create", {"tracking_numbers": "1Z999AA10123456784"}, "tracking_numbers"),
    ],
)
def test_fields_of_the_wrong_type_are_named(
    client: TestClient, topic: str, change: dict[str, Any], field: str
) -> None:
    shopify(client, "orders/create", live_order())
    base = live_order() if topic.startswith("orders") else sample("fulfillments_create.json")
    answer = shopify(client, topic, base | change)
    assert answer.status_code == 422 and field in answer.json()["detail"]


def test_topics_that_are_not_whole_orders_are_acknowledged(client: TestClient) -> None:
    answer = shopify(client, "orders/edited", {"order_edit": {"id": 1}})
    assert answer.status_code == 200
    assert answer.json()["refused"][0]["field"] == "X-Shopify-Topic"


def test_a_store_update_keeps_a_warehouse_relabel(client: TestClient) -> None:
    order = live_order() | {"fulfillments": [fulfillment(1, "1Z999AA10123456784", slice(0, 5))]}
    shopify(client, "orders/create", order)
    client.put("/api/v1/sites/lou", json={"name": "Louisville"})
    relabel = {
        "site": "lou",
        "station": "s1",
        "operator": "ana",
        "step": "relabel",
        "code": "1Z999AA10123456784",
        "label": "1Z12345E6605272234",
    }
    assert client.post("/api/v1/scans", json=relabel).status_code == 201
    later = order | {"updated_at": "2022-01-05T00:00:00-05:00"}
    assert shopify(client, "orders/updated", later).json()["registered"] == 1
    parcel = order_view(client, "#9999")["shipments"][0]
    assert parcel["tracking_number"] == "1Z12345E6605272234"


def test_an_unsigned_ping_cannot_block_a_delivery(client: TestClient) -> None:
    ping = client.post(
        "/hooks/woocommerce",
        content=b"webhook_id=1",
        headers={"X-WC-Webhook-Delivery-ID": "d-42", "content-type": "text/plain"},
    )
    assert ping.status_code == 200
    real = woocommerce(client, "order.created", woo_sample(), delivery="d-42")
    assert real.json()["registered"] == 1


def test_a_stale_woocommerce_copy_records_nothing(client: TestClient) -> None:
    newer = woo_sample() | {"date_modified_gmt": "2017-03-25T00:00:00"}
    woocommerce(client, "order.updated", newer)
    stale = woo_sample() | {"status": "cancelled", "date_modified_gmt": "2017-03-23T00:00:00"}
    answer = woocommerce(client, "order.updated", stale).json()
    assert answer["registered"] == 0 and answer["accepted"] == 0
    assert order_view(client, "727")["status"] == "confirmed"


def test_woocommerce_parcels_are_named_by_their_tracking_numbers(client: TestClient) -> None:
    def tracked(*numbers: str) -> dict[str, Any]:
        items = [{"tracking_provider": "ups", "tracking_number": n} for n in numbers]
        meta = woo_sample()["meta_data"] + [{"key": "_wc_shipment_tracking_items", "value": items}]
        return woo_sample() | {"meta_data": meta}

    woocommerce(client, "order.updated", tracked("1Z999AA10123456784", "1Z12345E6605272234"))
    answer = woocommerce(client, "order.updated", tracked("1Z12345E6605272234"))
    assert answer.json()["registered"] == 1, answer.text
    bad = woocommerce(client, "order.updated", woo_sample() | {"meta_data": 3})
    assert bad.status_code == 422 and "meta_data" in bad.json()["detail"]


def test_no_public_page_shows_the_street_email_or_phone_a_store_sent(client: TestClient) -> None:
    order = live_order()
    order["fulfillments"] = [
        sample("fulfillments_create.json")
        | {"tracking_number": "1Z999AA10123456784", "tracking_numbers": ["1Z999AA10123456784"]}
    ]
    assert shopify(client, "orders/create", order).status_code == 200
    private = ["123 Shipping Street", "123 Elm St.", "Steve Shipper", "555-555-SHIP", "jon@"]
    public = [
        client.get("/track/1Z999AA10123456784"),
        client.get("/track", params={"order": "#9999", "email": "jon@example.com"}),
        client.get("/track", params={"order": "#9999", "postal_code": "40003"}),
        client.get("/track", params={"order": "#9999", "email": "someone@else.example"}),
    ]
    assert [answer.status_code for answer in public] == [200, 200, 200, 404]
    assert "1Z999AA10123456784" in public[1].text  # the order was found, parcel and all
    for answer in public:
        for secret in private:
            assert secret not in answer.text, (answer.url, secret)


def test_the_shops_product_names_travel_with_the_lines_to_the_customer(
    client: TestClient,
) -> None:
    """Shopify names its products; customers and staff read those names, not SKUs, on the
    order, on each parcel (a carton packed with SKUs only borrows the order's names)."""
    assert shopify(client, "orders/create", live_order()).json()["registered"] == 1
    view = order_view(client, "#9999")
    names = {line["sku"]: line.get("name") for line in view["lines"]}
    assert names["SKU2006-001"] == "Aviator sunglasses"
    assert names["SKU2006-020"] == "Mid-century lounger"
    first = sample("fulfillments_create.json")
    first["line_items"] = first["line_items"][3:4]
    for item in first["line_items"]:
        item.pop("name"), item.pop("title")  # a fulfillment that lists SKUs only
    assert shopify(client, "fulfillments/create", first).json()["registered"] == 1
    [parcel] = order_view(client, "#9999")["shipments"]
    lounger = {"sku": "SKU2006-020", "quantity": 1, "name": "Mid-century lounger"}
    assert parcel["lines"] == [lounger | {"image_url": None}]  # Shopify's webhook sends none
    page = client.get("/track", params={"order": "#9999", "postal_code": "40003"}).text
    lines = [
        " ".join(re.sub("<[^>]+>", " ", li).split())
        for li in re.findall(r'<li class="line">(.*?)</li>', page, re.S)
    ]
    assert lines == [
        "1 × Aviator sunglasses — Not shipped yet",
        "1 × Lens Protection Plan (2 Year) — Not shipped yet",
        "1 × Premium Leather Case — Not shipped yet",
        "1 × Mid-century lounger — Shipping label created (parcel 1)",
        "1 × Coffee table — Not shipped yet",
    ]
