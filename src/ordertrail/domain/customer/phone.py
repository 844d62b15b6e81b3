"""A customer's mobile number for texts, in E.164 (`+` then 8 to 15 digits, no leading 0 in
the country code). Spaces, dots, dashes and brackets people type are dropped; anything else is
refused with the reason, never guessed (no country is assumed for a number without `+`)."""

from __future__ import annotations

import re

_TYPED_SEPARATORS = re.compile(r"[\s().\-]")
_E164 = re.compile(r"\+[1-9][0-9]{7,14}")


class BadPhoneNumber(ValueError):
    """`why` is one of: empty, no_plus, not_digits, country_code, length."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def e164(typed: str) -> str:
    """The number as E.164, or BadPhoneNumber."""
    number = _TYPED_SEPARATORS.sub("", typed)
    if number.startswith("00"):  # the international prefix many countries dial
        number = "+" + number[2:]
    if not number:
        raise BadPhoneNumber("empty")
    if not number.startswith("+"):
        raise BadPhoneNumber("no_plus")
    digits = number[1:]
    if not digits.isascii() or not digits.isdigit():
        raise BadPhoneNumber("not_digits")
    if digits.startswith("0"):
        raise BadPhoneNumber("country_code")
    if not _E164.fullmatch(number):
        raise BadPhoneNumber("length")
    return number


def masked(number: str) -> str:
    """What the page shows of a number it keeps: the last three digits only."""
    return "•" * max(0, len(number) - 3) + number[-3:]
