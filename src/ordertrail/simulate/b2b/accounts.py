"""The simulated shop's B2B accounts: the wholesale desk's orders are for a few named companies,
each with its receiving site, purchase orders and (for most) a dock that takes trucks only at
a booked time. They are larger orders of several lines, shipped on pallets (their SSCC is the
tracking number) by a freight carrier; now and then the warehouse ships a line short.

Pure and seeded: each order's plan comes from its own stream (seed and order number), so the
parcel shop's stream stays as it was. What the freight carrier says (the pallets' journey and
the dock appointment) is in freight.py; the orders' CSV is here.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from ordertrail.domain.priority import priority_of
from ordertrail.simulate.carriers.labels import sscc
from ordertrail.simulate.carriers.lanes import DESTINATIONS, Place
from ordertrail.simulate.catalog import PRODUCT_NAMES
from ordertrail.simulate.channels import CSV_COLUMNS, Customer, OrderFacts
from ordertrail.simulate.shop import SKUS

if TYPE_CHECKING:
    from ordertrail.simulate.store import Store

#: The freight carrier that moves the pallets (a made-up LTL carrier; its code is also the
#: name of its signed hook, `/hooks/ridgeline`).
FREIGHT = "ridgeline"
#: Pallets get SSCC serials from here up (the parcels' cartons count from 1).
PALLET_SERIALS = 500_000
#: Orders the warehouse ships a line short of.
SHORT_SHARE = 0.3


def _place(city: str) -> Place:
    return next(place for place, _ in DESTINATIONS if place.city == city)


@dataclass(frozen=True, slots=True)
class Account:
    consignee: str
    receiving_site: str
    place: Place
    dock_appointment: bool
    receiving_hours: str
    po_prefix: str


ACCOUNTS = (
    Account(
        "Northwind Hardware", "Chicago DC 2", _place("Chicago"), True, "Mon-Fri 07:00-15:00", "45"
    ),
    Account(
        "Peachtree Home Supply",
        "Atlanta receiving",
        _place("Atlanta"),
        True,
        "Mon-Fri 06:00-14:00",
        "PHS-",
    ),
    Account(
        "Front Range Outfitters",
        "Denver store 14",
        _place("Denver"),
        False,
        "Mon-Sat 09:00-17:00",
        "FRO-",
    ),
)


@dataclass(frozen=True, slots=True)
class Pallet:
    sscc: str
    lines: tuple[tuple[str, int], ...]  # sku, units on this pallet


@dataclass(frozen=True, slots=True)
class B2BOrder:
    """One account's order and what really happened to it (the truth it is judged by)."""

    order_id: str
    account: Account
    purchase_order: str
    pallets: tuple[Pallet, ...] = ()
    short: tuple[tuple[str, int], ...] = ()  # sku, units never shipped
    shipped: datetime | None = None
    #: when the freight carrier's last report about it reaches us (None: not yet shipped)
    last_news: datetime | None = None
    misses: int = 0  # dock appointments the truck did not come to
    moves: int = 0
    damaged: tuple[tuple[str, int], ...] = ()


def stream(seed: int, order: OrderFacts) -> random.Random:
    """The order's shipping stream (its pallets, what the freight carrier says)."""
    return random.Random(f"b2b-{seed}-{order.number}")


def account_order(order: OrderFacts, seed: int) -> tuple[OrderFacts, B2BOrder]:
    """The desk's order made an account's: its receiving site, several lines, more units."""
    rng = random.Random(f"account-{seed}-{order.number}")
    account = rng.choice(ACCOUNTS)
    skus = sorted(rng.sample(sorted(SKUS), rng.randint(2, 4)))
    lines = tuple(
        (sku, rng.randint(2, 8) if SKUS[sku] > 10_000 else rng.randint(6, 40), SKUS[sku])
        for sku in skus
    )
    receiving = Customer(
        "Receiving",
        account.consignee,
        f"receiving.{order.number}@{account.po_prefix.strip('-').lower()}.example.com",
        order.customer.phone,
        account.place,
    )
    value = sum(q * p for _, q, p in lines)
    facts = replace(
        order,
        customer=receiving,
        lines=lines,
        service="Freight",
        priority=priority_of(value, "Freight").value,
    )
    po = f"{account.po_prefix}{4_500_000 + order.number * 7:08d}"
    return facts, B2BOrder(order.id, account, po)


def load_pallets(store: Store, rng: random.Random, order: OrderFacts, plan: B2BOrder) -> B2BOrder:
    """The pallets the warehouse builds: one, or two when there are many lines; a line now and
    then short of a few units (the warehouse had no more)."""
    shipped = {sku: quantity for sku, quantity, _ in order.lines}
    short: tuple[tuple[str, int], ...] = ()
    if rng.random() < SHORT_SHARE:
        sku = rng.choice(sorted(s for s, q in shipped.items() if q > 1))
        missing = rng.randint(1, min(3, shipped[sku] - 1))
        shipped[sku] -= missing
        short = ((sku, missing),)
    count = 2 if len(order.lines) >= 3 or rng.random() < 0.4 else 1
    skus = sorted(shipped)
    pallets = []
    for n in range(count):
        serial = PALLET_SERIALS + sum(len(p.pallets) for p in store.accounts) + n + 1
        lines = tuple((sku, shipped[sku]) for sku in skus[n::count])
        pallets.append(Pallet(sscc(serial), lines))
    return replace(plan, pallets=tuple(pallets), short=short)


def desk_csv(orders: Sequence[OrderFacts], plans: dict[str, B2BOrder], shipped: bool) -> str:
    """The generic order CSV the desk exports: the day's orders, or (`shipped`) one order
    again once its pallets left, each row on its pallet (the short units on none)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    business = ("consignee", "receiving_site", "purchase_order", "dock_appointment")
    writer.writerow((*CSV_COLUMNS, *business, "receiving_hours", "tracking_number", "carrier"))
    for order in orders:
        plan, customer = plans[order.id], order.customer
        account = plan.account
        head = (
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
        )
        terms = (
            account.consignee,
            account.receiving_site,
            plan.purchase_order,
            "yes" if account.dock_appointment else "no",
            account.receiving_hours,
        )
        rows: list[tuple[str, int, str]] = []
        if shipped:
            rows += [(sku, n, p.sscc) for p in plan.pallets for sku, n in p.lines]
            rows += [(sku, n, "") for sku, n in plan.short]
        else:
            rows += [(sku, n, "") for sku, n, _ in order.lines]
        for sku, quantity, pallet in rows:
            carrier = FREIGHT if pallet else ""
            line = (sku, quantity, PRODUCT_NAMES[sku])
            writer.writerow((*head, *line, *terms, pallet, carrier))
    return out.getvalue()
