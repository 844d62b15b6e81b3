"""Amazon Seller Central order reports: tab-separated flat files, one row per order item.

Three reports are read, told apart by their columns:

- Unshipped Orders (`GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING`; Orders → Order Reports
  → Unshipped): `order-id`, `quantity-purchased`, the buyer and the `promise-date`; no prices.
- the Order Report (Seller Central's scheduled report of new orders): the same ids, with
  `currency`, `item-price`, `shipping-price`, `earliest-delivery-date`, `latest-delivery-date`.
- All Orders (`GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL`; Reports → Fulfillment →
  All Orders): `amazon-order-id`, `quantity`, prices, `order-status`, `last-updated-date`; no
  buyer and no promise.

Columns read when present: order-id | amazon-order-id, purchase-date, last-updated-date, sku,
quantity-purchased | quantity, currency, item-price, shipping-price, ship-service-level,
recipient-name, buyer-name, buyer-email, buyer-phone-number, ship-phone-number,
ship-postal-code, ship-country, earliest-delivery-date, latest-delivery-date, promise-date,
order-status, item-status.

- The Amazon order id ("114-3941689-8772232") is the order's id and its `external_id`.
- `value` is the order's item prices plus shipping prices (Amazon's amounts are already per
  row, not per unit).
- The promised window is the dates of `earliest-delivery-date` and `latest-delivery-date` (or
  `promise-date`) as written. Amazon writes them in UTC, so the last second of a promised day
  in the Americas ("2026-11-22T07:59:59+00:00" for the 21st in California) reads as the next
  day: the window may end a day late, never early.
- Amazon's flat files quote nothing: a `"` in a product name is only a character.
"""

from __future__ import annotations

import csv
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

ID = ("order-id", "amazon-order-id")
QUANTITY = ("quantity-purchased", "quantity")
NEEDED = (ID, ("purchase-date",), ("sku",), QUANTITY)


def read_orders(lines: Iterable[str]) -> Iterator[Parsed]:
    """(line of the order's first row, the order or None, its problems), one per order. Bad
    input of any kind is reported this way; nothing is raised."""
    return orders_in_rows(lines, NEEDED, ID, _canonical, delimiter="\t", quoting=csv.QUOTE_NONE)


def _canonical(rows: list[Row]) -> dict[str, Any]:
    """The rows of one order as the canonical order JSON."""
    head = rows[0]
    prices = (cell(row, name) for row in rows for name in ("item-price", "shipping-price"))
    value = money(cell(head, "currency"), *prices)
    cancelled = "cancel" in cell(head, "order-status").casefold()
    return {
        # Amazon says when the order last changed, not when it was cancelled: the nearest time
        "cancelled_at": (cell(head, "last-updated-date") or cell(head, "purchase-date"))
        if cancelled
        else None,
        "id": cell(head, *ID),
        "channel": "amazon",
        "external_id": cell(head, *ID),
        "placed_at": cell(head, "purchase-date"),
        "updated_at": cell(head, "last-updated-date") or None,
        "customer": compact(
            {
                "name": cell(head, "recipient-name") or cell(head, "buyer-name"),
                "email": cell(head, "buyer-email"),
                "phone": cell(head, "buyer-phone-number") or cell(head, "ship-phone-number"),
                "postal_code": cell(head, "ship-postal-code"),
                "country": cell(head, "ship-country"),
            }
        ),
        "promised_from": _day(cell(head, "earliest-delivery-date")),
        "promised_by": _day(cell(head, "latest-delivery-date") or cell(head, "promise-date")),
        "value": value,
        "priority": priority(value, cell(head, "ship-service-level")),
        "lines": summed(
            (cell(row, "sku"), cell(row, *QUANTITY), cell(row, "product-name"))
            for row in rows
            if _ships(row)
        ),
    }


def _ships(row: Row) -> bool:
    """False for a cancelled item, which the All Orders report lists with quantity 0: it is
    no line to ship, and 0 is no quantity a line may have."""
    status = f"{cell(row, 'order-status')} {cell(row, 'item-status')}".casefold()
    return not ("cancel" in status and cell(row, *QUANTITY) == "0")


def _day(text: str) -> str | None:
    """The calendar date of an Amazon time as written; None when there is none, the text as
    it was when it is not a time (so validation names the field)."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        return text
