"""The generic order CSV: a shop's spreadsheet of 10 000 orders in, bad rows by line."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from ordertrail.bootstrap import build
from ordertrail.cli import app
from ordertrail.config import Settings
from ordertrail.store.tables import orders, shipments
from tests.factories import canonical_order

COLUMNS = [
    "order_id",
    "channel",
    "placed_at",
    "customer_name",
    "customer_email",
    "postal_code",
    "country",
    "priority",
    "value_amount",
    "value_currency",
    "sku",
    "quantity",
    "tracking_number",
    "carrier",
]


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def store_rows(count: int) -> list[dict[str, Any]]:
    """Two lines per order; half the orders shipped in one parcel (local fleet numbers)."""
    rows = []
    for n in range(count):
        common = {
            "order_id": f"CSV-{n:05d}",
            "channel": "spreadsheet",
            "placed_at": "2026-11-20T10:00:00+01:00",
            "customer_name": f"Customer {n}",
            "customer_email": f"c{n}@example.com",
            "postal_code": "1043 AG",
            "country": "NL",
            "priority": "routine",
            "value_amount": "2599",
            "value_currency": "EUR",
        }
        parcel = {"tracking_number": f"FLEET-{n:06d}", "carrier": "acme"} if n % 2 else {}
        rows.append({**common, "sku": "MUG", "quantity": "2", **parcel})
        rows.append({**common, "sku": "SPOON", "quantity": "1", **parcel})
    return rows


def run(url: str, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", url, *args], catch_exceptions=False)


def counts(url: str) -> tuple[int, int]:
    system = build(Settings(database_url=url))
    try:
        with system.engine.connect() as connection:
            return (
                connection.scalar(select(func.count()).select_from(orders)) or 0,
                connection.scalar(select(func.count()).select_from(shipments)) or 0,
            )
    finally:
        system.close()


def test_ten_thousand_orders_land_and_a_reimport_creates_nothing(
    database_url: str, tmp_path: Path
) -> None:
    path = write(tmp_path / "orders.csv", store_rows(10_000))
    first = run(database_url, "import", "orders", str(path), "--format", "generic-csv", "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["accepted"] == 10_000
    assert counts(database_url) == (10_000, 5_000)
    again = run(database_url, "import", "orders", str(path), "--format", "generic-csv")
    assert again.exit_code == 0 and "10000 orders read" in again.stdout
    assert counts(database_url) == (10_000, 5_000)
    shown = json.loads(run(database_url, "order", "show", "CSV-00001", "--json").stdout)
    assert {(line["sku"], line["quantity"]) for line in shown["lines"]} == {
        ("MUG", 2),
        ("SPOON", 1),
    }
    assert shown["shipments"][0]["tracking_number"] == "FLEET-000001"


def test_bad_rows_are_reported_by_line_while_good_orders_land(
    database_url: str, tmp_path: Path
) -> None:
    rows = store_rows(4)  # lines 2..9, two rows per order
    rows[2]["quantity"] = "two"  # line 4: order CSV-00001's first row... its second too
    rows[4]["placed_at"] = "yesterday"  # line 6: order CSV-00002
    rows.append({**rows[0], "order_id": ""})  # line 10: no order id
    path = write(tmp_path / "orders.csv", rows)
    result = run(database_url, "import", "orders", str(path), "--format", "generic-csv", "--json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["accepted"] == 2
    assert sorted({r["line"] for r in report["rejected"]}) == [4, 6, 10]
    fields = {r["field"] for r in report["rejected"]}
    assert {"lines.0.quantity", "placed_at", "order_id"} <= fields


def test_a_csv_without_the_needed_columns_is_refused_whole(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("id,sku\n1,MUG\n")
    result = run(database_url, "import", "orders", str(path), "--format", "generic-csv")
    assert result.exit_code == 2
    assert "needs the columns order_id, channel, placed_at, quantity" in result.stderr


def test_strict_refuses_the_whole_file_for_one_bad_order(database_url: str, tmp_path: Path) -> None:
    rows = store_rows(50)
    rows[71]["quantity"] = "-1"  # line 73: order CSV-00035, whose first row is line 72
    path = write(tmp_path / "orders.csv", rows)
    args = ("import", "orders", str(path), "--format", "generic-csv", "--strict", "--json")
    refused = run(database_url, *args)
    assert refused.exit_code == 2
    report = json.loads(refused.stdout)
    assert report["accepted"] == 0 and {r["line"] for r in report["rejected"]} == {72}
    assert counts(database_url) == (0, 0)
    # a shipment claimed by another order is the use case's refusal, not the reader's
    clean = store_rows(3)
    clean[4]["tracking_number"] = clean[2]["tracking_number"] = "FLEET-000001"
    clean[5]["tracking_number"] = "FLEET-000001"
    clash = write(tmp_path / "clash.csv", clean)
    assert (
        run(
            database_url, "import", "orders", str(clash), "--format", "generic-csv", "--strict"
        ).exit_code
        == 2
    )
    assert counts(database_url) == (0, 0)
    good = write(tmp_path / "good.csv", store_rows(50))
    landed = run(database_url, "import", "orders", str(good), "--format", "generic-csv", "--strict")
    assert landed.exit_code == 0, landed.output
    assert counts(database_url) == (50, 25)


def imported(url: str, path: Path, form: str = "generic-csv") -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(
        app, ["--db", url, "import", "orders", str(path), "--format", form, "--json"]
    )
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("amount", [str(10**30), str(2**63), "9" * 5000])
def test_an_impossible_amount_is_refused_by_line_and_the_good_order_lands(
    database_url: str, tmp_path: Path, amount: str
) -> None:
    rows = store_rows(2)  # lines 2-3 and 4-5
    rows[0]["value_amount"] = rows[1]["value_amount"] = amount
    code, report = imported(database_url, write(tmp_path / "orders.csv", rows))
    assert code == 2
    assert [(r["line"], r["field"]) for r in report["rejected"]] == [(2, "value.amount")]
    assert report["accepted"] == 1 and counts(database_url)[0] == 1


def test_an_impossible_amount_in_jsonl_is_refused_by_line_and_the_good_order_lands(
    database_url: str, tmp_path: Path
) -> None:
    good = canonical_order("ORD-GOOD")
    bad = canonical_order("ORD-BAD") | {"value": {"amount": 10**30, "currency": "USD"}}
    path = tmp_path / "orders.jsonl"
    path.write_text(json.dumps(bad) + "\n" + json.dumps(good) + "\n")
    code, report = imported(database_url, path, "jsonl")
    assert code == 2
    assert [(r["line"], r["field"]) for r in report["rejected"]] == [(1, "value.amount")]
    assert report["accepted"] == 1 and counts(database_url)[0] == 1


def test_a_field_past_the_csv_limit_is_reported_at_its_line_and_the_rest_land(
    database_url: str, tmp_path: Path
) -> None:
    rows = store_rows(3)  # lines 2..7
    rows[2]["customer_name"] = "x" * 200_000  # line 4: CSV-00001's first row
    code, report = imported(database_url, write(tmp_path / "orders.csv", rows))
    assert code == 2
    assert [r["line"] for r in report["rejected"]] == [4]
    assert "longer than 131,072 characters" in report["rejected"][0]["message"]
    assert report["accepted"] == 3  # CSV-00001 too, from the row that could be read


def test_a_quote_never_closed_is_named_at_its_line_and_the_rows_after_it_land(
    database_url: str, tmp_path: Path
) -> None:
    head = "order_id,channel,placed_at,customer_name,sku,quantity\n"
    body = (
        'A-1,web,2026-11-20T10:00:00+01:00,"Dana, Reyes",MUG,1\n'
        'A-2,web,2026-11-20T10:00:00+01:00,"Bo Lindqvist,MUG,1\n'  # line 3: never closed
        "A-3,web,2026-11-20T10:00:00+01:00,Ana,MUG,2\n"
        'A-4,web,2026-11-20T10:00:00+01:00,"Smith, ""Sam""",MUG,1\n'  # quoted quotes
    )
    path = tmp_path / "orders.csv"
    path.write_text(head + body)
    code, report = imported(database_url, path)
    assert code == 2
    ((rejected,),) = [report["rejected"]]
    assert rejected["line"] == 3
    assert rejected["message"] == "the quote opened on line 3 is never closed"
    assert report["accepted"] == 3 and counts(database_url)[0] == 3
