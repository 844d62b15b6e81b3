"""What every store-platform reader needs: money in minor units, names in one piece, times
with their offsets, and the shape of what a store's webhook tells us."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from pydantic import ValidationError

from ordertrail.app.intake.commands import EventReport
from ordertrail.app.intake.handlers import ItemProblem
from ordertrail.domain.model import DomainError, Order, Shipment
from ordertrail.domain.priority import priority_of
from ordertrail.sources.canonical import parse_order, problems_of
from ordertrail.sources.channels.csv_rows import Row as Row
from ordertrail.sources.channels.csv_rows import Rows


@dataclass(frozen=True, slots=True)
class ChannelUpdate:
    """What one store-platform delivery says: orders to register (with their parcels), more
    parcels of orders registered before, and events; applied in that order."""

    orders: list[Order] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)
    reports: list[EventReport] = field(default_factory=list)
    #: parts of the delivery left out (a parcel with a mistyped tracking number), and why
    refused: list[ItemProblem] = field(default_factory=list)


def part(payload: dict[str, Any], name: str) -> dict[str, Any]:
    """A nested object of a platform payload ({} when absent; PHP writes an empty one as [])."""
    value = payload.get(name)
    if value in (None, [], ""):
        return {}
    if not isinstance(value, dict):
        raise DomainError(name, "is not a JSON object")
    return value


def listed(payload: dict[str, Any], name: str) -> list[Any]:
    """A nested array of a platform payload ([] when absent)."""
    value = payload.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise DomainError(name, "is not a JSON array")
    return value


def moment(value: Any, name: str) -> datetime:
    """An ISO 8601 time with its UTC offset, or a DomainError naming the field."""
    if not isinstance(value, str):
        raise DomainError(name, "needs an ISO 8601 time with a UTC offset")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(name, f"'{value[:60]}' is not an ISO 8601 time") from None
    if parsed.utcoffset() is None:
        raise DomainError(name, f"'{value[:60]}' has no UTC offset")
    return parsed


#: ISO 4217 currencies whose minor unit is not 1/100.
_EXPONENT = {
    **dict.fromkeys(
        (
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}


# Money as exports write it ("29.35", "-5"). Anything else (an exponent like "1e999999" would
# make minor_units build a million-digit integer) goes on to validation as given.
_PLAIN_AMOUNT = re.compile(r"-?\d{1,15}(?:\.\d{1,6})?")


def minor_units(amount: str | int | float | None, currency: str) -> int | None:
    """`"404.95"` USD → 40495; None when there is no amount or it is not a plain decimal
    (an exponent like "1e999999" would build a million-digit integer)."""
    text = "" if amount is None or isinstance(amount, bool) else str(amount).strip()
    if not _PLAIN_AMOUNT.fullmatch(text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return int((value * (10 ** _EXPONENT.get(currency.upper(), 2))).to_integral_value())


def full_name(*parts: object) -> str | None:
    """Names joined with single spaces, or None when none is given."""
    joined = " ".join(str(p).strip() for p in parts if p is not None and str(p).strip())
    return joined or None


# --- Order files: rows grouped into orders, each reported at the line of its first row ---

#: What an order-file reader yields per order: its first line, the order or None, the problems.
Parsed = tuple[int, Order | None, list[ItemProblem]]


def checked(line: int, build: Callable[[], dict[str, Any]]) -> Parsed:
    """One order built into canonical JSON and validated: (line, order, []) or (line, None,
    why not). `build` runs in here, so a DomainError it raises is reported like the rest."""
    try:
        return line, parse_order(build()), []
    except (ValidationError, DomainError) as error:
        return line, None, problems_of(line, error)


def orders_in_rows(
    lines: Iterable[str],
    needed: Sequence[tuple[str, ...]],
    id_columns: tuple[str, ...],
    canonical: Callable[[list[Row]], dict[str, Any]],
    **dialect: Any,
) -> Iterator[Parsed]:
    """The orders of an export with one row per order line (`dialect` as for csv.reader).

    The header must have each of `needed` (a tuple of names any of which will do, matched
    whatever their case; rows are then keyed by the lower-case names). Rows are grouped by
    the first of `id_columns` the header has (the rows of one order need not be adjacent) and
    each order is built by `canonical` from its rows and reported at its first row's line. A
    row without an order id, or one the csv module cannot read (a quote never closed, a field
    over its size limit), is reported on its own line, and the rows after it are read.
    """
    rows = Rows(lines, **dialect)
    columns, problem = _header(rows.reader, needed)
    if problem:
        yield 1, None, [problem]
        return
    id_name = _present(columns, id_columns) or id_columns[0]
    grouped: dict[str, tuple[int, list[Row]]] = {}
    for line, row, problems in rows:
        order_id = cell(row, id_name.casefold())
        if problems or not order_id:
            yield line, None, problems or [ItemProblem(line, id_name, "is empty")]
            continue
        grouped.setdefault(order_id, (line, []))[1].append(row)
    for line, grouped_rows in grouped.values():
        yield checked(line, partial(canonical, grouped_rows))


def _header(
    reader: csv.DictReader[str], needed: Sequence[tuple[str, ...]]
) -> tuple[list[str], ItemProblem | None]:
    try:
        names = reader.fieldnames or []
    except csv.Error as error:
        return [], ItemProblem(1, "(header)", f"cannot be read ({error})")
    columns = [name.strip().lstrip("\ufeff").strip().casefold() for name in names]
    reader.fieldnames = columns
    missing = [" or ".join(either) for either in needed if not _present(columns, either)]
    if missing:
        return columns, ItemProblem(1, "(header)", "needs the columns " + ", ".join(missing))
    return columns, None


def _present(columns: list[str], names: tuple[str, ...]) -> str | None:
    """The first of `names` the header has (rows are keyed by its lower case)."""
    return next((name for name in names if name.casefold() in columns), None)


def cell(row: Row, *names: str) -> str:
    """The trimmed text of the first of `names` the row has ("" when it has none): reports
    name some columns in more than one way."""
    for name in names:
        if name in row:
            value = row[name]
            return value.strip() if isinstance(value, str) else ""
    return ""


def count(value: Any) -> Any:
    """A quantity as an int when it is a whole number (JSON's 2.0, a CSV's "2"), else the
    value as given, so validation refuses it by name."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e9:
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value) if len(value.strip()) < 10 else value
    return value


