"""Shopify's order export (admin → Orders → Export, "CSV for Excel, Numbers, or other
spreadsheet programs"): one row per line item.

Columns read (matched whatever their case: exports have written both `Lineitem sku` and
`Lineitem SKU`; the others in a real export, dozens of them, are ignored):

    Name, Id, Created at, Email, Phone, Currency, Total, Shipping Method,
    Lineitem quantity, Lineitem name, Lineitem sku, Lineitem requires shipping,
    Shipping Name, Billing Name, Shipping Phone, Shipping Zip, Shipping Country

- The order's id is its `Name` ("#1001": what the customer sees and types); Shopify's numeric
  `Id` is kept as `external_id`, as the Shopify webhooks do.
- Shopify fills the order-level columns on an order's first row only, so they are read from
  there; every row of the order gives one line item, keyed by `Lineitem sku` (by
  `Lineitem name` when the product has no SKU). Items that need no shipping (gift cards,
  services) are not lines of a parcel's order.
- A refused order is reported at the line of its first row; a row without a `Name` on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from ordertrail.sources.channels.common import (
    Parsed,
    Row,
    cell,
    compact,
    money,
    orders_in_rows,
    priority,
    summed,
)

NEEDED = (("Name",), ("Created at",), ("Lineitem quantity",), ("Lineitem sku", "Lineitem name"))


def read_orders(lines: Iterable[str]) -> Iterator[Parsed]:
    """(line of the order's first row, the order or None, its problems), one per order. Bad
    input of any kind is reported this way; nothing is raised."""
    return orders_in_rows(lines, NEEDED, ("Name",), _canonical)


def _canonical(rows: list[Row]) -> dict[str, Any]:
    """The rows of one order as the canonical order JSON."""
    head = rows[0]
    value = money(cell(head, "currency"), cell(head, "total"))
    cancelled = cell(head, "cancelled at", "canceled at")
    return {
        "cancelled_at": _moment(cancelled) if cancelled else None,
        "id": cell(head, "name"),
        "channel": "shopify",
        "external_id": _unquoted(cell(head, "id")) or None,
        "placed_at": _moment(cell(head, "created at")),
        "customer": compact(
            {
                "name": cell(head, "shipping name") or cell(head, "billing name"),
                "email": cell(head, "email"),
                "phone": _unquoted(cell(head, "shipping phone") or cell(head, "phone")),
                "postal_code": _unquoted(cell(head, "shipping zip")),
                "country": cell(head, "shipping country"),
            }
        ),
        "value": value,
        "priority": priority(value, cell(head, "shipping method")),
        "lines": summed(
            (
                _unquoted(cell(row, "lineitem sku")) or cell(row, "lineitem name"),
                cell(row, "lineitem quantity"),
                cell(row, "lineitem name"),
            )
            for row in rows
            if cell(row, "lineitem requires shipping").casefold() != "false"
        ),
    }


def _moment(text: str) -> str:
    """Shopify writes times as "2026-11-18 14:02:11 -0500"; ISO 8601 for the parser, or the
    text as it was, so validation names `placed_at`."""
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z").isoformat()
    except ValueError:
        return text


def _unquoted(text: str) -> str:
    """Shopify writes number-like text (ZIP codes, phone numbers; in some exports ids and
    SKUs) as '02134, so that spreadsheet programs keep it as text with its leading zeros; the
    apostrophe is not part of the value (the webhooks give it without)."""
    return text.removeprefix("'")
