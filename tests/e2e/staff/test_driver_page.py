"""The driver page on a phone in a real headless Chromium: a driver signs in, starts the round,
delivers one stop with a drawn signature and a photo while the phone is offline, comes back
online (where the server's first answer is lost, so the phone sends the delivery again), and
the customer's tracking page shows the proof; the resend is not a second delivery."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordertrail.app.queries import shipment_detail
from tests.conftest import FixedClock
from tests.e2e.conftest import LiveServer
from tests.fleet_story import EMAIL, ORDERS, PARCELS, driver, photo, plan, shop_orders, stored_files

PHONE = {"width": 390, "height": 844}
#: the front door of 1 Elm St, as the phone's GPS puts it
WHERE = {"latitude": 38.2081, "longitude": -85.7466, "accuracy": 12}


@pytest.fixture
def proofs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the live server keeps proof files (set before it is built)."""
    folder = tmp_path / "proofs"
    monkeypatch.setenv("ORDERTRAIL_PROOF_FOLDER", str(folder))
    return folder


@pytest.fixture
def round_ready(proofs: Path, live_server: LiveServer, clock: FixedClock) -> Iterator[str]:
    """Three orders, the driver's PIN, the route planned at noon; now it is two o'clock."""
    system = live_server.system
    pin = driver(system)
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        shop_orders(client, system)
        assert plan(client, system).status_code == 201
    clock.advance(hours=2)
    yield pin


def test_a_delivery_made_offline_reaches_the_customer_once(
    proofs: Path,  # first: the live server is built with it
    live_server: LiveServer,
    round_ready: str,
    browser: Any,
    clock: FixedClock,
    artifacts: Path,
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(
        viewport=PHONE, geolocation=WHERE, permissions=["geolocation"], has_touch=True
    )
    page = context.new_page()
    page.clock.install(time=clock.now())  # the phone's clock agrees with the server's
    try:
        page.goto(f"{live_server.url}/driver")
        page.fill("#name", "Sam Ortiz")
        page.fill("#pin", round_ready)
        with page.expect_navigation():
            page.click("text=Sign in")
        queue = page.locator("#queue")
        # the page says "All sent" before the button is pressed too: wait for the server's answer
        with page.expect_response("**/driver/actions") as started:
            page.click("text=Start route")
        assert started.value.ok
        expect(queue).to_have_text("All sent")

        stop = page.locator("#stop-R-1125-1")
        context.set_offline(True)
        stop.locator("text=Delivered…").click()
        stop.locator("input[name=where]").fill("Dana Reyes")
        stop.locator("input[name=signed_by]").fill("Dana Reyes")
        _sign(page, stop.locator("canvas.signature"))
        stop.locator("input[name=photo]").set_input_files(
            files=[{"name": "IMG_0412.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
        )
        stop.locator("text=Confirm delivery").click()
        expect(queue).to_have_text("1 waiting to send")
        assert _delivered_events(live_server) == 0  # nothing has left the phone

        lost = {"answers": 0}

        def answer_lost(route: Any) -> None:
            route.fetch()  # the server takes the delivery in …
            lost["answers"] += 1
            route.abort()  # … and its answer never reaches the phone

        page.route("**/driver/actions", answer_lost)
        with page.expect_event("requestfailed"):
            context.set_offline(False)
        expect(queue).to_have_text("1 waiting to send")  # kept: the phone does not know
        assert lost["answers"] == 1 and _delivered_events(live_server) == 1
        page.unroute("**/driver/actions")
        context.set_offline(True)  # the next dead spot, and out of it again: sent again
        context.set_offline(False)
        expect(queue).to_have_text("All sent")
        expect(stop.locator(".state")).to_have_text("Delivered")
        page.screenshot(path=str(artifacts / "driver-page.png"), full_page=True)
    finally:
        context.close()

    assert _delivered_events(live_server) == 1  # the resend was a duplicate
    assert len(stored_files(proofs)) == 2  # one photo, one signature

    customer = browser.new_page(viewport=PHONE)
    try:
        customer.goto(f"{live_server.url}/track?order={ORDERS[0]}&email={EMAIL}")
        assert "Signed for by D. Reyes" in customer.inner_text("main")
        shown = customer.locator("img.pod-photo")
        expect(shown).to_be_visible()
        width = shown.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width == 64  # the driver's photo itself, through its signed link
        expect(customer.locator("img.pod-signature")).to_be_visible()
        customer.screenshot(path=str(artifacts / "driver-proof-tracking.png"), full_page=True)
    finally:
        customer.close()


def _sign(page: Any, canvas: Any) -> None:
    """A signature drawn with a finger: a few strokes across the pad."""
    canvas.scroll_into_view_if_needed()  # a finger can only draw on what is on the screen
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 80)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 20, box["y"] + 80 - (step % 3) * 20)
    page.mouse.up()


def _delivered_events(server: LiveServer) -> int:
    detail = shipment_detail(server.system.uows, PARCELS[0])
    assert detail is not None
    return sum(1 for row in detail.timeline if row.milestone == "delivered")
