"""What every store-platform reader needs: money in minor units, names in one piece, times
with their offsets, and the shape of what a store's webhook tells us."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ordertrail.app.commands import EventReport
from ordertrail.domain.model import DomainError, Order, Shipment


@dataclass(frozen=True, slots=True)
class ChannelUpdate:
    """What one store-platform delivery says: orders to register (with their parcels), more
    parcels of orders registered before, and events; applied in that order."""

    orders: list[Order] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)
    reports: list[EventReport] = field(default_factory=list)


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
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "CLP": 0,
    "ISK": 0,
    "HUF": 2,
    "BHD": 3,
    "KWD": 3,
    "OMR": 3,
    "JOD": 3,
    "TND": 3,
}


def minor_units(amount: str | int | float | None, currency: str) -> int | None:
    """`"404.95"` USD → 40495; None when there is no amount or it is not a number."""
    if amount is None or amount == "":
        return None
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return int((value * (10 ** _EXPONENT.get(currency.upper(), 2))).to_integral_value())


def full_name(*parts: object) -> str | None:
    """Names joined with single spaces, or None when none is given."""
    joined = " ".join(str(p).strip() for p in parts if p is not None and str(p).strip())
    return joined or None
