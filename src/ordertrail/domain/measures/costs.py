"""Fulfillment costs the shop records: postage per parcel, handling per order or per site,
return costs per return. Money stays in the currency it was given in; nothing converts it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from ordertrail.domain.model import DomainError, Money


class CostKind(StrEnum):
    POSTAGE = "postage"
    HANDLING = "handling"
    RETURN = "return"


class CostTarget(StrEnum):
    """What a cost is for; an order is found through its parcel or return."""

    ORDER = "order"
    SHIPMENT = "shipment"
    RETURN = "return"
    SITE = "site"


#: ISO 4217 currencies whose minor unit is not a hundredth.
_MINOR_DIGITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"), 0),
    **dict.fromkeys(("RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def currency_code(text: str) -> str:
    code = text.strip().upper()
    if not _CURRENCY.match(code):
        raise DomainError("currency", f"'{text}' is not a three-letter ISO 4217 code")
    return code


def minor_digits(currency: str) -> int:
    return _MINOR_DIGITS.get(currency, 2)


def money_of(amount: str, currency: str) -> Money:
    """`4.95` USD → 495 cents: an amount as people write it, in the currency's minor units."""
    code = currency_code(currency)
    try:
        value = Decimal(amount.strip().replace(",", ""))
    except InvalidOperation:
        raise DomainError("amount", f"'{amount}' is not a number") from None
    if not value.is_finite():
        raise DomainError("amount", f"'{amount}' is not a number")
    minor = value.scaleb(minor_digits(code))
    if minor != minor.to_integral_value():
        digits = minor_digits(code)
        raise DomainError("amount", f"'{amount}' has more than {digits} decimals for {code}")
    return Money(int(minor), code)


def major(money: Money) -> float:
    """Minor units back to the amount as people read it (495 cents → 4.95)."""
    return float(Decimal(money.amount).scaleb(-minor_digits(money.currency)))


@dataclass(frozen=True, slots=True)
class Cost:
    target: CostTarget
    target_id: str
    kind: CostKind
    money: Money
    incurred_on: date
    source: str
    #: re-recording the same cost (a file imported twice) changes nothing
    key: str = ""

    def __post_init__(self) -> None:
        if not self.target_id.strip():
            raise DomainError(self.target.value, "name what the cost is for")
        if self.money.amount < 0:
            raise DomainError("amount", "a cost is not negative (record a refund as its own)")
        if self.money.amount > 10**13:
            raise DomainError("amount", "is larger than any fulfillment cost")
        if not self.key:
            object.__setattr__(self, "key", self.default_key())

    def default_key(self) -> str:
        text = "|".join(
            (
                self.target.value,
                self.target_id,
                self.kind.value,
                str(self.money.amount),
                self.money.currency,
                self.incurred_on.isoformat(),
            )
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]
