"""The customer tracking page in a real headless Chromium: a split order with a failed
attempt, a wrong email that shows nothing private, and screenshots at desktop and phone
widths (written to artifacts/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ordertrail.app.casework.cases import find_cases
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.intake.commands import RecordEvents, RegisterOrders
from ordertrail.sources.canonical import parse_event, parse_order
from tests.conftest import FixedClock
from tests.e2e.conftest import LiveServer
from tests.factories import canonical_order

UPS, FEDEX = "1Z999AA10123456784", "123456789012"
#: Every item of issue 13 is checked on a phone and on a laptop.
VIEWPORTS = pytest.mark.parametrize(
    "viewport",
    [{"width": 390, "height": 844}, {"width": 1440, "height": 900}],
    ids=["phone", "laptop"],
)


def store_split_order(live_server: LiveServer, clock: FixedClock) -> None:
    order = canonical_order("ORD-7", (UPS, "ups", {"HAT": 1}), (FEDEX, "fedex", {"MUG": 2}))
    order["customer"] |= {"time_zone": "America/New_York"}
    live_server.system.handle(RegisterOrders([parse_order(order)]))
    place = {"city": "Louisville", "region": "KY", "country": "US"}
    reports = [
        {"shipment": UPS, "milestone": "carrier_accepted", "location": place},
        {"shipment": UPS, "milestone": "out_for_delivery", "location": place},
        {"shipment": FEDEX, "milestone": "carrier_accepted"},
        {"shipment": FEDEX, "milestone": "delivery_attempted", "reason": "address_issue"},
    ]
    for report in reports:
        clock.advance(hours=2)
        source = "carrier:ups" if report["shipment"] == UPS else "carrier:fedex"
        event = report | {"source": source, "occurred_at": clock.now().isoformat()}
        live_server.system.handle(RecordEvents([parse_event(event)]))


def test_a_customer_finds_a_split_order_by_keyboard(
    live_server: LiveServer, browser: Any, artifacts: Path, clock: FixedClock
) -> None:
    store_split_order(live_server, clock)
    for width, height, name in ((1200, 900, "desktop"), (390, 844, "phone")):
        page = browser.new_page(viewport={"width": width, "height": height})
        try:
            page.goto(f"{live_server.url}/track")
            page.fill("#order", "ORD-7")
            page.fill("#email", "dana@example.com")
            with page.expect_navigation():
                page.press("#email", "Enter")
            text = page.inner_text("main")
            assert "comes in 2 parcels" in text
            assert "Parcel 1 of 2" in text and "Parcel 2 of 2" in text
            assert "Out for delivery" in text and "Louisville, KY, US" in text
            assert "the address could not be found" in text
            assert "contact us to confirm your address" in text
            page.screenshot(path=str(artifacts / f"tracking-{name}.png"), full_page=True)
        finally:
            page.close()


def test_a_wrong_email_shows_nothing_private(
    live_server: LiveServer, browser: Any, clock: FixedClock
) -> None:
    store_split_order(live_server, clock)
    page = browser.new_page()
    try:
        page.goto(f"{live_server.url}/track?order=ORD-7&email=someone%40else.example")
        text = page.inner_text("main")
        assert "We could not find an order with that number and email address" in text
        for private in ("HAT", "MUG", "dana@example.com", "Louisville", "Dana Reyes"):
            assert private not in page.content()
    finally:
        page.close()


def test_a_customer_says_a_delivered_parcel_never_came(
    live_server: LiveServer, browser: Any, clock: FixedClock
) -> None:
    store_split_order(live_server, clock)
    clock.advance(hours=3)
    delivered = {"shipment": UPS, "milestone": "delivered", "source": "carrier:ups"}
    delivered["occurred_at"] = clock.now().isoformat()
    live_server.system.handle(RecordEvents([parse_event(delivered)]))
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(f"{live_server.url}/track?order=ORD-7&postal_code=40213")
        page.get_by_text("Shown as delivered, but it has not arrived?").click()
        page.get_by_label("Anything we should know").fill("not in the mailroom")
        with page.expect_navigation():
            page.get_by_role("button", name="Tell us it has not arrived").click()
        assert "We are on it" in page.inner_text("main")
    finally:
        page.close()
    cases = find_cases(live_server.system.uows, CaseQuery())
    assert [c.kind.value for c in cases if c.subject.id == UPS] == ["delivered_reported_missing"]


def deliver(live_server: LiveServer, clock: FixedClock, shipment: str, **extra: Any) -> None:
    clock.advance(hours=3)
    delivered = {"shipment": shipment, "milestone": "delivered", "source": "carrier:ups"}
    delivered |= {"occurred_at": clock.now().isoformat()} | extra
    live_server.system.handle(RecordEvents([parse_event(delivered)]))


def input_heights(page: Any) -> dict[str, float]:
    return page.eval_on_selector_all(
        "main input:not([type=hidden])",
        "inputs => Object.fromEntries(inputs.map(i => [i.id, i.getBoundingClientRect().height]))",
    )


@VIEWPORTS
def test_the_lookup_fields_are_one_line_tall(
    live_server: LiveServer, browser: Any, clock: FixedClock, viewport: dict[str, int]
) -> None:
    store_split_order(live_server, clock)
    deliver(live_server, clock, UPS)
    page = browser.new_page(viewport=viewport)
    try:
        page.goto(f"{live_server.url}/track")
        heights = input_heights(page)
        assert set(heights) == {"tracking", "order", "email", "postal_code"}
        assert all(0 < height < 64 for height in heights.values()), heights
        page.goto(f"{live_server.url}/track?order=ORD-7&postal_code=40213")
        page.get_by_text("Shown as delivered, but it has not arrived?").click()
        heights = input_heights(page)  # the note, and the page's other forms (texts, choices)
        assert any(field.startswith("note-") for field in heights), heights
        assert all(0 < height < 64 for height in heights.values()), heights
    finally:
        page.close()


CHAIRS = "1Z12345E6605272234"


def store_shopify_order(live_server: LiveServer) -> None:
    """#1019 as Shopify sends it: no stored time zone, a Columbus ZIP, the BOOK in no parcel;
    the chairs delivered at 12:11 Columbus time into the mailbox, signed for."""
    order = canonical_order("#1019", (CHAIRS, "ups", {"CHAIR": 2}))
    order["lines"].append({"sku": "BOOK", "quantity": 1})
    order["customer"] = {"name": "Dana Reyes", "email": "dana@example.com"}
    order["customer"] |= {"postal_code": "43215", "country": "US"}
    live_server.system.handle(RegisterOrders([parse_order(order)]))
    columbus = {"city": "Columbus", "region": "OH", "country": "US", "postal_code": "43215"}
    delivered = {"shipment": CHAIRS, "milestone": "delivered", "source": "carrier:ups"}
    delivered |= {"occurred_at": "2026-11-25T17:11:00+00:00", "location": columbus}
    delivered |= {
        "raw_description": "Delivered, In/At Mailbox",
        "data": {"signed_by": "DANA REYES"},
    }
    live_server.system.handle(RecordEvents([parse_event(delivered)]))


def look_up(page: Any, order: str, email: str = "", postal_code: str = "") -> str:
    """Type into the order form as a customer does, press Enter, read the page."""
    page.fill("#order", order)
    page.fill("#email", email)
    page.fill("#postal_code", postal_code)
    with page.expect_navigation():
        page.press("#order", "Enter")
    text: str = page.inner_text("main")
    return text


@VIEWPORTS
def test_a_shopify_order_shows_local_times_its_date_and_every_line(
    live_server: LiveServer, browser: Any, viewport: dict[str, int]
) -> None:
    store_shopify_order(live_server)
    page = browser.new_page(viewport=viewport)
    try:
        page.goto(f"{live_server.url}/track")
        text = look_up(page, "#1019", email="dana@example.com")
        assert "Wed 25 Nov, 12:11" in text and "17:11" not in text
        assert "Times in Eastern Time." in text
        assert "Ordered on Wed 18 Nov 2026" in text
        lines = page.locator("li.line").all_inner_texts()
        assert lines == ["2 × CHAIR — Delivered (parcel 1)", "1 × BOOK — Not shipped yet"]
    finally:
        page.close()


@VIEWPORTS
def test_a_lookup_reads_what_people_type_and_keeps_it_when_it_fails(
    live_server: LiveServer, browser: Any, clock: FixedClock, viewport: dict[str, int]
) -> None:
    store_shopify_order(live_server)
    page = browser.new_page(viewport=viewport)
    try:
        page.goto(f"{live_server.url}/track")
        wrong = look_up(page, "1019", email="dana@example.org")
        assert "could not find an order with that number and email address" in wrong
        assert page.input_value("#order") == "1019"
        assert page.input_value("#email") == "dana@example.org"
        assert "Order #1019" in look_up(page, "1019", postal_code="43215-4410")
        ticket = page.locator("input[name=ticket]").first.get_attribute("value")
        page.goto(f"{live_server.url}/track")
        page.fill("#tracking", "1z 12345 e66 0527 2234")
        with page.expect_navigation():
            page.press("#tracking", "Enter")
        assert "Delivered" in page.inner_text("main")
        clock.advance(days=400)
        page.goto(f"{live_server.url}/t/{ticket}")
        assert "This link has expired" in page.inner_text("main")
    finally:
        page.close()


@VIEWPORTS
def test_delivery_proof_the_report_and_the_way_back(
    live_server: LiveServer, browser: Any, clock: FixedClock, viewport: dict[str, int]
) -> None:
    store_shopify_order(live_server)
    clock.advance(hours=12)  # the evening after the delivery
    page = browser.new_page(viewport=viewport)
    try:
        page.goto(f"{live_server.url}/track/{CHAIRS}")
        public = page.inner_text("main")
        assert "Left in or at the mailbox." in public and "Reyes" not in public
        page.goto(f"{live_server.url}/track")
        text = look_up(page, "#1019", postal_code="43215")
        assert "Left in or at the mailbox. Signed for by D. Reyes." in text
        page.get_by_text("Shown as delivered, but it has not arrived?").click()
        page.get_by_label("Anything we should know").fill("not in the mailbox")
        with page.expect_navigation():
            page.get_by_role("button", name="Tell us it has not arrived").click()
        assert "We are on it" in page.inner_text("main")
        with page.expect_navigation():
            page.get_by_role("link", name="Back to your order").click()
        again = page.inner_text("main")
        assert "You told us on Wed 25 Nov at 19:00 that this parcel has not arrived." in again
        assert page.get_by_text("Shown as delivered, but it has not arrived?").count() == 0
    finally:
        page.close()
