"""Store-platform order files through the command line: a shop's 10 000 orders in Shopify's
export, an Amazon order report and WooCommerce's REST orders, and bad rows reported by line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from ordertrail.bootstrap import build
from ordertrail.cli import app
from ordertrail.config import Settings
from ordertrail.store.tables import orders
from tests.paths import FIXTURES

CHANNELS = FIXTURES / "channels"

#: What every generated order holds: two lines, so each order is a split one.
LINES = (("MUG-SPK", 2), ("SPOON-OAK", 1))

# A writer makes a file of `count` orders with the real headers of its format; `spoil` changes
# the rows (or order objects) first, to put bad ones in. Row files have a header on line 1 and
# order n on lines 2n+2 and 2n+3; the WooCommerce file has order n on line n+2.
Spoil = Callable[[list[dict[str, Any]]], None]


def _header(fixture: str, delimiter: str) -> list[str]:
    with (CHANNELS / fixture).open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle, delimiter=delimiter))


def _table(header: list[str], rows: list[dict[str, Any]], delimiter: str) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, header, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def shopify_export(count: int, spoil: Spoil = lambda rows: None) -> str:
    rows = []
    for n in range(count):
        name, email = f"#{10_000 + n}", f"c{n}@example.com"
        head = {
            "Name": name,
            "Email": email,
            "Financial Status": "paid",
            "Currency": "USD",
            "Subtotal": "47.00",
            "Shipping": "6.00",
            "Total": "53.00",
            "Shipping Method": "Standard Shipping",
            "Created at": "2026-11-20 10:00:00 -0500",
            "Shipping Name": f"Customer {n}",
            "Shipping Zip": "'02134",
            "Shipping Country": "US",
            "Id": str(5_843_000_000_000 + n),
        }
        for number, (sku, quantity) in enumerate(LINES):
            item = {
                "Name": name,
                "Email": email,
                "Lineitem quantity": str(quantity),
                "Lineitem name": sku.title(),
                "Lineitem price": "16.00",
                "Lineitem sku": sku,
                "Lineitem requires shipping": "true",
                "Lineitem fulfillment status": "pending",
            }
            rows.append({**head, **item} if number == 0 else item)
    spoil(rows)
    return _table(_header("shopify_orders_export.csv", ","), rows, ",")


def amazon_all_orders(count: int, spoil: Spoil = lambda rows: None) -> str:
    rows = []
    for n in range(count):
        for sku, quantity in LINES:
            rows.append(
                {
                    "amazon-order-id": f"11{n % 10}-{n:07d}-{n * 7919 % 10_000_000:07d}",
                    "purchase-date": "2026-11-20T07:00:00-08:00",
                    "last-updated-date": "2026-11-20T08:00:00-08:00",
                    "order-status": "Unshipped",
                    "fulfillment-channel": "Merchant",
                    "sales-channel": "Amazon.com",
                    "ship-service-level": "Standard",
                    "product-name": sku.title(),
                    "sku": sku,
                    "item-status": "Unshipped",
                    "quantity": str(quantity),
                    "currency": "USD",
                    "item-price": f"{16 * quantity}.00",
                    "shipping-price": "0.00",
                    "ship-postal-code": "97214",
                    "ship-country": "US",
                }
            )
    spoil(rows)
    return _table(_header("amazon_all_orders.txt", "\t"), rows, "\t")


def woocommerce_orders(count: int, spoil: Spoil = lambda rows: None) -> str:
    """What `GET /wp-json/wc/v3/orders` pages give, one compact order a line."""
    template = json.loads((CHANNELS / "woocommerce_orders.json").read_text(encoding="utf-8"))[1]
    items = [
        {"id": 900 + k, "name": sku.title(), "product_id": 40 + k, "quantity": q, "sku": sku}
        for k, (sku, q) in enumerate(LINES)
    ]
    found = [
        {**template, "id": 20_000 + n, "number": str(20_000 + n), "line_items": items}
        for n in range(count)
    ]
    spoil(found)
    return "[\n" + ",\n".join(json.dumps(order) for order in found) + "\n]\n"


FORMATS: dict[str, tuple[Callable[..., str], str, str]] = {
    # format: (writer, file name, id of the second order)
    "shopify-csv": (shopify_export, "orders_export.csv", "#10001"),
    "amazon-tsv": (amazon_all_orders, "all_orders.txt", "111-0000001-0007919"),
    "woocommerce-json": (woocommerce_orders, "orders.json", "20001"),
}


def run(url: str, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", url, *args], catch_exceptions=False)


def count_orders(url: str) -> int:
    system = build(Settings(database_url=url))
    try:
        with system.engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(orders)) or 0
    finally:
        system.close()


@pytest.mark.parametrize("format", FORMATS)
def test_ten_thousand_orders_land_and_a_reimport_creates_nothing(
    database_url: str, tmp_path: Path, format: str
) -> None:
    writer, name, second = FORMATS[format]
    path = tmp_path / name
    path.write_text(writer(10_000), encoding="utf-8")

    first = run(database_url, "import", "orders", str(path), "--format", format, "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["accepted"] == 10_000
    assert count_orders(database_url) == 10_000

    shown = run(database_url, "order", "show", second, "--json")
    assert shown.exit_code == 0, shown.output
    assert {(line["sku"], line["quantity"]) for line in json.loads(shown.stdout)["lines"]} == set(
        LINES
    )

    again = run(database_url, "import", "orders", str(path), "--format", format)
    assert again.exit_code == 0, again.output
    assert "10000 orders read" in again.stdout and "0 rejected" in again.stdout
    assert count_orders(database_url) == 10_000


def spoil_rows(rows: list[dict[str, Any]], quantity: str, placed: str, order_id: str) -> None:
    rows[3][quantity] = "two"  # line 5, order 1's second row: order 1 is reported at line 4
    rows[4][placed] = "yesterday"  # line 6: order 2
    rows.append({**rows[0], order_id: ""})  # line 10: a row of no order


def spoil_orders(found: list[dict[str, Any]]) -> None:
    found[1]["line_items"] = [{**found[1]["line_items"][0], "quantity": "two"}]  # line 3
    del found[2]["date_created_gmt"]  # line 4


SPOILED = {
    "shopify-csv": (
        lambda rows: spoil_rows(rows, "Lineitem quantity", "Created at", "Name"),
        {4: "lines.1.quantity", 6: "placed_at", 10: "Name"},
    ),
    "amazon-tsv": (
        lambda rows: spoil_rows(rows, "quantity", "purchase-date", "amazon-order-id"),
        {4: "lines.1.quantity", 6: "placed_at", 10: "amazon-order-id"},
    ),
    "woocommerce-json": (spoil_orders, {3: "lines.0.quantity", 4: "date_created_gmt"}),
}


@pytest.mark.parametrize("format", FORMATS)
def test_bad_rows_are_reported_by_line_while_good_orders_land(
    database_url: str, tmp_path: Path, format: str
) -> None:
    writer, name, _ = FORMATS[format]
    spoil, expected = SPOILED[format]
    path = tmp_path / name
    path.write_text(writer(4, spoil), encoding="utf-8")

    result = run(database_url, "import", "orders", str(path), "--format", format, "--json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["accepted"] == 2
    assert {r["line"]: r["field"] for r in report["rejected"]} == expected
    assert count_orders(database_url) == 2

    told = run(database_url, "import", "orders", str(path), "--format", format)
    assert told.exit_code == 2
    for line, field in expected.items():
        assert f"line {line}: {field}: " in told.stderr


def test_an_unknown_format_names_the_ones_there_are(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("x\n")
    result = run(database_url, "import", "orders", str(path), "--format", "etsy-csv")
    assert result.exit_code == 2
    assert "shopify-csv, amazon-tsv, woocommerce-json" in result.stderr


def test_a_file_that_is_not_utf8_is_refused_whole_naming_the_line(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "orders_export.csv"
    path.write_bytes(shopify_export(3).encode("utf-8").replace(b"Customer 2", b"Customer \xff"))
    result = run(database_url, "import", "orders", str(path), "--format", "shopify-csv")
    assert result.exit_code == 2
    assert "line 6 is not UTF-8 text" in result.stderr
    assert count_orders(database_url) == 0


@pytest.mark.parametrize(
    ("format_", "fixture", "order_id"),
    [
        ("shopify-csv", "shopify_orders_export.csv", "#1006"),
        ("amazon-tsv", "amazon_all_orders.txt", "111-6650213-7349857"),
    ],
)
def test_a_cancelled_order_in_a_file_is_cancelled(
    database_url: str, format_: str, fixture: str, order_id: str
) -> None:
    from typer.testing import CliRunner

    from ordertrail.cli import app

    path = CHANNELS / fixture
    runner = CliRunner()
    runner.invoke(app, ["--db", database_url, "import", "orders", str(path), "--format", format_])
    again = runner.invoke(
        app, ["--db", database_url, "import", "orders", str(path), "--format", format_]
    )
    assert again.exit_code in (0, 2)
    shown = runner.invoke(app, ["--db", database_url, "order", "show", order_id, "--json"])
    view = json.loads(shown.stdout)
    assert view["status"] == "cancelled"
    cancellations = [r for r in view["timeline"] if r["milestone"] == "order_cancelled"]
    assert len(cancellations) == 1  # imported twice, cancelled once
