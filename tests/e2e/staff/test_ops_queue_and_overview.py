"""The exception queue, the overview and the unmapped codes in Chromium, on a phone and on a
laptop, as staff in New York work them: an action keeps their place, a case goes to a
colleague from a list, a resolution needs words, times read in their own zone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import FixedClock
from tests.e2e.conftest import VIEWPORTS, LiveServer, sign_in_as
from tests.factories import staff_member
from tests.stories import a_busy_queue, a_quiet_carton, record

IN_NEW_YORK = {"timezone_id": "America/New_York", "locale": "en-US"}


def _in_view(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and -1 <= box["y"] < page.viewport_size["height"]  # -1: sub-pixels


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_staff_work_a_long_queue_without_losing_their_place(
    live_server: LiveServer, browser: Any, clock: FixedClock, viewport: dict[str, int]
) -> None:
    a_busy_queue(live_server.system, clock, orders=40)  # case n opened at 12:00 + n-1 min UTC
    staff_member(live_server.system, "support", "sam@shop.example")
    page = browser.new_page(viewport=viewport, **IN_NEW_YORK)
    try:
        sign_in_as(page, live_server, "ops", "/ops/exceptions")
        row = page.locator("#case-34")
        assert row.locator("time").first.inner_text() == "2026-11-25 07:33 EST"
        what = row.locator("td.what").inner_text()
        assert what.startswith("delivery attempted: recipient unavailable"), what
        assert "_" not in page.inner_text("table.cases")

        row.locator("details.menu summary").click()  # one menu of actions per row
        note = page.get_by_label("Note on case 34")
        note.fill("rang the depot")
        with page.expect_navigation():
            note.press("Enter")
        assert page.inner_text("p.done") == "Note added."
        assert page.evaluate("window.scrollY") > 0 and _in_view(page, "#case-34")

        row.locator("details.menu summary").click()
        assignee = page.get_by_label("Assign case 34 to")
        assert assignee.evaluate("e => e.tagName") == "SELECT" and assignee.input_value() == ""
        assignee.select_option(label="Support (support)")
        with page.expect_navigation():
            row.get_by_role("button", name="Assign").click()
        assert "with sam@shop.example" in page.locator("#case-34").inner_text()
        assert _in_view(page, "#case-34")

        row.locator("details.menu summary").click()

        page.get_by_role("button", name="Resolve case 34").click()  # no reason given
        assert page.get_by_label("How case 34 was resolved").evaluate("e => !e.validity.valid")
        assert page.url.endswith("#case-34") and "done=assign" in page.url  # not sent
        assert page.locator("#case-34.case-open").count() == 1
    finally:
        page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_overview_shows_a_quiet_parcel_as_it_is_now(
    live_server: LiveServer, browser: Any, clock: FixedClock, viewport: dict[str, int]
) -> None:
    tracking = a_quiet_carton(live_server.system, clock)
    clock.advance(days=12)
    page = browser.new_page(viewport=viewport, **IN_NEW_YORK)
    try:
        sign_in_as(page, live_server, "ops", "/ops")
        stalled = page.get_by_role("row", name=re.compile("WS-00024"))
        assert tracking in stalled.inner_text()
        assert "in transit, no news for 14 days" in stalled.inner_text()
        assert stalled.locator("time").inner_text().endswith("EST")
        page.get_by_role("link", name=re.compile("orders needing attention")).click()
        page.wait_for_load_state()
        assert page.get_by_role("link", name="WS-00024").is_visible()
    finally:
        page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_unknown_code_is_mapped_only_to_a_meaning_someone_chose(
    live_server: LiveServer, browser: Any, clock: FixedClock, viewport: dict[str, int]
) -> None:
    tracking = a_quiet_carton(live_server.system, clock)
    record(live_server.system, clock, carrier="ups", shipment=tracking, raw_code="ZZ")
    page = browser.new_page(viewport=viewport)
    try:
        sign_in_as(page, live_server, "ops", "/ops/mappings")
        mapping = page.get_by_role("form", name="Map ups ZZ")
        meaning = mapping.get_by_label("Milestone for ups ZZ")
        assert meaning.input_value() == ""
        mapping.get_by_role("button", name="Map").click()  # one click, nothing chosen
        assert meaning.evaluate("e => !e.validity.valid")
        assert page.url.endswith("/ops/mappings")  # nothing was sent
        meaning.select_option("in_transit")
        with page.expect_navigation():
            mapping.get_by_role("button", name="Map").click()
        assert "1 parcel(s) read again" in page.inner_text("p.done")
    finally:
        page.close()
