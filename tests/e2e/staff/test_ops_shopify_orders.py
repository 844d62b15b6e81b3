"""A Shopify order (`#1029`) opens from every place the console names it, in Chromium, on a
phone and on a laptop: a raw `#` in a link once sent the browser to a blank `/ops/orders/`."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import FixedClock
from tests.e2e.conftest import VIEWPORTS, LiveServer, sign_in_as
from tests.stories import SHOPIFY_ORDER, shopify_order_in_trouble


def _on_the_order(page: Any) -> None:
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == f"Order {SHOPIFY_ORDER}", page.url
    assert page.url.split("?")[0].endswith("/ops/orders/%231029"), page.url


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_staff_open_a_shopify_order_from_every_place_it_is_named(
    live_server: LiveServer, browser: Any, clock: FixedClock, viewport: dict[str, int]
) -> None:
    shopify_order_in_trouble(live_server.system, clock)
    page = browser.new_page(viewport=viewport)
    try:
        sign_in_as(page, live_server, "ops", "/ops")
        for listing in ("/ops", "/ops/exceptions", "/ops/orders", "/ops/outbox"):
            page.goto(f"{live_server.url}{listing}")
            page.get_by_role("link", name=SHOPIFY_ORDER, exact=True).first.click()
            _on_the_order(page)

        page.goto(f"{live_server.url}/ops")
        page.fill("#q", SHOPIFY_ORDER)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        _on_the_order(page)

        page.locator("table.cases details.menu summary").first.click()  # the row's actions
        note = page.get_by_label(re.compile(r"^Note on case \d+$")).first
        note.fill("called the customer")
        note.press("Enter")
        _on_the_order(page)
        assert page.inner_text("p.done") == "Note added."
    finally:
        page.close()
