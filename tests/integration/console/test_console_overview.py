"""The overview as staff read it: a stalled parcel's quiet counted to now, parcels named by
the tracking numbers carriers know, and every order with an open case needing attention."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from ordertrail.app.intake.commands import EventReport, RecordEvents, RegisterOrders
from ordertrail.bootstrap import System
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import Customer, Order, Shipment, Source
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key, sign_in
from tests.stories import a_quiet_carton


@pytest.fixture
def client(system: System, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(system)) as test_client:
        yield test_client


def _stalled_rows(page: str) -> list[str]:
    table = page.split("<h2>Stalled parcels</h2>", 1)[1]
    return re.findall(r"<tr><td>.*?</tr>", table, re.S)


def test_a_stalled_parcel_says_how_long_it_has_been_quiet_now(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    a_quiet_carton(system, clock)
    clock.advance(days=12)
    sign_in(client, system, "ops")
    [row] = _stalled_rows(client.get("/ops").text)
    assert "in transit, no news for 14 days" in row
    assert "60 h" not in row
    assert "in transit, no news for 14 days" in client.get("/ops/exceptions").text


def test_parcels_are_named_by_their_tracking_numbers(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    tracking = a_quiet_carton(system, clock)
    sign_in(client, system, "ops")
    [row] = _stalled_rows(client.get("/ops").text)
    assert tracking in row and "00340123450000000017" not in row
    order_page = client.get("/ops/orders/WS-00024").text
    timeline = order_page.split('<table class="timeline">', 1)[1]
    assert tracking in timeline and "00340123450000000017" not in timeline


def test_an_order_with_an_open_case_needs_attention(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    a_quiet_carton(system, clock)  # nothing wrong but silence: only the stall case says so
    sign_in(client, system, "ops")
    assert ">1</strong> orders needing attention" in client.get("/ops").text
    listed = client.get("/ops/orders", params={"needs_attention": "true"}).text
    assert re.findall(r'<a href="/ops/orders/([^"]+)">', listed) == ["WS-00024"]
    assert "needs attention" in client.get("/ops/orders/WS-00024").text
    key = api_key(system, "ops")
    found = client.get("/api/v1/orders", params={"needs_attention": "true"}, headers=key)
    assert [o["id"] for o in found.json()["orders"]] == ["WS-00024"]
    assert client.get("/api/v1/orders/WS-00024", headers=key).json()["needs_attention"] is True


def test_the_home_shows_the_last_four_weeks_headline_kpis_with_their_counts(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    placed = clock.now() - timedelta(days=5)
    orders = [
        Order(
            id=f"K-{n}",
            channel="shopify",
            placed_at=placed,
            customer=Customer(email="dana@example.com", time_zone="America/New_York"),
            promised_by=(placed + timedelta(days=2)).date(),
            shipments=(Shipment(f"PK-{n}", f"K-{n}", tracking_number=f"PK-{n}", carrier="ups"),),
        )
        for n in range(2)
    ]
    ups = Source.parse("carrier:ups")
    events = [
        EventReport(source=ups, occurred_at=placed + timedelta(hours=h), milestone=m, shipment=p)
        for p, late in (("PK-0", 0), ("PK-1", 72))
        for m, h in ((Milestone.CARRIER_ACCEPTED, 5), (Milestone.DELIVERED, 30 + late))
    ]
    assert not system.handle(RegisterOrders(orders)).problems
    assert not system.handle(RecordEvents(events)).problems
    sign_in(client, system, "ops")
    home = client.get("/ops").text
    tile = re.search(r'id="tile-on_time_delivery_rate".*?</a>', home, re.S)
    assert tile and "50.0 %" in tile.group(0) and "(1 / 2)" in tile.group(0)
    door = re.search(r'id="tile-click_to_door".*?</a>', home, re.S)
    assert door and "66.0 h" in door.group(0) and "median of 2" in door.group(0)
    sign_in(client, system, "warehouse")
    assert "tile-on_time_delivery_rate" not in client.get("/ops").text
