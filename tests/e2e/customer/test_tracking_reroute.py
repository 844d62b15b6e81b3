"""On a phone, a customer whose parcel missed them twice sends it to a pickup point and asks
for texts, in a real headless Chromium against a live server (screenshots in artifacts/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ordertrail.app.casework.cases import find_cases
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.intake.commands import RecordEvents, RegisterOrders
from ordertrail.domain.casework.exceptions import ExceptionKind, Team
from ordertrail.sources.canonical import parse_event, parse_order
from tests.conftest import FixedClock
from tests.e2e.conftest import LiveServer
from tests.factories import canonical_order

UPS = "1Z999AA10123456784"
PHONE = {"width": 390, "height": 844}


def missed_twice(live_server: LiveServer, clock: FixedClock) -> None:
    order = canonical_order("ORD-9", (UPS, "ups", {"HAT": 1}))
    order["customer"] |= {"time_zone": "America/New_York", "country": "US"}
    live_server.system.handle(RegisterOrders([parse_order(order)]))
    place = {"city": "Louisville", "region": "KY", "country": "US"}
    attempt = ["out_for_delivery", "delivery_attempted"]
    said = ["carrier_accepted", *attempt, *attempt]
    for milestone in said:
        clock.advance(hours=5)
        report: dict[str, Any] = {"shipment": UPS, "milestone": milestone, "location": place}
        if milestone == "delivery_attempted":
            report["reason"] = "recipient_unavailable"
        event = report | {"source": "carrier:ups", "occurred_at": clock.now().isoformat()}
        assert not live_server.system.handle(RecordEvents([parse_event(event)])).problems


def test_on_a_phone_a_customer_sends_a_twice_missed_parcel_to_a_pickup_point_and_asks_for_texts(
    live_server: LiveServer, browser: Any, artifacts: Path, clock: FixedClock
) -> None:
    missed_twice(live_server, clock)
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(f"{live_server.url}/track")
        page.fill("#order", "ORD-9")
        page.fill("#email", "dana@example.com")
        with page.expect_navigation():
            page.press("#email", "Enter")
        text = page.inner_text("main")
        assert "Choose how to get this parcel" in text
        assert "Send it to a pickup point near me" in text
        page.screenshot(path=str(artifacts / "reroute-offered-phone.png"), full_page=True)

        page.get_by_label("Send it to a pickup point near me").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Send my choice").click()
        text = page.inner_text("main")
        assert "to send this parcel to a pickup point" in text
        assert "Our team is arranging it with the carrier now" in text
        assert page.get_by_role("button", name="Send my choice").count() == 0  # one at a time
        page.screenshot(path=str(artifacts / "reroute-chosen-phone.png"), full_page=True)

        page.fill("#sms-phone", "+44 7911 123456")
        with page.expect_navigation():
            page.press("#sms-phone", "Enter")
        text = page.inner_text("main")
        assert "your number ending 456" in text and "7911" not in page.content()
        page.locator("#texts").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "reroute-texts-phone.png"), full_page=True)
    finally:
        page.close()
    query = CaseQuery(kind=ExceptionKind.DELIVERY_CHANGE)
    [case] = find_cases(live_server.system.uows, query)
    assert case.team is Team.OPERATIONS and case.subject.id == UPS


def test_a_bad_number_is_refused_with_the_reason_and_a_way_back(
    live_server: LiveServer, browser: Any, artifacts: Path, clock: FixedClock
) -> None:
    missed_twice(live_server, clock)
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(f"{live_server.url}/track?order=ORD-9&email=dana%40example.com")
        page.fill("#sms-phone", "07911 123456")
        with page.expect_navigation():
            page.press("#sms-phone", "Enter")
        assert "with its country code, starting with +" in page.inner_text("main")
        page.screenshot(path=str(artifacts / "reroute-bad-number-phone.png"), full_page=True)
        with page.expect_navigation():
            page.get_by_role("link", name="Back to your order").click()
        assert "Choose how to get this parcel" in page.inner_text("main")
    finally:
        page.close()
