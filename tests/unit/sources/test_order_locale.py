"""The customer's language reaches the order from every door: the canonical JSON (API and
`import orders --format jsonl`), Shopify's `customer_locale` and the generic CSV's `locale`
column. A tag no one can read refuses a canonical order (the sender can fix it) but is only
left out of a Shopify order (the order itself must not be lost for it)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from ordertrail.domain.model import DomainError
from ordertrail.sources.canonical import parse_order
from ordertrail.sources.canonical_out import order_json
from ordertrail.sources.channels import generic_csv, shopify
from tests.factories import canonical_order
from tests.paths import FIXTURES

SHOPIFY = FIXTURES / "shopify" / "orders_create.json"


def test_the_canonical_order_carries_its_locale_there_and_back() -> None:
    given = canonical_order("ORD-1", ("1Z999AA10123456784", "ups", {"HAT": 1})) | {
        "locale": "fr-CA"
    }
    order = parse_order(given)
    assert order.locale == "fr-CA"
    assert order_json(order)["locale"] == "fr-CA"
    assert parse_order(canonical_order("ORD-2")).locale is None


@pytest.mark.parametrize("tag", ["french", "f", "fr CA", "fr-<script>", "x" * 40, "fr\x00"])
def test_a_canonical_locale_nobody_can_read_is_refused_by_name(tag: str) -> None:
    with pytest.raises((ValidationError, DomainError), match="locale"):
        parse_order(canonical_order("ORD-1") | {"locale": tag})


def _shopify(**changes: Any) -> Any:
    body = json.loads(SHOPIFY.read_text()) | changes
    return shopify.order_update(body).orders[0]


def test_shopify_customer_locale_is_the_orders_language() -> None:
    assert _shopify(customer_locale="fr").locale == "fr"
    assert _shopify(customer_locale="pt-BR").locale == "pt-BR"


def test_a_shopify_locale_nobody_can_read_is_left_out_not_the_order() -> None:
    order = _shopify(customer_locale="not a language!")
    assert order.locale is None and order.id


def test_the_generic_csv_reads_a_locale_column() -> None:
    rows = [
        "order_id,channel,placed_at,customer_email,sku,quantity,locale",
        "ORD-9,web,2026-11-18T14:02:00+00:00,ana@example.com,HAT,1,es-MX",
        "ORD-9,web,2026-11-18T14:02:00+00:00,ana@example.com,MUG,2,es-MX",
    ]
    [(_line, order, problems)] = list(generic_csv.read_orders(rows))
    assert not problems and order is not None
    assert order.locale == "es-MX"
