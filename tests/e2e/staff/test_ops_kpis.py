"""The console's KPI page in Chromium, on a phone and on a laptop: a manager reads a figure
with its counts, sees the charts, opens the orders behind the figure and one of them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ordertrail.app.intake.commands import EventReport, RecordEvents, RegisterOrders
from ordertrail.bootstrap import System
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import Customer, Order, Shipment, Source
from tests.e2e.conftest import VIEWPORTS, LiveServer, sign_in_as

PLACED = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
#: promised for the 20th in New York: the day ends at 05:00 UTC on the 21st
PROMISED = date(2026, 11, 20)


def _shop_week(system: System) -> None:
    """Two Shopify orders ('#' in their numbers) from one site: one delivered on its promised
    day, one the day after."""
    ups, site = Source.parse("carrier:ups"), Source.parse("warehouse:louisville")
    orders, events = [], []
    for number, delivered in (("#1029", PROMISED + timedelta(days=1)), ("#1030", PROMISED)):
        parcel = f"P{number[1:]}"
        orders.append(
            Order(
                id=number,
                channel="shopify",
                placed_at=PLACED,
                customer=Customer(email="dana@example.com", time_zone="America/New_York"),
                promised_by=PROMISED,
                shipments=(
                    Shipment(
                        parcel, number, tracking_number=parcel, carrier="ups", site="louisville"
                    ),
                ),
            )
        )
        steps = [
            (site, Milestone.PICKED, PLACED + timedelta(hours=2)),
            (site, Milestone.PACKED, PLACED + timedelta(hours=3)),
            (site, Milestone.LABEL_CREATED, PLACED + timedelta(hours=4)),
            (ups, Milestone.CARRIER_ACCEPTED, PLACED + timedelta(hours=8)),
            (
                ups,
                Milestone.DELIVERED,
                datetime.combine(delivered, datetime.min.time(), UTC) + timedelta(hours=18),
            ),
        ]
        events += [
            EventReport(source=who, occurred_at=at, milestone=milestone, shipment=parcel)
            for who, milestone, at in steps
        ]
    assert not system.handle(RegisterOrders(orders)).problems
    assert not system.handle(RecordEvents(events)).problems


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_figure_opens_the_orders_behind_it_and_each_order_opens(
    live_server: LiveServer, browser: Any, viewport: dict[str, int]
) -> None:
    _shop_week(live_server.system)
    page = browser.new_page(viewport=viewport)
    try:
        sign_in_as(page, live_server, "support", "/ops")
        page.get_by_role("navigation", name="Console").get_by_role("link", name="KPIs").click()
        page.wait_for_load_state()
        on_time = page.locator("#kpi-on_time_delivery_rate")
        assert "50.0 (1 / 2)" in on_time.inner_text()
        assert page.locator("svg.chart").count() >= 5
        weekly = page.get_by_role("img", name=re.compile("On time, % of deliveries, week by"))
        assert "2026-11-16: 50" in (weekly.get_attribute("aria-label") or "")
        assert weekly.is_visible()

        export = page.request.get(
            live_server.url + page.get_by_role("link", name=re.compile("CSV")).get_attribute("href")
        )
        assert export.status == 200
        assert "report,,on_time_delivery_rate,50.0,1,2" in export.text()

        on_time.get_by_role("link").click()
        page.wait_for_load_state()
        listed = page.locator("table.behind tbody tr")
        assert listed.count() == 2
        late = page.get_by_role("row", name=re.compile("#1029"))
        assert (
            "late" in late.inner_text()
            and "on time" in page.get_by_role("row", name=re.compile("#1030")).inner_text()
        )
        late.get_by_role("link", name="#1029").click()
        page.wait_for_load_state()
        assert page.url.endswith("/ops/orders/%231029"), page.url
        assert "#1029" in page.locator("h1").inner_text()
    finally:
        page.close()
