"""The returns desk in a real headless Chromium: a return is asked for through the API on a
delivered order; a returns clerk signs in, opens it from the queue, marks the goods received,
inspects the drill as damaged and releases the refund. The worker's delivery then posts the
signed `return.refund_released` webhook to a real HTTP receiver on loopback, which verifies
it with the Standard Webhooks library and reads the amount, currency and lines."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from standardwebhooks import Webhook

from ordertrail.app.messages.delivery import deliver_due
from ordertrail.bootstrap import build
from ordertrail.config import Settings
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.e2e.conftest import LiveServer, _free_port, _Server, sign_in_as
from tests.factories import api_key
from tests.integration.returns.test_returns import delivered_order

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Receiver(BaseHTTPRequestHandler):
    """The shop's payment system, as far as this test needs one: it keeps what it is sent."""

    got: list[tuple[dict[str, str], bytes]]  # one list per receiver (see the fixture)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        self.got.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    got: list[tuple[dict[str, str], bytes]] = []
    handler = type("Hook", (Receiver,), {"got": got})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/payments", got
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def desk(
    tmp_path: Path, clock: FixedClock, receiver: tuple[str, list[Any]]
) -> Iterator[LiveServer]:
    """The live server, with the receiver subscribed to the webhooks."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'e2e.db'}",
        webhook_subscribers=[{"url": receiver[0], "secret": SECRET}],
    )
    system = build(settings, clock=clock)
    system.migrate()
    port = _free_port()
    server = _Server(
        uvicorn.Config(create_app(system), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.ready.wait(timeout=10), "the live server did not start"
    yield LiveServer(f"http://127.0.0.1:{port}", system)
    server.should_exit = True
    thread.join(timeout=10)
    system.close()


def test_a_returns_clerk_inspects_and_refunds_and_the_payment_system_hears_it(
    desk: LiveServer,
    browser: Any,
    artifacts: Path,
    clock: FixedClock,
    receiver: tuple[str, list[tuple[dict[str, str], bytes]]],
) -> None:
    system = desk.system
    delivered_order(system, clock)  # a drill and two bit sets, 300.00 USD, delivered
    asked = {
        "order": "ORD-1",
        "lines": [
            {"sku": "DRILL", "quantity": 1, "reason": "damaged"},
            {"sku": "BITS", "quantity": 1, "reason": "no_longer_needed"},
        ],
        "why": "drill arrived cracked",
    }
    opened = httpx.post(f"{desk.url}/api/v1/returns", json=asked, headers=api_key(system))
    assert opened.status_code == 201, opened.text
    rma = opened.json()["id"]

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        sign_in_as(page, desk, "ops", "/ops/returns")
        in_transit = page.get_by_role("table", name="In transit")
        with page.expect_navigation():
            in_transit.get_by_role("link", name=rma).click()
        assert "nothing has been received yet" in page.inner_text(".refund-waits")

        page.get_by_label("DRILL received (of 1 still out)").fill("1")
        page.get_by_label("BITS received (of 1 still out)").fill("1")
        page.get_by_label("Note", exact=True).fill("dock 3, box dented")
        with page.expect_navigation():
            page.get_by_role("button", name="Mark received").click()
        assert "Goods received" in page.get_by_role("status").inner_text()
        assert page.locator(".inspection-age").inner_text().startswith("waiting 0 h of 48 h")

        page.get_by_label("Disposition of DRILL").select_option("scrap")
        page.get_by_label("Damaged units of DRILL").fill("1")
        page.get_by_label("Inspection note for DRILL").fill("housing cracked")
        page.get_by_label("Photo reference for DRILL").fill("bench-cam/rma-1001.jpg")
        with page.expect_navigation():
            page.get_by_role("button", name="Save inspection of DRILL").click()
        lines = page.get_by_role("table", name="Lines").inner_text()
        assert "scrap" in lines and "housing cracked" in lines and "bench-cam/rma-1001.jpg" in lines
        assert "The policy allows 200.00 USD now" in page.inner_text(".refund-due")
        page.screenshot(path=str(artifacts / "ops-return.png"), full_page=True)

        page.get_by_label("Why", exact=True).fill("drill scrapped, bits back on the shelf")
        with page.expect_navigation():
            page.get_by_role("button", name="Release refund").click()
        assert "Refund released" in page.get_by_role("status").inner_text()
        assert page.inner_text(".refund") == "200.00 USD"
        timeline = page.inner_text(".return-timeline")
        assert "refund released by ops:staff:ops@shop.example" in timeline
        assert "drill scrapped, bits back on the shelf" in timeline

        page.goto(f"{desk.url}/ops/returns")
        assert rma in page.get_by_role("table", name="Decided and closed").inner_text()
    finally:
        page.close()

    # the worker's delivery: the receiver gets the signed decisions
    deliver_due(system.uows, system.senders(), system.clock, jitter=lambda: 0.5)
    [refund] = [hook for hook in _verified(receiver[1]) if hook["type"] == "return.refund_released"]
    assert refund["return"]["id"] == rma and refund["return"]["order_id"] == "ORD-1"
    paid = refund["return"]["refund"]
    assert (paid["amount"], paid["currency"]) == (20000, "USD")
    assert paid["lines"] == [{"sku": "BITS", "quantity": 1}, {"sku": "DRILL", "quantity": 1}]
    drill = next(line for line in refund["return"]["lines"] if line["sku"] == "DRILL")
    assert (drill["disposition"], drill["damaged"]) == ("scrap", 1)


def test_a_customer_returns_on_a_phone_the_clerk_refunds_and_the_payment_system_hears_it(
    desk: LiveServer,
    browser: Any,
    artifacts: Path,
    clock: FixedClock,
    receiver: tuple[str, list[tuple[dict[str, str], bytes]]],
) -> None:
    """The whole story in one browser: the customer's phone, the clerk's laptop, the webhook."""
    system = desk.system
    delivered_order(system, clock)  # a drill and two bit sets, 300.00 USD, delivered
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    laptop = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        phone.goto(f"{desk.url}/returns")
        phone.fill("#order", "ORD-1")
        phone.fill("#postal_code", "40213")
        with phone.expect_navigation():
            phone.click("button[type=submit]")
        drill = phone.locator("fieldset", has_text="DRILL")
        drill.get_by_label("How many to return").fill("1")
        drill.get_by_label("Why").select_option("damaged")
        with phone.expect_navigation():
            phone.click("text=See what happens next")
        assert "we check it when it reaches us" in phone.inner_text("main")  # inspected first
        with phone.expect_navigation():
            phone.click("text=Start the return")
        rma = phone.inner_text("h1").removeprefix("Return ").strip()
        assert rma.startswith("RMA-") and "Return approved" in phone.inner_text("main")
        rma_page = phone.url

        sign_in_as(laptop, desk, "ops", "/ops/returns")
        with laptop.expect_navigation():
            laptop.get_by_role("table", name="In transit").get_by_role("link", name=rma).click()
        laptop.get_by_label("DRILL received (of 1 still out)").fill("1")
        with laptop.expect_navigation():
            laptop.get_by_role("button", name="Mark received").click()
        laptop.get_by_label("Disposition of DRILL").select_option("scrap")
        laptop.get_by_label("Damaged units of DRILL").fill("1")
        with laptop.expect_navigation():
            laptop.get_by_role("button", name="Save inspection of DRILL").click()
        laptop.get_by_label("Why", exact=True).fill("drill arrived cracked: scrapped")
        with laptop.expect_navigation():
            laptop.get_by_role("button", name="Release refund").click()
        assert laptop.inner_text(".refund") == "100.00 USD"  # one of the order's three units

        phone.goto(rma_page)  # the customer follows the return to its end
        assert "Refund released" in phone.inner_text("main")
        phone.screenshot(path=str(artifacts / "return-refunded-phone.png"), full_page=True)
    finally:
        phone.close()
        laptop.close()

    deliver_due(system.uows, system.senders(), system.clock, jitter=lambda: 0.5)
    [refund] = [hook for hook in _verified(receiver[1]) if hook["type"] == "return.refund_released"]
    assert refund["return"]["id"] == rma
    paid = refund["return"]["refund"]
    assert (paid["amount"], paid["currency"], paid["lines"]) == (
        10000,
        "USD",
        [{"sku": "DRILL", "quantity": 1}],
    )


def _verified(got: list[tuple[dict[str, str], bytes]]) -> list[dict[str, Any]]:
    """What the receiver got, each checked against the endpoint's secret (or it raises)."""
    said = []
    for headers, body in got:
        Webhook(SECRET).verify(body, headers)
        said.append(json.loads(body))
    return said