def summed(lines: Iterable[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Canonical order lines, one per SKU with its quantities added up, from (sku, quantity)
    or (sku, quantity, product name). A quantity that is not a whole number is kept as given
    instead of added, so the order is refused naming it. The first name given for a SKU is
    the one kept."""
    quantities: dict[str, Any] = {}
    names: dict[str, str] = {}
    for sku, given, *called in lines:
        if called and isinstance(called[0], str) and called[0].strip():
            names.setdefault(sku, called[0].strip()[:200])
        before, quantity = quantities.get(sku, 0), count(given)
        if not _whole(before):
            continue  # refused already; the first bad quantity is the one to name
        quantities[sku] = before + quantity if _whole(quantity) else quantity
    return [
        {"sku": sku, "quantity": quantity, **({"name": names[sku]} if sku in names else {})}
        for sku, quantity in quantities.items()
    ]


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def money(currency: Any, *amounts: Any) -> dict[str, Any] | None:
    """The canonical `value`: `amounts` added up in minor units of `currency`, or None when
    none is given. An amount that is not a plain decimal number is passed on as given, so
    validation refuses `value.amount` by name rather than the order losing its value."""
    given = [str(amount).strip() for amount in amounts if text_of(amount)]
    if not given:
        return None
    code = text_of(currency)
    total = 0
    for amount in given:
        minor = minor_units(amount, code or "")
        if minor is None:
            return {"amount": amount, "currency": code}
        total += minor
    return {"amount": total, "currency": code}


def priority(value: dict[str, Any] | None, service: str | None) -> str:
    """The canonical priority of an order of this `value` (from `money`) shipped by this
    service level or shipping method."""
    amount = value["amount"] if value else None
    return priority_of(amount if _whole(amount) else None, service).value


def text_of(value: Any) -> str | None:
    """A JSON or CSV value as trimmed text; None when it is missing, blank or a boolean."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    return text or None


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """The entries that say something (no None, no empty text)."""
    return {name: value for name, value in values.items() if value}
