"""The tracking page at a glance in a real headless Chromium, on a phone and a laptop: the
stepper, the route map, a failed attempt's help, and Contact support landing on the parcel's
case, which support then reads on the order's page. Screenshots go to artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ordertrail.app.intake.commands import RecordEvents, RegisterOrders
from ordertrail.sources.canonical import parse_event, parse_order
from tests.conftest import FixedClock
from tests.e2e.conftest import VIEWPORTS, LiveServer, sign_in_as
from tests.factories import canonical_order

UPS, FEDEX = "1Z999AA10123456784", "123456789012"
MESSAGE = "Nobody is home on weekdays; please leave it at the Corner Shop."


def store_order(server: LiveServer, clock: FixedClock) -> None:
    order = canonical_order("ORD-7", (UPS, "ups", {"HAT": 1}), (FEDEX, "fedex", {"MUG": 2}))
    order["lines"][0] |= {"name": "Felt hat"}
    order["customer"] |= {"time_zone": "America/New_York"}
    server.system.handle(RegisterOrders([parse_order(order)]))
    memphis = {"city": "MEMPHIS HUB TN 38118", "country": "US"}
    louisville = {"city": "LOUISVILLE", "region": "KY", "country": "US"}
    chicago = {"city": "Chicago", "region": "IL", "country": "US"}
    attempt = {"next_attempt": "2026-11-27", "pickup_point": "Corner Shop, Elm St"}
    reports = [
        {"shipment": UPS, "milestone": "carrier_accepted", "location": memphis},
        {"shipment": UPS, "milestone": "in_transit", "location": louisville},
        {"shipment": UPS, "milestone": "out_for_delivery", "location": chicago},
        {"shipment": FEDEX, "milestone": "carrier_accepted", "location": memphis},
        {"shipment": FEDEX, "milestone": "delivery_attempted", "reason": "recipient_unavailable"}
        | {"location": louisville, "data": attempt},
    ]
    for report in reports:
        clock.advance(hours=2)
        source = "carrier:ups" if report["shipment"] == UPS else "carrier:fedex"
        event = report | {"source": source, "occurred_at": clock.now().isoformat()}
        server.system.handle(RecordEvents([parse_event(event)]))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_customer_sees_the_parcel_at_a_glance_and_writes_to_support(
    live_server: LiveServer,
    browser: Any,
    artifacts: Path,
    clock: FixedClock,
    viewport: dict[str, int],
) -> None:
    store_order(live_server, clock)
    name = "phone" if viewport["width"] < 500 else "laptop"
    page = browser.new_page(viewport=viewport)
    try:
        page.goto(f"{live_server.url}/track")
        page.fill("#order", "ORD-7")
        page.fill("#email", "dana@example.com")
        with page.expect_navigation():
            page.press("#email", "Enter")
        on_its_way = page.locator("section.parcel", has_text=UPS)
        current = on_its_way.locator(".stepper [aria-current=step]")
        assert current.locator(".name").inner_text() == "Out for delivery"
        assert on_its_way.locator(".stepper li.done").count() == 3
        route = on_its_way.locator("svg.route-map")
        assert route.is_visible() and route.locator("circle").count() == 3
        box = route.bounding_box()
        assert box is not None and box["width"] <= viewport["width"]  # fits a phone
        places = on_its_way.locator("ol.places").inner_text()
        assert "Memphis, TN, US" in places and "Chicago, IL, US" in places
        assert "38118" not in page.content()
        carrier = on_its_way.get_by_role("link", name="Follow it on the UPS website")
        assert "ups.com/track?tracknum=" + UPS in (carrier.get_attribute("href") or "")

        failed = page.locator("section.parcel", has_text=FEDEX)
        trouble = failed.locator(".stepper [aria-current=step]")
        assert "needs attention" in trouble.inner_text()
        help_text = failed.locator("section.help").inner_text()
        assert "The carrier could not deliver" in help_text
        assert "The carrier will try again on Friday 27 November." in help_text
        assert "Corner Shop, Elm St" in help_text
        page.screenshot(path=str(artifacts / f"tracking-glance-{name}.png"), full_page=True)

        with page.expect_navigation():
            failed.get_by_role("link", name="Contact support about this parcel").click()
        about = page.locator(".about").inner_text()
        assert "ORD-7" in about and FEDEX in about
        page.fill("#message", MESSAGE)
        page.screenshot(path=str(artifacts / f"tracking-contact-{name}.png"), full_page=True)
        with page.expect_navigation():
            page.get_by_role("button", name="Send to support").click()
        landed = page.inner_text("main")
        assert "Your message is with our support team" in landed and "case" in landed
        page.screenshot(path=str(artifacts / f"tracking-contact-sent-{name}.png"), full_page=True)
        with page.expect_navigation():
            page.get_by_role("link", name="Back to your order").click()
        noted = page.locator("section.parcel", has_text=FEDEX).locator(".message-noted")
        assert "We have your message" in noted.inner_text()
    finally:
        page.close()

    staff = browser.new_page(viewport=viewport)
    try:
        sign_in_as(staff, live_server, "support", "/ops/orders/ORD-7")
        case = staff.locator("table.cases tr", has_text="delivery attempt failed")
        case.locator("summary", has_text="history").click()
        assert MESSAGE in case.inner_text() and "(customer)" in case.inner_text()
        staff.screenshot(path=str(artifacts / f"tracking-contact-case-{name}.png"), full_page=True)
    finally:
        staff.close()
