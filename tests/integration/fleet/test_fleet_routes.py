"""Routes of stops through the API and the CSV: a good plan assigns its parcels; a bad one
is refused naming the field, and stores nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from ordertrail.bootstrap import System
from ordertrail.cli import app as cli
from ordertrail.store.tables import events, fleet_routes, fleet_stop_parcels
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key
from tests.fleet_story import PARCELS, driver, fleet_system, plan, route_body, shop_orders


@pytest.fixture
def system(database_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[System]:
    built = fleet_system(database_url, clock, tmp_path / "proofs")
    yield built
    built.close()


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system)) as test_client:
        shop_orders(test_client, system)
        driver(system)
        yield test_client


def stored(system: System) -> tuple[int, int, int]:
    """(routes, parcels on routes, events) as the database holds them."""
    with system.engine.connect() as db:
        return tuple(  # type: ignore[return-value]
            db.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (fleet_routes, fleet_stop_parcels, events)
        )


def test_a_planned_route_assigns_its_parcels_and_reads_back_in_driving_order(
    client: TestClient, system: System
) -> None:
    answer = plan(client, system)
    assert answer.status_code == 201, answer.text
    shown = client.get("/api/v1/routes/R-1125", headers=api_key(system)).json()
    assert [stop["stop"] for stop in shown["stops"]] == [1, 2, 3]
    assert [stop["parcels"][0]["tracking_number"] for stop in shown["stops"]] == list(PARCELS)
    assert shown["stops"][2]["window"] == {
        "from": "2026-11-25T19:00:00+00:00",
        "until": "2026-11-25T21:00:00+00:00",
    }
    assert {p["status"] for s in shown["stops"] for p in s["parcels"]} == {"carrier_accepted"}
    parcel = client.get(f"/api/v1/shipments/{PARCELS[0]}", headers=api_key(system)).json()
    assigned = parcel["timeline"][-1]
    assert (assigned["milestone"], assigned["source"]) == ("carrier_accepted", "carrier:local")


def test_an_order_on_a_stop_brings_every_parcel_of_it(client: TestClient, system: System) -> None:
    body = route_body()
    body["stops"] = [{"orders": ["ORD-72"]}]
    assert plan(client, system, body).status_code == 201
    shown = client.get("/api/v1/routes/R-1125", headers=api_key(system)).json()
    assert [p["tracking_number"] for p in shown["stops"][0]["parcels"]] == [PARCELS[1]]


def _with_stops(*stops: dict[str, Any]) -> dict[str, Any]:
    return route_body() | {"stops": list(stops)}


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (_with_stops({"shipments": ["NOPE-1"]}), "stops[1].shipments: no parcel 'NOPE-1'"),
        (route_body(who="Nobody"), "driver: no driver named 'Nobody'"),
        (_with_stops({"orders": ["ORD-404"]}), "stops[1].orders: no order 'ORD-404'"),
        (
            _with_stops({"shipments": [PARCELS[0]]}, {"shipments": [PARCELS[0]]}),
            f"parcel '{PARCELS[0]}' is on two stops",
        ),
        (
            _with_stops(
                {
                    "shipments": [PARCELS[0]],
                    "window": {"from": "2026-11-25T16:00:00Z", "until": "2026-11-25T14:00:00Z"},
                }
            ),
            "window.until: the window ends before it starts",
        ),
        (
            _with_stops(
                {
                    "shipments": [PARCELS[0]],
                    "window": {"from": "2026-11-25T16:00:00", "until": "2026-11-25T18:00:00"},
                }
            ),
            "timezone",
        ),
        (_with_stops(), "stops"),
    ],
    ids=[
        "unknown parcel",
        "unknown driver",
        "unknown order",
        "twice",
        "backwards",
        "naive",
        "none",
    ],
)
def test_a_bad_plan_is_refused_naming_the_field_and_stores_nothing(
    client: TestClient, system: System, body: dict[str, Any], said: str
) -> None:
    before = stored(system)
    answer = plan(client, system, body)
    assert answer.status_code == 422, answer.text
    assert said in answer.text
    assert stored(system) == before
    assert client.get("/api/v1/routes/R-1125", headers=api_key(system)).status_code == 404


def test_a_parcel_is_on_one_route_a_day_and_a_route_id_is_used_once(
    client: TestClient, system: System
) -> None:
    assert plan(client, system).status_code == 201
    before = stored(system)
    again = plan(client, system)
    assert again.status_code == 422
    assert "route 'R-1125' exists already" in again.json()["detail"]
    driver(system, "Kim Lee")
    other = plan(client, system, route_body("R-1125-B", "Kim Lee"))
    assert other.status_code == 422
    assert f"parcel '{PARCELS[0]}' is on route 'R-1125' that day" in other.json()["detail"]
    assert stored(system) == before


def test_planning_needs_a_key_that_may_plan(client: TestClient, system: System) -> None:
    support = client.post("/api/v1/routes", json=route_body(), headers=api_key(system, "support"))
    assert support.status_code == 403
    assert client.post("/api/v1/routes", json=route_body()).status_code == 401


def test_the_days_stops_come_from_a_csv_and_a_bad_route_is_refused_at_its_line(
    client: TestClient, system: System, tmp_path: Path
) -> None:
    driver(system, "Kim Lee")
    sheet = tmp_path / "stops.csv"
    sheet.write_text(
        "route,driver,day,stop,parcel,order,window_from,window_until,address\n"
        f"R-A,Sam Ortiz,2026-11-25,1,{PARCELS[0]},,14:00,16:00,1 Elm St\n"
        "R-A,Sam Ortiz,2026-11-25,2,,ORD-72,16:00,18:00,2 Elm St\n"
        f"R-B,Kim Lee,2026-11-25,1,{PARCELS[2]},,09:00,08:00,3 Elm St\n"
    )
    url = system.engine.url.render_as_string(hide_password=False)
    ran = CliRunner().invoke(
        cli, ["--db", url, "routes", "import", str(sheet), "--time-zone", "America/New_York"]
    )
    assert ran.exit_code == 2, ran.output
    assert "line 4: window.until: the window ends before it starts" in ran.output
    assert "1 routes planned" in ran.output
    shown = client.get("/api/v1/routes/R-A", headers=api_key(system)).json()
    assert shown["stops"][0]["window"]["from"] == "2026-11-25T19:00:00+00:00"
    assert [s["parcels"][0]["tracking_number"] for s in shown["stops"]] == list(PARCELS[:2])
    assert client.get("/api/v1/routes/R-B", headers=api_key(system)).status_code == 404


def test_drivers_add_prints_a_pin_once_and_keeps_only_its_hash(system: System) -> None:
    url = system.engine.url.render_as_string(hide_password=False)
    ran = CliRunner().invoke(cli, ["--db", url, "drivers", "add", "Ana Diaz", "--json"])
    assert ran.exit_code == 0, ran.output
    pin = json.loads(ran.output)["pin"]
    assert pin.isdigit() and len(pin) == 8
    with system.uows(read_only=True) as uow:
        kept = uow.fleet.driver("Ana Diaz")
    assert kept is not None and pin not in kept.pin_hash
    assert kept.pin_hash.startswith("$argon2")
