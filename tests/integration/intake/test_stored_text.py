"""Text no reader can show, stored by versions that let it in: every read still works, and
`ordertrail repair text` mends what can be mended, with a record of it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Text, cast, select, update
from typer.testing import CliRunner

from ordertrail.bootstrap import System
from ordertrail.cli import app
from ordertrail.store.tables import events, orders
from ordertrail.web.app import create_app
from tests.factories import api_key, canonical_order, sign_in

UPS = "1Z999AA10123456784"
BAD = "\udfff"  # a lone surrogate: Python's json.loads lets it through from "\\udfff"


@pytest.fixture
def stored(system: System) -> Iterator[TestClient]:
    """ORD-1 with one good event, then a lone surrogate written straight into the database, as
    older versions let it in: in an event's data and in the customer's name."""
    with TestClient(create_app(system)) as client:
        key = api_key(system)
        order = canonical_order("ORD-1", (UPS, "ups", {"DRILL-18V": 1}))
        order["customer"]["name"] = "Dana Reyes"
        assert client.post("/api/v1/orders", json=order, headers=key).status_code == 201
        scan = {"shipment": UPS, "milestone": "in_transit", "source": "carrier:ups"}
        scan["occurred_at"] = "2026-11-20T03:15:00Z"
        assert client.post("/api/v1/events", json=[scan], headers=key).status_code == 200
        with system.engine.begin() as connection:
            first = connection.execute(select(events).limit(1)).mappings().one()
            row = {name: first[name] for name in first if name != "seq"}
            row |= {"key": "older-version", "raw_code": "X", "data": {"operator": f"Bo{BAD}"}}
            row |= {"location": {"city": f"Louisville{BAD}"}}
            connection.execute(events.insert().values(row))
            connection.execute(
                update(orders).values(customer={"name": f"Dana{BAD}", "email": "d@example.com"})
            )
        yield client


def test_every_reader_shows_stored_surrogates_as_replacement_characters(
    stored: TestClient, system: System, database_url: str
) -> None:
    answer = stored.get("/api/v1/orders/ORD-1", headers=api_key(system))
    assert answer.status_code == 200
    detail = answer.json()
    assert detail["customer"]["name"] == "Dana\ufffd"
    assert {"operator": "Bo\ufffd"} in [entry["data"] for entry in detail["timeline"]]
    assert stored.get(f"/api/v1/shipments/{UPS}", headers=api_key(system)).status_code == 200
    sign_in(stored, system, "admin")
    page = stored.get("/ops/orders/ORD-1")
    assert page.status_code == 200 and "Dana\ufffd" in page.text
    for extra in ([], ["--json"]):
        shown = CliRunner().invoke(app, ["--db", database_url, "order", "show", "ORD-1", *extra])
        assert shown.exit_code == 0, shown.output
    assert "Dana\ufffd" in shown.output and "Louisville\ufffd" in shown.output  # --json


def test_repair_mends_stored_text_with_a_record_and_leaves_the_log_as_it_came(
    stored: TestClient, system: System, database_url: str
) -> None:
    from ordertrail.store.tables import text_repairs

    def repair(*extra: str) -> dict[str, Any]:
        said = CliRunner().invoke(app, ["--db", database_url, "repair", "text", "--json", *extra])
        assert said.exit_code == 0, said.output
        return json.loads(said.output)  # type: ignore[no-any-return]

    looked = repair("--dry-run")
    assert [(m["table"], m["column"]) for m in looked["mended"]] == [("orders", "customer")]
    assert len(looked["events_read_mended"]) == 1
    with system.engine.connect() as connection:
        assert connection.execute(select(text_repairs)).first() is None  # a dry run changes nothing
    assert repair()["mended"] == looked["mended"]
    with system.engine.connect() as connection:
        record = connection.execute(select(text_repairs)).mappings().one()
        raw = connection.execute(select(cast(orders.c.customer, Text))).scalar_one()
        kept = connection.execute(
            select(events.c.data).where(events.c.key == "older-version")
        ).scalar_one()
    assert (record["table_name"], record["column_name"]) == ("orders", "customer")
    assert json.loads(record["stored"])["name"] == f"Dana{BAD}"  # what was there, kept
    assert "\\udfff" not in raw.lower() and json.loads(raw)["name"] == "Dana\ufffd"
    assert kept == {"operator": "Bo\ufffd"}  # read mended, stored as it came
    again = repair()
    assert again["mended"] == [] and len(again["events_read_mended"]) == 1
