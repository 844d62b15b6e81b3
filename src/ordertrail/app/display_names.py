"""Names people read, one for each thing, on every page and in every message: a carrier as
it calls itself (`FedEx`, not `FEDEX` to customers and `fedex` to staff), and a place as a
person writes it (carriers shout: `LOUISVILLE, KY, US` reads `Louisville, KY, US`)."""

from __future__ import annotations

from ordertrail.domain.model import Location

CARRIERS = {
    "ups": "UPS",
    "fedex": "FedEx",
    "usps": "USPS",
    "dhl": "DHL",
    "dhl_express": "DHL Express",
    "dhl-express": "DHL Express",
    "dhl_unified": "DHL",
    "dhl-unified": "DHL",
    "canadapost": "Canada Post",
    "canada_post": "Canada Post",
    "purolator": "Purolator",
    "ontrac": "OnTrac",
    "lasership": "LaserShip",
    "royalmail": "Royal Mail",
    "royal_mail": "Royal Mail",
    "dpd": "DPD",
    "gls": "GLS",
    "easypost": "EasyPost",
    "aftership": "AfterShip",
}


def carrier_name(code: str | None) -> str:
    """A carrier's own name; a code we have no name for, as it was given."""
    if not code:
        return ""
    return CARRIERS.get(code.strip().lower(), code)


def place_name(place: Location | None) -> str:
    """City, region, country: a city (or a region spelled out) in ALL CAPS title-cased, codes
    (`KY`, `US`, `ON`) kept as they are."""
    if place is None:
        return ""
    parts = [_name(place.city), _code_or_name(place.region), place.country]
    return ", ".join(part for part in parts if part)


def _name(words: str | None) -> str:
    if not words:
        return ""
    # a carrier's city field may end in a postal code (`MEMPHIS TN 38118`), and at the
    # door that code is the customer's: never shown
    words = " ".join(word for word in words.split() if not any(c.isdigit() for c in word))
    return words.title() if words.isupper() else words


def _code_or_name(words: str | None) -> str:
    if words and len(words) <= 3:
        return words.upper()
    return _name(words)
