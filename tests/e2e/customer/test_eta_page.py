"""The delivery window in a real headless Chromium: the customer reads it in their own words
and zone ("Thursday or Friday"), then, after a real delay, the new day and why it changed;
staff see the window customers see, our latest estimate and the carrier's date side by side."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.conftest import FixedClock
from tests.e2e.conftest import LiveServer, sign_in_as
from tests.integration.promise.eta_story import (
    PARCEL,
    a_learned_lane,
    handed_over,
    held_in_chicago,
)


def test_the_tracking_page_shows_the_window_and_why_it_changed(
    live_server: LiveServer, browser: Any, artifacts: Path, clock: FixedClock
) -> None:
    system = live_server.system
    a_learned_lane(system)
    handed_over(system, clock, "N-1")
    clock.current = datetime(2026, 11, 17, 20, 0, tzinfo=UTC)

    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(f"{live_server.url}/track/{PARCEL}")
        assert page.inner_text(".eta") == "Arriving Thursday or Friday"
        assert page.locator(".eta-change").count() == 0

        held_in_chicago(system, clock, "carrier_delay")
        page.reload()
        assert page.inner_text(".eta") == "Arriving Monday"
        assert page.inner_text(".eta-change") == (
            "On Thu 19 Nov we changed it from Thursday or Friday because of a delay at the carrier."
        )
        page.screenshot(path=str(artifacts / "eta-tracking-phone.png"), full_page=True)

        sign_in_as(page, live_server, "ops", "/ops/orders/N-1")
        assert page.inner_text(".eta-shown").startswith("2026-11-23")
        assert "changed 1×" in page.inner_text(".eta-shown")
        assert page.inner_text(".eta-model").startswith("2026-11-23")
        assert page.inner_text(".eta-carrier") == "2026-11-23"
        page.click(".eta-changes summary")
        assert "carrier delay" in page.inner_text(".eta-changes")
    finally:
        page.close()
