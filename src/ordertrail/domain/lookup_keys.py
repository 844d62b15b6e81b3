"""What a customer types to find an order or a parcel, read the way they meant it: `1113` for
order `#1113`, a ZIP+4 for the ZIP, a tracking number in lower case or spaced as printed."""

from __future__ import annotations

#: Countries whose postal codes may carry the ZIP+4 extension.
_ZIP_COUNTRIES = frozenset({"", "US", "PR", "VI", "GU", "AS", "MP"})


def order_numbers(typed: str) -> tuple[str, ...]:
    """The order numbers `typed` may mean, as typed first: with and without a leading `#`
    (Shopify's "#1113"), and in upper case ("ord-7")."""
    plain = "".join(typed.split())
    bare = plain.lstrip("#")
    found = [plain, f"#{bare}", bare, plain.upper(), bare.upper()]
    return tuple(dict.fromkeys(number for number in found if number.strip("#")))


def order_key(typed: str) -> str:
    """One name for every way of typing the same order number (what a rate limit counts)."""
    return "".join(typed.split()).lstrip("#").upper()


def tracking_numbers(typed: str) -> tuple[str, ...]:
    """A tracking number without the spaces it is printed with, as typed and in upper case."""
    plain = "".join(typed.split())
    return tuple(dict.fromkeys(number for number in (plain, plain.upper()) if number))


def postal_key(code: str | None, country: str | None = None) -> str:
    """A postal code without spaces or dashes, in upper case; a US ZIP+4 as its ZIP."""
    key = "".join((code or "").split()).replace("-", "").upper()
    if (country or "").strip().upper() in _ZIP_COUNTRIES and len(key) == 9 and key.isdigit():
        return key[:5]
    return key
