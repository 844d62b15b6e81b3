"""Small things staff notice in Chromium: a chart label cut at the edge, a search hint cut on
a phone, a 404 for the icon on every first visit, a nav link named unlike its page."""

from __future__ import annotations

from typing import Any

import pytest

from ordertrail.app.casework.cases import report_missing
from tests.conftest import FixedClock
from tests.e2e.conftest import VIEWPORTS, LiveServer, sign_in_as
from tests.stories import ATTEMPTED, record, shopify_order_in_trouble

#: How wide the search box's hint is, in its own font, against the room the box gives it.
HINT_FITS = """e => {
  const style = getComputedStyle(e), context = document.createElement("canvas").getContext("2d");
  context.font = style.font;
  const room = e.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return context.measureText(e.placeholder).width <= room;
}"""
LABELS_INSIDE = """svg => [...svg.querySelectorAll("text")].every(t => t.getBBox().x >= 0)"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_overview_shows_every_label_and_hint_whole(
    live_server: LiveServer, browser: Any, clock: FixedClock, viewport: dict[str, int]
) -> None:
    shopify_order_in_trouble(live_server.system, clock)
    record(live_server.system, clock, carrier="fedex", shipment=ATTEMPTED, milestone="delivered")
    report_missing(live_server.system.uows, ATTEMPTED, "support", "not there", clock.now())
    page = browser.new_page(viewport=viewport)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    try:
        sign_in_as(page, live_server, "ops", "/ops")
        chart = page.get_by_role("img", name="Open exceptions by kind", exact=False)
        assert "the customer says it never came" in chart.get_attribute("aria-label")
        for each in page.locator("svg.chart").all():
            assert each.evaluate(LABELS_INSIDE), each.get_attribute("aria-label")
        assert page.locator("#q").evaluate(HINT_FITS)
        page.get_by_role("link", name="Dead letters").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Dead letters"
        assert page.request.get(f"{live_server.url}/favicon.ico").status == 200
        assert missing == []
    finally:
        page.close()
