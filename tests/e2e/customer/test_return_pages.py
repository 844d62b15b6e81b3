"""A customer on a phone returns an item in a real headless Chromium: finds the delivered order
at /returns, chooses one line, reads what the policy says, starts the return, sees the RMA and
the shop's instructions, and follows it on the tracking page; the "approved" email reaches a
real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ordertrail.app.intake.commands import RecordEvents, RegisterOrders
from ordertrail.app.messages.delivery import deliver_due
from ordertrail.bootstrap import build
from ordertrail.config import ReturnSettings, Settings
from ordertrail.sources.canonical import parse_event, parse_order
from tests.conftest import FixedClock
from tests.e2e.conftest import LiveServer, serving
from tests.factories import canonical_order
from tests.smtp_sink import Mailbox

PARCEL = "1Z999AA10123456784"
INSTRUCTIONS = "Send it to Hat & Mug Returns, 1 Dock Road, Louisville KY 40213."
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shop(tmp_path: Path, clock: FixedClock, mailbox: Mailbox) -> Iterator[LiveServer]:
    """A hat and two mugs, delivered two days ago; messages go to the SMTP sink."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'returns.db'}",
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        returns=ReturnSettings(instructions=INSTRUCTIONS),
    )
    with serving(build(settings, clock=clock)) as server:
        order = canonical_order("ORD-7", (PARCEL, "ups", {"HAT": 1, "MUG": 2}))
        order["lines"][1]["name"] = "Blue mug"
        order["customer"] |= {"time_zone": "Europe/London"}
        server.system.handle(RegisterOrders([parse_order(order)]))
        for milestone in ("carrier_accepted", "delivered"):
            clock.advance(hours=3)
            said = {"source": "carrier:ups", "shipment": PARCEL, "milestone": milestone}
            event = parse_event(said | {"occurred_at": clock.now().isoformat()})
            server.system.handle(RecordEvents([event]))
        clock.advance(days=2)
        yield server


def test_a_customer_on_a_phone_returns_a_mug_and_follows_it(
    shop: LiveServer, browser: Any, mailbox: Mailbox, artifacts: Path
) -> None:
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(f"{shop.url}/returns")
        page.fill("#order", "ORD-7")
        page.fill("#postal_code", "40213")
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert "Return items from order ORD-7" in page.inner_text("h1")
        mug = page.locator("fieldset", has_text="Blue mug")
        mug.get_by_label("How many to return").fill("1")
        mug.get_by_label("Why").select_option("no_longer_needed")
        assert _fits(page), "the form is wider than the phone"
        page.screenshot(path=str(artifacts / "return-choose-phone.png"), full_page=True)
        with page.expect_navigation():
            page.click("text=See what happens next")
        policy = page.inner_text("main")
        assert "1 × Blue mug — I no longer need it" in policy
        assert "Approved: you can send these items back to us." in policy
        assert "Blue mug: refunded as soon as it reaches us." in policy
        with page.expect_navigation():
            page.click("text=Start the return")
        rma = page.inner_text("h1").removeprefix("Return ").strip()
        assert rma.startswith("RMA-")
        shown = page.inner_text("main")
        assert "Return approved" in shown and INSTRUCTIONS in shown
        assert page.locator(".stages li[aria-current=step]").inner_text() == "Approved"
        assert _fits(page)
        page.screenshot(path=str(artifacts / "return-rma-phone.png"), full_page=True)
        with page.expect_navigation():
            page.click("text=Follow this return with your order")
        tracking = page.inner_text("main")
        assert "Order ORD-7" in tracking
        assert page.locator("section.return h2").inner_text().split() == ["Your", "return", rma]
        assert "Return approved" in tracking and "Return items from this order" in tracking
    finally:
        page.close()
    system = shop.system
    deliver_due(system.uows, system.senders(), system.clock, jitter=lambda: 0.5)
    assert "Your return is approved: how to send it back" in mailbox.subjects("dana@example.com")
    approved = mailbox.text("dana@example.com", -1)
    assert rma in approved and INSTRUCTIONS in approved


def _fits(page: Any) -> bool:
    """Nothing scrolls sideways on the phone."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
