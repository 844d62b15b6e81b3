"""The generic order CSV: one row per order line, for any shop that can export a spreadsheet.

Columns (a header row names them; order does not matter; only the first three and `sku`,
`quantity` are required):

    order_id, channel, placed_at, customer_name, customer_email, customer_phone, postal_code,
    country, time_zone, promised_by, priority, value_amount, value_currency, sku, quantity,
    tracking_number, carrier, site, cancelled_at, locale

where `locale` is the customer's language ("fr", "fr-CA"): their pages and messages speak it.

and for a B2B order (domain/b2b/receiving.py; a `consignee` makes it one):

    consignee, receiving_site, purchase_order, dock_appointment, liftgate, receiving_hours

where `dock_appointment` and `liftgate` are yes/no (also true/false, 1/0).

Rows of one order share its `order_id` (they need not be next to each other); the order-level
columns are read from its first row. A row with a `tracking_number` puts its line in that
shipment. A refused order is reported with the line of its first row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ordertrail.sources.channels.common import Parsed, Row, orders_in_rows, summed

REQUIRED = ("order_id", "channel", "placed_at", "sku", "quantity")


def read_orders(lines: Iterable[str]) -> Iterator[Parsed]:
    """(line of the order's first row, the order or None, its problems), file order."""
    needed = [(column,) for column in REQUIRED]
    return orders_in_rows(lines, needed, ("order_id",), _canonical)


def _canonical(rows: list[Row]) -> dict[str, Any]:
    """The rows of one order as the canonical order JSON."""
    head = {name: (value or "").strip() for name, value in rows[0].items() if name}
    parcels: dict[str, dict[str, Any]] = {}
    for row in rows:
        sku = (row.get("sku") or "").strip()
        tracking = (row.get("tracking_number") or "").strip()
        if tracking:
            parcel = parcels.setdefault(
                tracking,
                {
                    "tracking_number": tracking,
                    "carrier": (row.get("carrier") or "").strip() or None,
                    "site": (row.get("site") or "").strip() or None,
                    "lines": [],
                },
            )
            parcel["lines"].append({"sku": sku, "quantity": _number(row.get("quantity"))})
    order: dict[str, Any] = {
        "id": head["order_id"],
        "channel": head.get("channel"),
        "placed_at": head.get("placed_at"),
        "lines": summed(
            ((row.get("sku") or "").strip(), row.get("quantity"), row.get("product_name"))
            for row in rows
        ),
        "shipments": list(parcels.values()),
        "customer": {
            k: head[f"customer_{k}"]
            for k in ("name", "email", "phone")
            if head.get(f"customer_{k}")
        }
        | {k: head[k] for k in ("postal_code", "country", "time_zone") if head.get(k)},
    }
    for name in ("promised_by", "priority", "cancelled_at", "locale"):
        if head.get(name):
            order[name] = head[name]
    if head.get("consignee"):
        order["business"] = _business(head)
    if head.get("value_amount") or head.get("value_currency"):
        order["value"] = {
            "amount": _number(head.get("value_amount")),
            "currency": head.get("value_currency"),
        }
    return order


_YES, _NO = {"yes", "y", "true", "1", "x"}, {"", "no", "n", "false", "0"}


def _business(head: dict[str, str]) -> dict[str, Any]:
    business: dict[str, Any] = {
        name: head[name]
        for name in ("consignee", "receiving_site", "purchase_order", "receiving_hours")
        if head.get(name)
    }
    for name in ("dock_appointment", "liftgate"):
        said = head.get(name, "").lower()
        # anything but yes or no goes on as written, so validation names the column
        business[name] = True if said in _YES else False if said in _NO else head[name]
    return business


def _number(text: str | None) -> Any:
    """An integer column as a number, or the text as it was (so validation names it); past
    18 digits no amount or quantity is real, and int() of thousands would fail outright."""
    value = (text or "").strip()
    digits = value.removeprefix("-")
    return int(value) if digits.isascii() and digits.isdigit() and len(digits) <= 18 else value
