"""Unmapped carrier codes are listed, and mapping one corrects every shipment that saw it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ordertrail.bootstrap import System, build
from ordertrail.cli import app
from ordertrail.config import Settings
from ordertrail.web.app import create_app
from tests.factories import api_key, canonical_order
from tests.paths import FIXTURES

CARRIERS = FIXTURES / "carriers"
PARCELS = ("123456789012", "777111222331")


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system), headers=api_key(system)) as test_client:
        for n, number in enumerate(PARCELS):
            order = canonical_order(f"ORD-{n}", (number, "fedex", {"BITS": 1}))
            assert test_client.post("/api/v1/orders", json=order).status_code == 201
        yield test_client


def scan(number: str, code: str, when: str, milestone: str | None = None) -> dict[str, Any]:
    event = {
        "shipment": number,
        "source": "carrier:fedex",
        "occurred_at": when,
        "raw_code": code,
        "raw_description": f"scan {code}",
    }
    return event | ({"milestone": milestone} if milestone else {})


def test_mapping_a_code_replays_history_and_corrects_statuses(client: TestClient) -> None:
    batch = [
        scan(PARCELS[0], "PU", "2026-11-19T17:20:00-08:00", "carrier_accepted"),
        scan(PARCELS[0], "0174", "2026-11-22T15:10:00-06:00"),  # nobody knows this code yet
        scan(PARCELS[1], "PU", "2026-11-20T10:00:00-08:00", "carrier_accepted"),
        scan(PARCELS[1], "174", "2026-11-23T11:00:00-06:00"),  # the same, without its zero
    ]
    assert client.post("/api/v1/events", json=batch).json()["accepted"] == 4
    assert client.get(f"/api/v1/shipments/{PARCELS[0]}").json()["status"] == "carrier_accepted"

    [unmapped] = client.get("/api/v1/mappings/unmapped").json()["unmapped"]
    assert (unmapped["carrier"], unmapped["events"], unmapped["shipments"]) == ("fedex", 2, 2)
    assert unmapped["examples"] == ["scan 0174", "scan 174"]

    mapped = client.put(
        "/api/v1/mappings/fedex/174",
        json={
            "milestone": "delivered",
            "note": "FedEx says 174 is a driver-app delivery scan",
        },
    )
    assert mapped.status_code == 200
    assert (mapped.json()["subjects"], mapped.json()["events"]) == (2, 4)

    for n, number in enumerate(PARCELS):
        parcel = client.get(f"/api/v1/shipments/{number}").json()
        assert parcel["status"] == "delivered"
        assert parcel["timeline"][-1]["remapped"] is True
        assert parcel["timeline"][-1]["raw_code"] in ("0174", "174")  # as the carrier said it
        assert client.get(f"/api/v1/orders/ORD-{n}").json()["status"] == "delivered"
    assert client.get("/api/v1/mappings/unmapped").json()["unmapped"] == []
    [listed] = client.get("/api/v1/mappings").json()["mappings"]
    assert (listed["raw_code"], listed["milestone"]) == ("174", "delivered")

    # a later scan with that code is read through the mapping as it arrives
    later = scan(PARCELS[1], "00174", "2026-11-24T09:00:00-06:00")
    client.post("/api/v1/events", json=[later])
    assert client.get(f"/api/v1/shipments/{PARCELS[1]}").json()["status"] == "delivered"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"milestone": "order_placed"}, "milestone"),
        ({"milestone": "in_transit", "reason": "weather"}, "reason"),
        ({"milestone": "teleported"}, "milestone"),
        ({"milestone": "in_transit", "mapped_by": ""}, "mapped_by"),
    ],
)
def test_a_meaning_no_carrier_code_can_have_is_refused(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    answer = client.put("/api/v1/mappings/fedex/XD", json=body)
    assert answer.status_code == 422
    assert field in json.dumps(answer.json()["errors"])


def test_the_command_line_lists_and_maps_codes(database_url: str, tmp_path: Path) -> None:
    def run(*args: str) -> Any:
        return CliRunner().invoke(app, ["--db", database_url, *args], catch_exceptions=False)

    order = canonical_order("ORD-9", ("1Z999AA10123456784", "ups", {"DRILL": 1}))
    (tmp_path / "o.jsonl").write_text(json.dumps(order) + "\n")
    run("import", "orders", str(tmp_path / "o.jsonl"), "--format", "jsonl")
    # the made UPS payload has a 044 scan ("on its way to UPS") no table maps
    run("ingest", str(CARRIERS / "ups_track_v1_exceptions_made.json"), "--format", "ups")
    listed = json.loads(run("mappings", "unmapped", "--json").stdout)
    assert [(c["carrier"], c["raw_code"]) for c in listed] == [("ups", "044")]
    assert "044" in run("mappings", "unmapped").stdout

    refused = run("mappings", "add", "ups", "044", "delayed", "--by", "ops:lee")
    assert refused.exit_code == 2 and "needs a reason" in refused.stderr
    added = run("mappings", "add", "ups", "0044", "in_transit", "--by", "ops:lee", "--json")
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["subjects"] == 1
    assert json.loads(run("mappings", "unmapped", "--json").stdout) == []
    assert "ups 044 → in_transit" in run("mappings", "list").stdout


def test_a_carrier_mapping_file_reads_a_fleets_codes_and_people_can_overrule_it(
    database_url: str, tmp_path: Path
) -> None:
    table = tmp_path / "carriers.toml"
    table.write_text(
        '[carriers.acme]\nPU = "carrier_accepted"\nDLV = "delivered"\nOOPS = "in_transit"\n'
    )
    settings = Settings(database_url=database_url, carrier_mappings=table)
    system = build(settings)
    try:
        with TestClient(create_app(system), headers=api_key(system)) as client:
            order = canonical_order("ORD-5", ("ACME-77", "acme", {"HAT": 1}))
            assert client.post("/api/v1/orders", json=order).status_code == 201
            events = [
                {
                    "shipment": "ACME-77",
                    "source": "carrier:acme",
                    "raw_code": code,
                    "occurred_at": f"2026-11-24T{hour:02d}:00:00+01:00",
                }
                for hour, code in ((8, "PU"), (12, "OOPS"), (15, "???"))
            ]
            assert client.post("/api/v1/events", json=events).json()["accepted"] == 3
            parcel = client.get("/api/v1/shipments/ACME-77").json()
            assert parcel["status"] == "in_transit"
            unmapped = client.get("/api/v1/mappings/unmapped").json()["unmapped"]
            assert [(u["carrier"], u["raw_code"]) for u in unmapped] == [("acme", "???")]
            # ops know better than the file: OOPS is this fleet's failed-attempt scan
            client.put(
                "/api/v1/mappings/acme/OOPS",
                json={
                    "milestone": "delivery_attempted",
                    "reason": "recipient_unavailable",
                },
            )
            parcel = client.get("/api/v1/shipments/ACME-77").json()
            assert (parcel["status"], parcel["exception_reason"]) == (
                "delivery_attempted",
                "recipient_unavailable",
            )
            listed = {
                m["raw_code"]: m["mapped_by"]
                for m in client.get("/api/v1/mappings").json()["mappings"]
            }
            assert listed == {
                "PU": "file:carriers.toml",
                "DLV": "file:carriers.toml",
                "OOPS": "key:tests-admin",
            }
    finally:
        system.close()


def test_a_broken_mapping_file_stops_the_command_with_its_reason(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "carriers.toml"
    table.write_text('[carriers.acme]\nPU = "teleported"\n')
    monkeypatch.setenv("ORDERTRAIL_CARRIER_MAPPINGS", str(table))
    result = CliRunner().invoke(app, ["--db", database_url, "mappings", "list"])
    assert result.exit_code == 2
    assert "[carriers.acme] PU: 'teleported' is not a milestone" in result.stderr


def test_mappings_are_addressed_as_events_name_them(client: TestClient) -> None:
    event = scan(PARCELS[0], "DE/08", "2026-11-22T15:10:00-06:00")
    assert client.post("/api/v1/events", json=[event]).json()["accepted"] == 1
    mapped = client.put(
        "/api/v1/mappings/FedEx /DE/08",
        json={"milestone": "delivery_attempted", "reason": "other"},
    )
    assert mapped.status_code == 200, mapped.text
    assert mapped.json()["mapping"]["carrier"] == "fedex"
    assert mapped.json()["subjects"] == 1
    too_long = client.put(
        "/api/v1/mappings/fedex/" + "X" * 101,
        json={"milestone": "in_transit"},
    )
    assert too_long.status_code == 422
