"""WooCommerce orders as the REST API v3 gives them (`GET /wp-json/wc/v3/orders`, the order
properties of woocommerce.github.io/woocommerce-rest-api-docs), one at a time or as a file.

- The order's id is its `number` (what the customer sees; plugins may make it differ from
  `id`), else its `id`; `id` is kept as `external_id`.
- `date_created_gmt` and `date_modified_gmt` are UTC without an offset and are read as such.
  `date_created` alone is in the store's time zone, which the order does not say, so an order
  without `date_created_gmt` is refused rather than placed at a guessed time.
- Lines are `line_items` by `sku`, or `product-<product_id>` for a product without one.
- `status` is not read here: `cancelled`, `refunded` and `failed` are news about an order,
  which the webhook layer records as events.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

from ordertrail.app.intake.handlers import ItemProblem
from ordertrail.domain.model import DomainError
from ordertrail.domain.text import unstorable_text
from ordertrail.sources.channels.common import (
    Parsed,
    checked,
    compact,
    full_name,
    listed,
    money,
    part,
    priority,
    summed,
    text_of,
)


def canonical_order(payload: Any) -> dict[str, Any]:
    """One WooCommerce order object as the canonical order JSON (validate it with
    `parse_order`). No I/O; raises DomainError(field, reason) for a payload that cannot be an
    order at all, and leaves the rest to validation."""
    if not isinstance(payload, dict):
        raise DomainError("(order)", "is not a JSON object")
    order_id = text_of(payload.get("number")) or text_of(payload.get("id"))
    if not order_id:
        raise DomainError("number", "is missing, and so is id")
    value = money(payload.get("currency"), payload.get("total"))
    return {
        "id": order_id,
        "channel": "woocommerce",
        "external_id": text_of(payload.get("id")),
        "placed_at": _placed_at(payload),
        "updated_at": _utc(payload.get("date_modified_gmt")),
        # a cancelled order was cancelled at its last change, as far as the order says
        "cancelled_at": _utc(payload.get("date_modified_gmt"))
        if payload.get("status") == "cancelled"
        else None,
        "customer": _customer(part(payload, "billing"), part(payload, "shipping")),
        "value": value,
        "priority": priority(value, _method(listed(payload, "shipping_lines"))),
        "lines": summed(_line(item, n) for n, item in enumerate(listed(payload, "line_items"))),
    }


def _placed_at(payload: dict[str, Any]) -> Any:
    if not text_of(payload.get("date_created_gmt")):
        raise DomainError(
            "date_created_gmt",
            "is missing, and date_created is in the store's time zone, which the order "
            "does not say",
        )
    return _utc(payload["date_created_gmt"])


def _utc(value: Any) -> Any:
    """A `*_gmt` time (naive, UTC) as ISO 8601 with its offset; a time that has an offset
    already is kept; anything else goes on as given, so validation names the field."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _customer(billing: dict[str, Any], shipping: dict[str, Any]) -> dict[str, Any]:
    def name(part: dict[str, Any]) -> str | None:
        return full_name(part.get("first_name"), part.get("last_name"))

    return compact(
        {
            "name": name(shipping) or name(billing),  # no shipping name: a pickup, a download
            "email": text_of(billing.get("email")),
            "phone": text_of(billing.get("phone")) or text_of(shipping.get("phone")),
            "postal_code": text_of(shipping.get("postcode")),
            "country": text_of(shipping.get("country")),
        }
    )


def _method(shipping_lines: list[Any]) -> str | None:
    first = shipping_lines[0] if shipping_lines else None
    return text_of(first.get("method_title")) if isinstance(first, dict) else None


def _line(item: Any, position: int) -> tuple[str, Any, str | None]:
    if not isinstance(item, dict):
        raise DomainError(f"line_items.{position}", "is not a JSON object")
    product = text_of(item.get("product_id"))
    # product_id 0 is a product deleted since: naming it would merge every deleted product
    sku = text_of(item.get("sku")) or (f"product-{product}" if product not in (None, "0") else "")
    if not sku:
        raise DomainError(f"line_items.{position}.sku", "is empty and no product_id names it")
    return sku, item.get("quantity"), text_of(item.get("name"))


# --- the `woocommerce-json` file: what `GET /wp-json/wc/v3/orders` returns, saved ---

_BLANK = re.compile(r"[ \t\n\r]*")


def read_orders(text: str) -> Iterator[Parsed]:
    """The orders of a JSON array of WooCommerce orders (or of one order object), each as
    (the 1-based line its object starts on, the order or None, its problems). Bad input of
    any kind is reported this way; nothing is raised. JSON that cannot be parsed ends the
    reading where it breaks, after the orders before it."""
    lines = _Lines(text)
    start = _skip(text, 0)
    if start == len(text):
        yield 1, None, [ItemProblem(1, "(file)", "is empty, not a JSON array of orders")]
    elif text[start] == "{":
        yield from _orders(text, start, lines, in_array=False)
    elif text[start] == "[":
        yield from _orders(text, _skip(text, start + 1), lines, in_array=True)
    else:
        yield _broken(lines.at(start), "not a JSON array of orders")


def _orders(text: str, at: int, lines: _Lines, *, in_array: bool) -> Iterator[Parsed]:
    """The order objects from `at` on: the elements of an array (`at` is past its '['), or
    the one object at `at`."""
    decoder = json.JSONDecoder()
    empty = in_array and text.startswith("]", at)
    while not empty:
        line = lines.at(at)
        try:
            payload, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError as error:
            yield _broken(error.lineno, f"{error.msg}, column {error.colno}")
            return
        except (ValueError, RecursionError) as error:  # a 5000-digit number, deep nesting
            yield _broken(line, str(error).split(";")[0])
            return
        unstorable = unstorable_text(payload)
        parsed: Parsed
        try:
            if unstorable:
                parsed = line, None, [ItemProblem(line, *unstorable)]
            else:
                parsed = checked(line, partial(canonical_order, payload))
        except RecursionError:  # decoded just under the limit, too deep to look through
            parsed = line, None, [ItemProblem(line, "(order)", "is nested too deeply")]
        yield parsed
        at = _skip(text, at)
        if not in_array or text.startswith("]", at):
            break
        if not text.startswith(",", at):
            yield _broken(lines.at(at), "expected ',' or ']'")
            return
        at = _skip(text, at + 1)
    at = _skip(text, at + 1 if in_array else at)  # past the closing ']'
    if at < len(text):
        yield _broken(lines.at(at), "more follows the orders")


def _skip(text: str, at: int) -> int:
    """The position of the first non-blank character from `at` (or the end)."""
    blank = _BLANK.match(text, at)
    return blank.end() if blank else at


def _broken(line: int, why: str) -> Parsed:
    return line, None, [ItemProblem(line, "(json)", f"is not valid JSON: {why}")]


class _Lines:
    """Line numbers of positions in the text, counted forward only (the positions asked
    about never go back), so a file of 10 000 orders is not rescanned for each."""

    def __init__(self, text: str) -> None:
        self.text, self.position, self.line = text, 0, 1

    def at(self, position: int) -> int:
        self.line += self.text.count("\n", self.position, position)
        self.position = max(self.position, position)
        return self.line
