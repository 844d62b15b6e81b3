"""The ops console in a real headless Chromium: an ops user signs in, finds the split order,
acknowledges and resolves its exception, maps the carrier code nobody knew, and sees the
parcel's status correct itself. Screenshots of the overview and the order go to artifacts/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ordertrail.app.intake.commands import RecordEvents
from ordertrail.sources.canonical import parse_event
from tests.conftest import FixedClock
from tests.e2e.conftest import LiveServer, sign_in_as
from tests.e2e.customer.test_tracking_page import FEDEX, store_split_order


def test_ops_works_an_exception_and_maps_an_unknown_code(
    live_server: LiveServer, browser: Any, artifacts: Path, clock: FixedClock
) -> None:
    store_split_order(live_server, clock)
    clock.advance(hours=20)
    left_at_door = {
        "shipment": FEDEX,
        "raw_code": "DL2",
        "raw_description": "Left at front door",
        "source": "carrier:fedex",
        "occurred_at": clock.now().isoformat(),
    }
    live_server.system.handle(RecordEvents([parse_event(left_at_door)]))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        sign_in_as(page, live_server, "ops", "/ops")
        assert page.get_by_role("img", name=re.compile("Open exceptions by kind")).is_visible()
        page.screenshot(path=str(artifacts / "ops-overview.png"), full_page=True)

        page.fill("#q", "ORD-7")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/ops/orders/ORD-7")
        parcel = page.get_by_role("article", name=f"Parcel {FEDEX}")
        assert parcel.locator("[data-status]").inner_text() == "delivery attempted"
        assert "DL2" in page.inner_text("table.timeline")
        page.screenshot(path=str(artifacts / "ops-order.png"), full_page=True)

        actions = page.locator("table.cases details.menu summary")
        actions.click()  # the row's one menu of actions
        page.get_by_role("button", name=re.compile("^Acknowledge case")).click()
        page.wait_for_load_state()
        assert page.inner_text("p.done") == "Acknowledged."
        assert "seen by ops@shop.example" in page.inner_text("table.cases")
        actions.click()
        page.get_by_label(re.compile("^How case .* was resolved")).fill("new unit number given")
        page.get_by_role("button", name=re.compile("^Resolve case")).click()
        page.wait_for_load_state()
        assert page.inner_text("p.done") == "Resolved."
        page.get_by_text(re.compile(r"^history \(3\)")).click()
        assert "resolved: new unit number given (ops@shop.example)" in page.inner_text(
            "table.cases"
        )

        page.get_by_role("link", name="Unmapped codes").click()
        mapping = page.get_by_role("form", name="Map fedex DL2")
        mapping.get_by_label("Milestone for fedex DL2").select_option("delivered")
        mapping.get_by_role("button", name="Map").click()
        page.wait_for_load_state()
        assert "1 parcel(s) read again" in page.inner_text("p.done")
        assert "DL2" not in page.inner_text("main")

        page.goto(f"{live_server.url}/ops/orders/ORD-7")
        parcel = page.get_by_role("article", name=f"Parcel {FEDEX}")
        assert parcel.locator("[data-status]").inner_text() == "delivered"
    finally:
        page.close()
