"""Which carrier a tracking number belongs to, and whether it was typed right.

The `tracking-numbers` package knows the formats and check digits of UPS, FedEx, USPS, DHL
and a few more. A number that fits a known format but fails its check digit is refused: it
was mistyped. A number that fits no known format is accepted as it is — regional carriers and
local fleets have formats no library knows.
"""

from __future__ import annotations

from dataclasses import dataclass

import tracking_numbers

from ordertrail.domain.model import DomainError

#: the package's courier codes → the carrier names OrderTrail uses
_CARRIERS = {
    "ups": "ups",
    "fedex": "fedex",
    "usps": "usps",
    "dhl": "dhl",
    "ontrac": "ontrac",
    "amazon": "amazon",
    "s10": "postal",
    "cdl": "cdl",
}


@dataclass(frozen=True, slots=True)
class Identified:
    carrier: str | None  # None: no known format fits
    product: str | None


def identify(
    number: str, carrier: str | None = None, *, field: str = "tracking_number"
) -> Identified:
    """The carrier (the given one, else the detected one), or a DomainError for a number that
    fits a known format of that carrier but whose check digit is wrong."""
    cleaned = number.replace(" ", "").upper()
    fits = [
        (definition, found)
        for definition in tracking_numbers.DEFINITIONS
        if (found := definition.test(cleaned)) is not None
        and (carrier is None or _CARRIERS.get(definition.courier.code) == carrier.lower())
    ]
    for definition, found in fits:
        if found.valid:
            return Identified(_CARRIERS.get(definition.courier.code), definition.product.name)
    if fits:
        definition = fits[0][0]
        raise DomainError(
            field,
            f"'{number}' looks like a {definition.product.name} number "
            "but its check digit is wrong: was it mistyped?",
        )
    return Identified(carrier.lower() if carrier else None, None)
