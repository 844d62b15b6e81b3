"""The customer tracking page without a browser: what it shows, what it never shows, and who
may look how often."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordertrail.bootstrap import build
from ordertrail.config import Settings
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key, canonical_order

UPS, FEDEX = "1Z999AA10123456784", "123456789012"
PRIVATE = ("dana@example.com", "+15555550100", "Dana Reyes", "40213")


@pytest.fixture
def client(database_url: str, clock: FixedClock) -> Iterator[TestClient]:
    system = build(Settings(database_url=database_url, brand_name="Hat & Mug Co."), clock=clock)
    with TestClient(create_app(system), headers=api_key(system)) as test_client:
        order = canonical_order("ORD-7", (UPS, "ups", {"HAT": 1}), (FEDEX, "fedex", {"MUG": 2}))
        order["customer"] |= {"phone": "+15555550100", "time_zone": "America/New_York"}
        assert test_client.post("/api/v1/orders", json=order).status_code == 201
        louisville = {"city": "Louisville", "region": "KY", "country": "US", "postal_code": "40213"}
        events = [
            {"shipment": UPS, "milestone": "carrier_accepted", "location": louisville},
            {"shipment": UPS, "milestone": "delivered", "data": {"signed_by": "Dana Reyes"}},
            {"shipment": FEDEX, "milestone": "carrier_accepted"},
            {
                "shipment": FEDEX,
                "milestone": "delivery_attempted",
                "reason": "recipient_unavailable",
            },
        ]
        for event in events:
            clock.advance(hours=1)
            sent = event | {"source": "carrier:ups", "occurred_at": clock.now().isoformat()}
            if event["shipment"] == FEDEX:
                sent["source"] = "carrier:fedex"
            assert test_client.post("/api/v1/events", json=[sent]).status_code == 200
        yield test_client
    system.close()


def page(client: TestClient, url: str, **params: Any) -> Any:
    answer = client.get(url, params=params, follow_redirects=True)
    for secret in PRIVATE:
        assert secret not in answer.text, f"{secret} shown at {url}"
    return answer


def test_a_tracking_number_shows_where_the_parcel_is_and_nothing_private(
    client: TestClient,
) -> None:
    answer = page(client, "/track", tracking=UPS)
    assert answer.status_code == 200
    assert "Delivered" in answer.text and "Louisville, KY, US" in answer.text
    assert "HAT" not in answer.text  # items only after the order matches
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "noindex" in answer.headers["x-robots-tag"]
    assert "Hat &amp; Mug Co." in answer.text


def test_the_order_with_its_email_shows_each_parcel_and_what_to_do(client: TestClient) -> None:
    answer = page(client, "/track", order="ORD-7", email="DANA@example.com ")
    assert answer.status_code == 200
    text = answer.text
    assert "comes in 2 parcels" in text
    assert "1 × HAT" in text and "2 × MUG" in text
    assert "Delivery attempted because nobody was there to receive it." in text
    assert "What you can do:" in text
    by_postal = page(client, "/track", order="ORD-7", postal_code="40213")
    assert by_postal.status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"order": "ORD-7", "email": "someone@else.example"},
        {"order": "ORD-7", "postal_code": "99999"},
        {"order": "ORD-7"},
        {"order": "NOPE", "email": "dana@example.com"},
    ],
)
def test_not_found_and_not_matching_look_the_same(
    client: TestClient, params: dict[str, str]
) -> None:
    answer = page(client, "/track", **params)
    assert answer.status_code == 404
    assert "We could not find that" in answer.text
    assert "HAT" not in answer.text and "Delivered" not in answer.text


def test_lookups_are_rate_limited_per_identifier(client: TestClient) -> None:
    statuses = [
        page(client, "/track", order="ORD-7", email=f"guess{n}@example.com").status_code
        for n in range(12)
    ]
    assert statuses[:10] == [404] * 10 and statuses[-1] == 429
    unknown = page(client, "/track/NOT-A-PARCEL")
    assert unknown.status_code == 404


def test_the_page_wears_the_brand(database_url: str, clock: FixedClock) -> None:
    settings = Settings(
        database_url=database_url, brand_colour="#0b6b2f", brand_logo_url="/static/logo.svg"
    )
    system = build(settings, clock=clock)
    with TestClient(create_app(system), headers=api_key(system)) as branded:
        text = branded.get("/track").text
    system.close()
    assert "--brand: #0b6b2f" in text and 'src="/static/logo.svg"' in text


def test_each_brand_wears_its_own_look_by_channel_then_host(
    database_url: str, clock: FixedClock
) -> None:
    brands = {
        "hatco": {"name": "Hat Co.", "colour": "#0b6b2f", "channels": ["shopify"]},
        "mugco": {"name": "Mug Co.", "colour": "#ffff00", "hosts": ["track.mugco.example"]},
    }
    system = build(Settings(database_url=database_url, brands=brands), clock=clock)
    with TestClient(create_app(system), headers=api_key(system)) as client:
        order = canonical_order("ORD-7", (UPS, "ups", {"HAT": 1}))
        assert client.post("/api/v1/orders", json=order).status_code == 201
        mug_form = client.get("http://track.mugco.example/track").text
        default_form = client.get("/track").text
        hat_parcel = client.get(f"http://track.mugco.example/track/{UPS}").text
    system.close()
    assert "Mug Co." in mug_form and "--brand: #1b3f8b" in mug_form  # yellow is unreadable
    assert "OrderTrail" in default_form and "Mug Co." not in default_form
    assert "Hat Co." in hat_parcel and "--brand: #0b6b2f" in hat_parcel  # the order's channel


def test_a_brand_without_a_name_stops_the_start(database_url: str) -> None:
    system = build(Settings(database_url=database_url, brands={"x": {"colour": "#000000"}}))
    with pytest.raises(ValueError, match="brand 'x' needs a name"):
        create_app(system)
    system.close()


def test_a_return_shows_how_far_it_has_come_and_what_to_do_next(
    client: TestClient, clock: FixedClock
) -> None:
    moving = {"return": "RET-1", "order": "ORD-7"}
    for milestone, source in (
        ("return_requested", "customer"),
        ("return_approved", "channel:shopify"),
        ("return_in_transit", "carrier:ups"),
    ):
        clock.advance(hours=5)
        event = moving | {"milestone": milestone, "source": source}
        event["occurred_at"] = clock.now().isoformat()
        assert client.post("/api/v1/events", json=[event]).status_code == 200
    answer = page(client, "/track", order="ORD-7", email="dana@example.com")
    stages = re.findall(r'<li class="(done|current|todo)"[^>]*>([^<]+)', answer.text)
    assert [(state, words.strip()) for state, words in stages] == [
        ("done", "Requested"),
        ("done", "Approved"),
        ("current", "On its way to us"),
        ("todo", "Received"),
        ("todo", "Checked"),
        ("todo", "Refund or replacement"),
    ]
    assert 'aria-current="step"' in answer.text


def test_the_same_news_from_the_warehouse_and_the_carrier_is_one_step(
    client: TestClient, clock: FixedClock
) -> None:
    order = canonical_order("ORD-8", ("1Z12345E6605272234", "ups", {"HAT": 1}))
    assert client.post("/api/v1/orders", json=order).status_code == 201
    louisville = {"city": "Louisville", "region": "KY", "country": "US"}
    denver = {"city": "Denver", "region": "CO", "country": "US"}
    told = [
        ("warehouse:louisville", "carrier_accepted", None),
        ("carrier:ups", "carrier_accepted", louisville),
        ("carrier:ups", "in_transit", louisville),
        ("carrier:ups", "in_transit", denver),
    ]
    for source, milestone, place in told:
        clock.advance(hours=1)
        event = {"shipment": "1Z12345E6605272234", "source": source, "milestone": milestone}
        event |= {"occurred_at": clock.now().isoformat()} | ({"location": place} if place else {})
        assert client.post("/api/v1/events", json=[event]).status_code == 200
    text = page(client, "/track/1Z12345E6605272234").text
    steps = re.findall(
        r'<span class="what">([^<]+)</span>(?: <span class="place">· ([^<]+))?', text
    )
    assert steps == [
        ("On its way", "Denver, CO, US"),
        ("On its way", "Louisville, KY, US"),
        ("Handed to the carrier", "Louisville, KY, US"),
    ]


def test_a_customer_tells_us_a_delivered_parcel_never_came(client: TestClient) -> None:
    answer = page(client, "/track", order="ORD-7", email="dana@example.com")
    found = re.search(r'name="ticket" value="([^"]+)"', answer.text)
    assert found and answer.text.count("Tell us it has not arrived") == 1  # the delivered one
    ticket = found.group(1)
    form = {"ticket": ticket, "tracking": UPS, "note": "not at the door or with neighbours"}
    told = client.post("/track/not-arrived", data=form)
    assert told.status_code == 200 and "We are on it" in told.text
    assert told.headers["cache-control"] == "no-store"
    assert client.post("/track/not-arrived", data=form).status_code == 200  # once is a case
    support = api_key(client.app.state.system, "support")  # type: ignore[attr-defined]
    [case] = client.get("/api/v1/exceptions", headers=support).json()[-1:]
    assert case["kind"] == "delivered_reported_missing" and case["team"] == "support"
    assert "not at the door" in case["detail"] and "signed by: Dana Reyes" in case["detail"]
    kinds = [c["kind"] for c in client.get("/api/v1/exceptions", headers=support).json()]
    assert kinds.count("delivered_reported_missing") == 1
    on_its_way = form | {"tracking": FEDEX}
    assert client.post("/track/not-arrived", data=on_its_way).status_code == 404
    guessed = form | {"ticket": "A" * 22}
    assert client.post("/track/not-arrived", data=guessed).status_code == 404
    assert client.post("/track/not-arrived", data=form | {"note": "x\x00"}).status_code == 422
