"""Erasing a customer from the console in a real headless Chromium: an admin looks the
customer up, downloads what is held, is refused when the typed confirmation does not match,
then erases, and the order page shows the erasure and no longer the customer."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.conftest import FixedClock
from tests.e2e.conftest import LiveServer, sign_in_as
from tests.integration.operations.test_privacy import DANA, Recorder, danas_story


def test_an_admin_erases_a_customer_after_typing_them_again(
    live_server: LiveServer, browser: Any, artifacts: Path, clock: FixedClock
) -> None:
    danas_story(live_server.system, clock, Recorder())
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    try:
        sign_in_as(page, live_server, "admin", "/ops/privacy")
        page.get_by_label("Email or order").fill(DANA["email"])
        with page.expect_navigation():
            page.get_by_role("button", name="Look").click()
        held = page.get_by_role("table", name="What an erasure would replace")
        assert re.search(r"Customer records.*\t2", held.inner_text())
        with page.expect_download() as downloading:
            page.get_by_role("link", name="Download everything held (JSON)").click()
        exported = json.loads(Path(downloading.value.path()).read_text())
        assert [o["order"]["id"] for o in exported["orders"]] == ["ORD-1", "ORD-2"]
        page.screenshot(path=str(artifacts / "ops-privacy.png"), full_page=True)

        page.get_by_label(re.compile("to confirm")).fill("dana@example.org")
        with page.expect_navigation():
            page.get_by_role("button", name="Erase").click()
        assert "Nothing was erased" in page.get_by_role("alert").inner_text()

        page.get_by_label("Email or order").fill(DANA["email"])
        with page.expect_navigation():
            page.get_by_role("button", name="Look").click()
        page.get_by_label(re.compile("to confirm")).fill(DANA["email"])
        with page.expect_navigation():
            page.get_by_role("button", name="Erase").click()
        assert "Erased the personal data of 2 orders" in page.get_by_role("status").inner_text()

        page.goto(f"{live_server.url}/ops/orders/ORD-1")
        text = page.inner_text("main")
        assert "customer_data_erased" in text and "noted" in text
        assert DANA["email"] not in text and "Dana" not in text
    finally:
        page.close()
