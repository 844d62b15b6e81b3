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
    # no person on it: a browser may keep it, asking each time; never a shared cache
    assert answer.headers["cache-control"] == "private, no-cache"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "noindex" in answer.headers["x-robots-tag"]
    assert "Hat &amp; Mug Co." in answer.text


def test_a_parcel_page_asked_for_again_unchanged_is_a_304_until_there_is_news(
    client: TestClient, clock: FixedClock
) -> None:
    first = client.get(f"/track/{FEDEX}")
    tag = first.headers["etag"]
    again = client.get(f"/track/{FEDEX}", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    news = {"shipment": FEDEX, "milestone": "out_for_delivery", "source": "carrier:fedex"}
    clock.advance(hours=1)
    sent = client.post("/api/v1/events", json=[news | {"occurred_at": clock.now().isoformat()}])
    assert sent.status_code == 200
    changed = client.get(f"/track/{FEDEX}", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    # weak tags, lists with any spacing and `*` name it too
    fresh = changed.headers["etag"]
    for asked in (f"W/{fresh}", f'"other",{fresh}', f'"other" ,  W/{fresh}', "*"):
        renewed = client.get(f"/track/{FEDEX}", headers={"If-None-Match": asked})
        assert renewed.status_code == 304, asked
    assert client.get(f"/track/{FEDEX}", headers={"If-None-Match": '"other"'}).status_code == 200
    # the order's own page (with the customer's items) is never kept nor tagged
    order = client.get("/track", params={"order": "ORD-7", "email": "dana@example.com"})
    assert order.headers["cache-control"] == "no-store" and "etag" not in order.headers


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
        {"order": "NOPE", "email": "dana@example.com"},
    ],
)
def test_not_found_and_not_matching_look_the_same(
    client: TestClient, params: dict[str, str]
) -> None:
    answer = client.get("/track", params=params)
    assert answer.status_code == 404
    assert "We could not find an order with that number and" in answer.text
    assert "HAT" not in answer.text and "Delivered" not in answer.text
    for secret in PRIVATE:  # what they typed comes back to them; nothing else does
        assert secret in params.values() or secret not in answer.text


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
    returned = answer.text[answer.text.index("Progress of this return") :]
    stages = re.findall(
        r'<li class="step (done|current|todo)".*?<span class="name">([^<]+)', returned, re.S
    )
    assert [(state, words.strip()) for state, words in stages] == [
        ("done", "Requested"),
        ("done", "Approved"),
        ("current", "On its way back"),
        ("todo", "Received"),
        ("todo", "Refunded or replaced"),
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


# Issue 13: defects found trying the page as its customers would.

COLUMBUS = {"city": "Columbus", "region": "OH", "country": "US", "postal_code": "43215"}
BOXED = "1Z12345E6605272234"


def shopify_order(client: TestClient, clock: FixedClock) -> None:
    """#1019 as Shopify sends it: no stored time zone, a Columbus ZIP, the BOOK in no parcel
    yet; its chair parcel delivered at 12:11 in Columbus, into the mailbox, signed for."""
    order = canonical_order("#1019", (BOXED, "ups", {"CHAIR": 2}))
    order["lines"].append({"sku": "BOOK", "quantity": 1})
    order["customer"] = {"email": "dana@example.com", "postal_code": "43215", "country": "US"}
    order["customer"] |= {"name": "Dana Reyes"}
    assert client.post("/api/v1/orders", json=order).status_code == 201
    delivered = {"shipment": BOXED, "milestone": "delivered", "source": "carrier:ups"}
    delivered |= {"occurred_at": "2026-11-25T17:11:00+00:00", "location": COLUMBUS}
    delivered |= {"raw_description": "Delivered, In/At Mailbox"}
    delivered |= {"data": {"signed_by": "Dana Reyes"}}
    assert client.post("/api/v1/events", json=[delivered]).status_code == 200


def test_times_are_the_destinations_own_and_the_zone_is_named(
    client: TestClient, clock: FixedClock
) -> None:
    shopify_order(client, clock)
    for answer in (
        page(client, f"/track/{BOXED}"),
        page(client, "/track", order="#1019", email="dana@example.com"),
    ):
        assert answer.status_code == 200
        assert "12:11" in answer.text and "17:11" not in answer.text
        assert "Times in Eastern Time" in answer.text


def test_every_line_of_the_order_shows_with_its_state(
    client: TestClient, clock: FixedClock
) -> None:
    shopify_order(client, clock)
    text = page(client, "/track", order="#1019", email="dana@example.com").text
    assert "Ordered on Wed 18 Nov 2026" in text  # 14:02 UTC is 09:02 in Columbus
    lines = re.findall(r'<li class="line">(.*?)</li>', text, re.S)
    assert [" ".join(re.sub("<[^>]+>", " ", line).split()) for line in lines] == [
        "2 × CHAIR — Delivered (parcel 1)",
        "1 × BOOK — Not shipped yet",
    ]


def test_a_packed_parcel_says_so_rather_than_waiting_for_news(
    client: TestClient, clock: FixedClock
) -> None:
    order = canonical_order("#1030", ("CARTON-1", "ups", {"HAT": 1}))
    order["shipments"][0] = {"id": "CARTON-1", "lines": [{"sku": "HAT", "quantity": 1}]}
    assert client.post("/api/v1/orders", json=order).status_code == 201
    packed = {"shipment": "CARTON-1", "milestone": "packed", "source": "warehouse:louisville"}
    packed["occurred_at"] = clock.now().isoformat()
    assert client.post("/api/v1/events", json=[packed]).status_code == 200
    text = page(client, "/track", order="#1030", postal_code="40213").text
    assert "Packed, not shipped yet" in text and "Waiting for news" not in text


@pytest.mark.parametrize(
    ("params", "url"),
    [
        ({"order": "1019", "email": "dana@example.com"}, "/track"),  # without the #
        ({"order": " #1019 ", "postal_code": "43215-4410"}, "/track"),  # ZIP+4
        ({"order": "1019", "postal_code": "43215 4410"}, "/track"),
        ({"tracking": "1z12345e6605272234"}, "/track"),  # lower case
        ({"tracking": " 1Z 12345 E66 0527 2234 "}, "/track"),  # spaced as printed
    ],
)
def test_what_people_type_is_read_as_they_meant_it(
    client: TestClient, clock: FixedClock, params: dict[str, str], url: str
) -> None:
    shopify_order(client, clock)
    answer = page(client, url, **params)
    assert answer.status_code == 200 and "Delivered" in answer.text


def test_a_failed_lookup_keeps_what_was_typed_and_says_what_was_not_found(
    client: TestClient,
) -> None:
    wrong = page(client, "/track", order="ORD-7", email="someone@else.example")
    assert wrong.status_code == 404
    assert "could not find an order with that number and email address" in wrong.text
    assert 'value="ORD-7"' in wrong.text and 'value="someone@else.example"' in wrong.text
    by_postal = page(client, "/track", order="ORD-7", postal_code="99999")
    assert "that number and postal code" in by_postal.text and 'value="99999"' in by_postal.text
    unknown = page(client, "/track", order="NOPE", email="someone@else.example")
    assert unknown.status_code == 404
    assert unknown.text.replace("NOPE", "ORD-7") == wrong.text  # nothing tells which exists
    half = page(client, "/track", order="ORD-7")
    assert half.status_code == 422 and "Enter the email address or the postal code" in half.text
    parcel = page(client, "/track/1Z999AA10123456799")
    assert parcel.status_code == 404
    assert "could not find a parcel with the tracking number 1Z999AA10123456799" in parcel.text
    assert "email" not in parcel.text.split("</form>")[0].split("notice")[-1]
    assert 'value="1Z999AA10123456799"' in parcel.text


def test_an_expired_link_says_it_expired_and_how_to_look_again(
    client: TestClient, clock: FixedClock
) -> None:
    answer = page(client, "/track", order="ORD-7", email="dana@example.com")
    found = re.search(r'name="ticket" value="([^"]+)"', answer.text)
    assert found
    assert page(client, f"/t/{found.group(1)}").status_code == 200
    clock.advance(days=400)
    expired = page(client, f"/t/{found.group(1)}")
    assert expired.status_code == 410
    assert "This link has expired" in expired.text and "order number" in expired.text
    assert "could not find" not in expired.text
    never = page(client, "/t/" + "A" * 22)
    assert never.status_code == 404 and "expired" not in never.text


def test_the_customer_sees_the_carriers_proof_of_delivery(
    client: TestClient, clock: FixedClock
) -> None:
    shopify_order(client, clock)
    public = page(client, f"/track/{BOXED}").text
    assert "Left in or at the mailbox" in public and "Reyes" not in public
    theirs = page(client, "/track", order="#1019", email="dana@example.com").text
    assert "Left in or at the mailbox" in theirs and "Signed for by D. Reyes" in theirs


def test_after_saying_it_has_not_arrived_the_page_shows_the_report_and_the_way_back(
    client: TestClient, clock: FixedClock
) -> None:
    shopify_order(client, clock)
    answer = page(client, "/track", order="#1019", email="dana@example.com")
    found = re.search(r'name="ticket" value="([^"]+)"', answer.text)
    assert found
    form = {"ticket": found.group(1), "tracking": BOXED, "note": "not in the mailbox"}
    clock.advance(hours=8)  # 00:00 UTC, after the delivery at 17:11 UTC
    thanks = client.post("/track/not-arrived", data=form)
    assert thanks.status_code == 200
    back = re.search(r'<a href="(/t/[^"]+)">Back to your order</a>', thanks.text)
    assert back, thanks.text
    again = page(client, back.group(1)).text
    assert "You told us on Wed 25 Nov at 19:00 that this parcel has not arrived" in again
    assert "Tell us it has not arrived" not in again
