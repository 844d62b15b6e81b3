"""A mobile number for texts: E.164 or a clear reason, never a guess."""

from __future__ import annotations

import pytest

from ordertrail.domain.customer.phone import BadPhoneNumber, e164, masked


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("+44 7700 900123", "+447700900123"),
        ("+1 (555) 555-0100", "+15555550100"),
        ("0033 6 12 34 56 78", "+33612345678"),  # the international prefix
        ("+49.151.2345.6789", "+4915123456789"),
    ],
)
def test_numbers_as_people_type_them_become_e164(typed: str, number: str) -> None:
    assert e164(typed) == number


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("07700 900123", "no_plus"),  # no country assumed
        ("+44 7700 9001x3", "not_digits"),
        ("+44 ٧٧٠٠٩٠٠١٢٣", "not_digits"),  # digits of another script
        ("+0 7700 900123", "country_code"),
        ("+44 77", "length"),
        ("+44 7700 900123 456789", "length"),
        ("+44\x007700900123", "not_digits"),
        ("+44 7700 900123; DROP TABLE", "not_digits"),
    ],
)
def test_anything_else_is_refused_with_the_reason(typed: str, why: str) -> None:
    with pytest.raises(BadPhoneNumber) as bad:
        e164(typed)
    assert bad.value.why == why


def test_a_kept_number_is_shown_by_its_last_digits_only() -> None:
    assert masked("+447700900123") == "••••••••••123"
