"""Tracking numbers: the carrier is told from the number, a mistyped one is refused."""

from __future__ import annotations

import pytest

from ordertrail.domain.model import DomainError
from ordertrail.sources.canonical import parse_order
from ordertrail.sources.tracking_numbers import identify


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        ("1Z999AA10123456784", "ups"),
        ("1z999aa1 0123456784", "ups"),
        ("123456789012", "fedex"),
        ("9400111899223197428497", "usps"),
        ("7777777770", "dhl"),
        ("LOCAL-FLEET-0042", None),  # a format no library knows is taken as it is
    ],
)
def test_the_carrier_is_told_from_the_number(number: str, carrier: str | None) -> None:
    assert identify(number).carrier == carrier


@pytest.mark.parametrize(
    ("number", "product"),
    [("1Z999AA10123456785", "UPS"), ("123456789013", "FedEx"), ("9400111899223197428490", "USPS")],
)
def test_a_mistyped_check_digit_is_refused(number: str, product: str) -> None:
    with pytest.raises(DomainError, match=f"looks like a {product}.*check digit is wrong"):
        identify(number)


def test_a_named_carrier_is_kept_and_checked_against_its_own_formats() -> None:
    assert identify("LOCAL-42", "Speedy").carrier == "speedy"
    assert identify("123456789013", "ups").carrier == "ups"  # not a UPS format: taken as said
    with pytest.raises(DomainError):
        identify("123456789013", "fedex")


def test_orders_get_the_carrier_filled_in_or_a_clear_refusal() -> None:
    order = {
        "id": "ORD-1",
        "channel": "shop",
        "placed_at": "2026-11-18T10:00:00Z",
        "lines": [{"sku": "DRILL", "quantity": 1}],
        "shipments": [
            {"tracking_number": "1Z999AA10123456784"},
            {"tracking_number": "1Z999AA10123456785", "carrier": "ups"},
        ],
    }
    with pytest.raises(DomainError) as caught:
        parse_order(order)
    assert caught.value.field == "shipments.1.tracking_number"
    order["shipments"] = order["shipments"][:1]
    assert parse_order(order).shipments[0].carrier == "ups"
