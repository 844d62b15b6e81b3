"""The scan station end to end in a real headless Chromium, keyboard only: a badge, a GS1-128
SSCC carton label, pack, label, hand-off; the order's timeline shows each scan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ordertrail.app.intake.commands import RegisterOrders
from ordertrail.app.queries import order_detail
from ordertrail.app.sites import save_sites
from ordertrail.domain.model import Site
from ordertrail.sources.canonical import parse_order
from tests.e2e.conftest import LiveServer, sign_in_as
from tests.factories import canonical_order

SSCC = "376012345000000010"


def scan(page: Any, text: str) -> str:
    """Type a scan the way a keyboard-wedge scanner does, then read the station's answer."""
    assert page.evaluate("document.activeElement && document.activeElement.id") == "code"
    page.keyboard.type(text)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    feedback: str = page.inner_text("#feedback")
    return feedback


def test_badge_carton_pack_label_hand_off(
    live_server: LiveServer, browser: Any, artifacts: Path
) -> None:
    system = live_server.system
    save_sites(system.uows, [Site("louisville", "Louisville DC")])
    system.handle(RegisterOrders([parse_order(canonical_order("ORD-1"))]))
    page = browser.new_page(viewport={"width": 1024, "height": 700})
    try:
        sign_in_as(page, live_server, "warehouse", "/scan?site=louisville&station=pack-3")
        assert "Scan your badge" in page.inner_text("#feedback")
        assert "Scan your badge first" in scan(page, f"(00){SSCC}(400)ORD-1")
        assert "Hello, ana" in scan(page, "BADGE:ana")
        assert "Ready" in scan(page, f"(00){SSCC}(400)ORD-1")
        assert f"carton {SSCC}" in page.inner_text("#target")
        assert page.inner_text("#order") == "ORD-1"
        assert f"Pack recorded for carton {SSCC}" in scan(page, "STEP:PACK")
        assert "ok" in page.get_attribute("#feedback", "class")
        assert "not recorded twice" in scan(page, "STEP:PACK")
        assert "no carrier label" in scan(page, "STEP:HANDOFF")
        assert "error" in page.get_attribute("#feedback", "class")
        assert "scan the new label" in scan(page, "STEP:LABEL")
        assert "Label recorded" in scan(page, "1Z999AA10123456784")
        page.screenshot(path=str(artifacts / "scan-station.png"), full_page=True)
        assert "Handoff recorded" in scan(page, "STEP:HANDOFF")
        assert page.inner_text("#target") == "—"  # handed off: on to the next carton
    finally:
        page.close()
    order = order_detail(system.uows, "ORD-1")
    assert order is not None
    scans = [(row.milestone, row.source, dict(row.data)) for row in order.timeline]
    assert [(m, s) for m, s, _ in scans] == [
        ("packed", "warehouse:louisville"),
        ("label_created", "warehouse:louisville"),
        ("carrier_accepted", "warehouse:louisville"),
    ]
    assert all(data["operator"] == "ana" and data["station"] == "pack-3" for *_, data in scans)
    assert all(data["signed_in"] == "warehouse@shop.example" for *_, data in scans)
    assert order.shipments[0].tracking_number == "1Z999AA10123456784"
    assert json.dumps(order.status) == '"shipped"'


def test_the_station_set_up_fields_are_one_line_tall(live_server: LiveServer, browser: Any) -> None:
    """The same column form as the tracking page's lookup (issue 13 item 6's sibling)."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        sign_in_as(page, live_server, "warehouse", "/scan")
        heights = page.eval_on_selector_all(
            "form.setup input", "inputs => inputs.map(i => i.getBoundingClientRect().height)"
        )
        assert len(heights) == 2 and all(0 < height < 64 for height in heights), heights
    finally:
        page.close()
