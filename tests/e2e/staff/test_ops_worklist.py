"""The exception queue as a work list in Chromium, on a phone and on a laptop: staff walk it by
keyboard (j/k, x, a, ?), acknowledge two ticked cases at once saying why, keep a filter for
their team, and open a case's own page, where every action is reached by Tab."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ordertrail.app.casework.cases import find_cases
from ordertrail.app.effect_ports import CaseQuery
from tests.conftest import FixedClock
from tests.e2e.conftest import VIEWPORTS, LiveServer, sign_in_as
from tests.stories import a_busy_queue


def _current(page: Any) -> str:
    return str(page.evaluate("document.querySelector('tr.current')?.id || ''"))


def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id"))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_staff_walk_the_queue_by_keyboard_and_work_cases_together(
    live_server: LiveServer,
    browser: Any,
    clock: FixedClock,
    viewport: dict[str, int],
    artifacts: Path,
) -> None:
    a_busy_queue(live_server.system, clock, orders=5)
    size = "phone" if viewport["width"] < 600 else "laptop"
    ids = [c.id for c in find_cases(live_server.system.uows, CaseQuery(breaks_first=True))]
    first, second, third = (f"case-{i}" for i in ids[:3])
    page = browser.new_page(viewport=viewport)
    try:
        sign_in_as(page, live_server, "ops", "/ops/exceptions")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.keyboard.press("j")
        assert _current(page) == first and _focused(page) == first
        page.keyboard.press("j")
        page.keyboard.press("k")
        assert _current(page) == first
        page.keyboard.press("x")
        page.keyboard.press("j")
        page.keyboard.press("x")
        ticked = page.locator("input[name=case]:checked")
        assert [ticked.nth(n).get_attribute("value") for n in range(ticked.count())] == [
            str(ids[0]),
            str(ids[1]),
        ]
        page.keyboard.press("?")
        assert page.locator("details#keys").get_attribute("open") is not None
        page.screenshot(path=str(artifacts / f"worklist-keys-{size}.png"), full_page=True)

        page.fill("#b-why", "DHL depot closed for the day")  # typed keys are not shortcuts
        assert page.locator("input[name=case]:checked").count() == 2
        with page.expect_navigation():
            page.press("#b-why", "Enter")
        assert "Cases acknowledged" in page.inner_text("p.done")
        for row in (first, second):
            assert "seen by ops:staff:ops@shop.example" in page.inner_text(f"#{row}")
        assert "seen by" not in page.inner_text(f"#{third}")

        assert _current(page) == first  # back on the row the action was taken on
        page.keyboard.press("j")
        page.keyboard.press("j")
        assert _current(page) == third
        with page.expect_navigation():
            page.keyboard.press("a")
        assert page.inner_text("p.done") == "Acknowledged."
        assert "seen by ops@shop.example" in page.inner_text(f"#{third}")

        clock.advance(hours=5)  # the cases are older than 4 hours now
        page.select_option("#f-kind", label="delivery attempt failed")
        page.select_option("#f-age", label="4 hours")
        with page.expect_navigation():
            page.get_by_role("button", name="Filter", exact=True).click()
        page.fill("#s-name", "Failed attempts")
        with page.expect_navigation():
            page.press("#s-name", "Enter")
        assert page.inner_text("p.done") == "Filter saved for your team."
        page.goto(f"{live_server.url}/ops/exceptions")
        with page.expect_navigation():
            page.get_by_role("link", name="Failed attempts").click()
        assert "kind=failed_attempt" in page.url and "age=4h" in page.url
        assert page.locator("#f-kind").input_value() == "failed_attempt"

        page.keyboard.press("j")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith(f"/ops/cases/{ids[0]}")
        assert page.inner_text("h1") == f"Case {ids[0]}: delivery attempt failed"
        history = page.inner_text("ol.history")
        assert "acknowledged with others: DHL depot closed for the day" in history
        assert page.locator("table.timeline").is_visible()

        page.locator("details.menu summary").focus()
        page.keyboard.press("Enter")  # the menu opens from the keyboard
        for _ in range(8):
            page.keyboard.press("Tab")
            if _focused(page) == f"n-{ids[0]}":
                break
        assert _focused(page) == f"n-{ids[0]}", "the note field is out of the keyboard's reach"
        page.keyboard.type("rang the depot")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.inner_text("p.done") == "Note added."
        assert "note: rang the depot" in page.inner_text("ol.history")
        page.screenshot(path=str(artifacts / f"worklist-case-{size}.png"), full_page=True)
    finally:
        page.close()
