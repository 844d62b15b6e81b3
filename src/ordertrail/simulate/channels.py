"""Orders as the shop's channels send them: Shopify `orders/create` webhook bodies (REST
Admin API shape, as /work/shared/fixtures/shopify/orders_create.json) and the generic order
CSV a wholesale desk exports once a day."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ordertrail.simulate.carriers.lanes import Place
from ordertrail.simulate.catalog import PRODUCT_NAMES


@dataclass(frozen=True, slots=True)
class Customer:
    first_name: str
    last_name: str
    email: str
    phone: str
    place: Place


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """An order as the shop took it."""

    id: str
    channel: str  # "shopify" or "wholesale" (the CSV desk)
    number: int
    placed: datetime
    customer: Customer
    lines: tuple[tuple[str, int, int], ...]  # sku, quantity, unit price in cents
    service: str  # the shipping method the customer chose
    priority: str

    @property
    def value(self) -> int:
        return sum(quantity * price for _, quantity, price in self.lines)


def shopify_order(order: OrderFacts) -> dict[str, Any]:
    """The `orders/create` body Shopify posts for a paid, confirmed order."""
    customer, at = order.customer, order.placed.isoformat()
    total = f"{order.value / 100:.2f}"
    return {
        "id": 5_820_000_000_000 + order.number,
        "admin_graphql_api_id": f"gid://shopify/Order/{5_820_000_000_000 + order.number}",
        "name": order.id,
        "order_number": order.number,
        "email": customer.email,
        "contact_email": customer.email,
        "phone": None,
        "created_at": at,
        "processed_at": at,
        "updated_at": at,
        "confirmed": True,
        "cancelled_at": None,
        "currency": "USD",
        "financial_status": "paid",
        "fulfillment_status": None,
        "total_price": total,
        "total_price_set": {
            "shop_money": {"amount": total, "currency_code": "USD"},
            "presentment_money": {"amount": total, "currency_code": "USD"},
        },
        "customer": {
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "email": customer.email,
        },
        "shipping_address": {
            "name": f"{customer.first_name} {customer.last_name}",
            "address1": "100 Main St",
            "city": customer.place.city,
            "province_code": customer.place.state,
            "zip": customer.place.postal_code,
            "country_code": "US",
            "phone": customer.phone,
        },
        "shipping_lines": [
            {"title": order.service, "code": order.service.upper(), "price": "0.00"}
        ],
        "line_items": [
            {
                "id": 13_000_000_000 + order.number * 10 + n,
                "sku": sku,
                "title": PRODUCT_NAMES[sku],
                "name": PRODUCT_NAMES[sku],
                "quantity": quantity,
                "current_quantity": quantity,
                "price": f"{price / 100:.2f}",
                "requires_shipping": True,
            }
            for n, (sku, quantity, price) in enumerate(order.lines)
        ],
        "fulfillments": [],
    }


def shopify_fulfillment(
    order: OrderFacts,
    index: int,
    fulfillment_id: int,
    tracking: str,
    lines: Sequence[tuple[str, int, int]],
    at: datetime,
) -> dict[str, Any]:
    """The `fulfillments/create` body Shopify posts when the shop's shipping app buys a label
    for one box: which items are in it and its tracking number (no carrier name: the label
    scan already told which carrier it is)."""
    return {
        "id": fulfillment_id,
        "order_id": 5_820_000_000_000 + order.number,
        "name": f"{order.id}.{index}",
        "status": "success",
        "created_at": at.isoformat(),
        "updated_at": at.isoformat(),
        "tracking_number": tracking,
        "tracking_numbers": [tracking],
        "line_items": [
            {"sku": sku, "quantity": quantity, "current_quantity": quantity}
            for sku, quantity, _ in lines
        ],
    }


CSV_COLUMNS = (
    "order_id",
    "channel",
    "placed_at",
    "customer_name",
    "customer_email",
    "customer_phone",
    "postal_code",
    "country",
    "time_zone",
    "priority",
    "value_amount",
    "value_currency",
    "sku",
    "quantity",
    "product_name",
)


def order_csv(orders: Sequence[OrderFacts]) -> str:
    """The generic order CSV (one row per order line) of the day's wholesale orders."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for order in orders:
        customer = order.customer
        for sku, quantity, _ in order.lines:
            writer.writerow(
                (
                    order.id,
                    order.channel,
                    order.placed.isoformat(),
                    f"{customer.first_name} {customer.last_name}",
                    customer.email,
                    customer.phone,
                    customer.place.postal_code,
                    "US",
                    customer.place.time_zone,
                    order.priority,
                    order.value,
                    "USD",
                    sku,
                    quantity,
                    PRODUCT_NAMES[sku],
                )
            )
    return out.getvalue()
