"""The delivery window in a real headless Chromium: the customer reads it in their own words
and zone ("Thursday or Friday"), then, after a real delay, the new day and why it changed;
staff see the window customers see, our latest estimate and the carrier's date side by side."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ordertrail.app.eta import learn_lanes
from tests.conftest import FixedClock
from tests.e2e.conftest import LiveServer, sign_in_as
from tests.integration.eta_story import (
    CHICAGO,
    CHICAGO_PLACE,
    HUB,
    LOUISVILLE,
    history,
    register,
    scan,
    warehouse,
)

PARCEL = "1ZNEW0000001"


def test_the_tracking_page_shows_the_window_and_why_it_changed(
    live_server: LiveServer, browser: Any, artifacts: Path, clock: FixedClock
) -> None:
    system = live_server.system
    warehouse(system)
    history(system, parcels=30, late_every=5)
    learn_lanes(system.uows, datetime(2026, 11, 1, tzinfo=UTC))
    register(system, "N-1", PARCEL)
    handed = datetime(2026, 11, 17, 11, 0, tzinfo=LOUISVILLE)  # Tuesday
    clock.current = handed.astimezone(UTC)
    scan(system, PARCEL, "carrier_accepted", handed, HUB)
    clock.current = datetime(2026, 11, 17, 20, 0, tzinfo=UTC)

    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(f"{live_server.url}/track/{PARCEL}")
        assert page.inner_text(".eta") == "Arriving Thursday or Friday"
        assert page.locator(".eta-change").count() == 0

        clock.current = datetime(2026, 11, 19, 15, 0, tzinfo=UTC)
        scan(
            system,
            PARCEL,
            "delayed",
            datetime(2026, 11, 19, 8, 30, tzinfo=CHICAGO),
            CHICAGO_PLACE,
            reason="carrier_delay",
            data={"estimated_delivery": "2026-11-23"},
        )
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
