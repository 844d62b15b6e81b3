"""axe-core finds no serious or critical WCAG 2.2 A/AA violation on the pages people use: the
customer's tracking page (an order and a parcel), the returns pages, the driver's page, and the
ops console's queue, case, order, returns and KPI pages — on a phone and on a laptop, with a
screenshot of each in artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from ordertrail.app.casework.cases import find_cases
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.intake.commands import RecordEvents, RegisterOrders
from ordertrail.sources.canonical import parse_event, parse_order
from tests.conftest import FixedClock
from tests.e2e.axe import said, violations
from tests.e2e.conftest import VIEWPORTS, LiveServer, sign_in_as
from tests.e2e.customer.test_tracking_page import FEDEX, UPS, store_split_order
from tests.factories import canonical_order
from tests.fleet_story import driver, plan, shop_orders

DELIVERED = "JD00000077"


def _a_delivered_order(server: LiveServer, clock: FixedClock) -> None:
    order = canonical_order("ORD-8", (DELIVERED, "dhl", {"HAT": 1, "MUG": 2}))
    server.system.handle(RegisterOrders([parse_order(order)]))
    for milestone in ("carrier_accepted", "delivered"):
        clock.advance(hours=3)
        said_ = {"source": "carrier:dhl", "shipment": DELIVERED, "milestone": milestone}
        server.system.handle(
            RecordEvents([parse_event(said_ | {"occurred_at": clock.now().isoformat()})])
        )


@pytest.fixture
def proofs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "proofs"
    monkeypatch.setenv("ORDERTRAIL_PROOF_FOLDER", str(folder))
    return folder


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_page_people_use_passes_axe(
    proofs: Path,
    live_server: LiveServer,
    browser: Any,
    clock: FixedClock,
    viewport: dict[str, int],
    artifacts: Path,
) -> None:
    system = live_server.system
    pin = driver(system)
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        shop_orders(client, system)
        assert plan(client, system).status_code == 201
    store_split_order(live_server, clock)  # ORD-7: out for delivery + an address issue
    _a_delivered_order(live_server, clock)
    clock.advance(days=1)
    [case, *_] = find_cases(system.uows, CaseQuery(order_id="ORD-7"))
    size = "phone" if viewport["width"] < 600 else "laptop"
    found: dict[str, str] = {}
    page = browser.new_page(viewport=viewport)

    def check(name: str) -> None:
        page.wait_for_load_state()
        page.screenshot(path=str(artifacts / f"a11y-{name}-{size}.png"), full_page=True)
        blocking = violations(page)
        if blocking:
            found[name] = said(blocking)

    try:
        page.goto(f"{live_server.url}/track")
        check("track-lookup")
        page.fill("#order", "ORD-7")
        page.fill("#email", "dana@example.com")
        with page.expect_navigation():
            page.press("#email", "Enter")
        check("track-order")
        page.goto(f"{live_server.url}/track/{UPS}")
        check("track-parcel")
        page.goto(f"{live_server.url}/track/{FEDEX}")
        check("track-parcel-trouble")

        page.goto(f"{live_server.url}/returns")
        check("returns-lookup")
        page.fill("#order", "ORD-8")
        page.fill("#postal_code", "40213")
        with page.expect_navigation():
            page.click("button[type=submit]")
        check("returns-choose")

        page.goto(f"{live_server.url}/driver")
        check("driver-sign-in")
        page.fill("#name", "Sam Ortiz")
        page.fill("#pin", pin)
        with page.expect_navigation():
            page.click("text=Sign in")
        check("driver-stops")

        sign_in_as(page, live_server, "admin", "/ops/exceptions")
        check("ops-queue")
        page.locator("details.menu summary").first.click()  # a row's actions, open
        page.locator("details.keys summary").click()
        check("ops-queue-menu")
        page.goto(f"{live_server.url}/ops/cases/{case.id}")
        check("ops-case")
        page.goto(f"{live_server.url}/ops/orders/ORD-7")
        check("ops-order")
        page.goto(f"{live_server.url}/ops/returns")
        check("ops-returns")
        page.goto(f"{live_server.url}/ops/kpis")
        check("ops-kpis")
        page.goto(f"{live_server.url}/ops")
        check("ops-overview")
    finally:
        page.close()
    assert not found, "\n\n".join(f"{name}:\n{text}" for name, text in found.items())


def test_the_check_itself_sees_what_it_must_refuse(browser: Any) -> None:
    """A pale text and an image without words: were axe not running, every page would pass."""
    page = browser.new_page()
    try:
        page.set_content(
            '<html lang="en"><head><title>Bad</title></head><body><main>'
            '<p style="color:#bbb;background:#fff">pale words</p><img src="x.png">'
            "</main></body></html>"
        )
        assert {v["id"] for v in violations(page)} == {"color-contrast", "image-alt"}
    finally:
        page.close()
