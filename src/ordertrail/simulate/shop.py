"""The simulated shop's counter: what it sells, who buys, and the orders they place."""

from __future__ import annotations

import random
from datetime import datetime

from ordertrail.domain.priority import priority_of
from ordertrail.simulate.carriers.lanes import DESTINATIONS
from ordertrail.simulate.channels import Customer, OrderFacts

#: What the shop sells, with unit prices in cents.
SKUS = {
    "MUG": 1400,
    "HAT": 2200,
    "SCARF": 3500,
    "BOOK": 1800,
    "POSTER": 1200,
    "LAMP": 8900,
    "CHAIR": 34900,
    "RUG": 45900,
}
_FIRST = ("Dana", "Sam", "Priya", "Luis", "Mei", "Omar", "Ines", "Noah", "Ava", "Kofi")
_LAST = ("Reyes", "Okafor", "Novak", "Tanaka", "Silva", "Berg", "Haddad", "Kim", "Moreau")


def take_order(rng: random.Random, number: int, placed: datetime, channel: str) -> OrderFacts:
    """An order as a customer (or the wholesale desk, in bulk) places it; its priority is the
    one every channel reader gives it (`priority_of`), the truth the notifications follow."""
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    place = rng.choice(DESTINATIONS)[0]
    customer = Customer(
        first,
        last,
        f"{first}.{last}.{number}@example.com".lower(),
        f"+1555555{number % 10_000:04d}",
        place,
    )
    bulk = channel == "wholesale"
    skus = rng.sample(sorted(SKUS), rng.choice((1, 1, 2, 3)))
    lines = tuple(
        (sku, rng.randint(4, 12) if bulk else rng.randint(1, 2), SKUS[sku]) for sku in skus
    )
    service = "Express Shipping" if rng.random() < 0.12 and not bulk else "Standard Shipping"
    value = sum(q * price for _, q, price in lines)
    order_id = f"WS-{number:05d}" if bulk else f"#{1000 + number}"
    priority = priority_of(value, service).value
    return OrderFacts(order_id, channel, number, placed, customer, lines, service, priority)
