"""What happens in a simulated store: orders, parcels, their fates and every report about them.

Pure and seeded: the same seed gives the same store. Each parcel gets a fate (the ground truth
of what really happened to it) and the reports the world would send about it — warehouse scans,
carrier events — with the faults real feeds have: late and out-of-order arrivals, duplicates,
codes nobody mapped, a missed scan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import tracking_numbers


class Fate(StrEnum):
    SMOOTH = "smooth"
    FAILED_ATTEMPT = "failed_attempt"  # one failed attempt, delivered the next day
    ADDRESS_ISSUE = "address_issue"  # the carrier holds it: the address is wrong
    DAMAGED = "damaged"
    LOST = "lost"  # goes silent in transit
    REFUSED = "refused"  # the customer refuses it; it goes back
    NEVER_HANDED_OFF = "never_handed_off"  # packed, then forgotten on the dock
    DELAYED = "delayed"  # weather: a day late, then delivered


#: How often each fate happens (a rough small-shop mix).
FATES = {
    Fate.SMOOTH: 0.80,
    Fate.FAILED_ATTEMPT: 0.07,
    Fate.DELAYED: 0.04,
    Fate.ADDRESS_ISSUE: 0.02,
    Fate.DAMAGED: 0.02,
    Fate.LOST: 0.02,
    Fate.REFUSED: 0.015,
    Fate.NEVER_HANDED_OFF: 0.015,
}

#: The exception kind each fate must raise (the truth the rules are checked against).
EXPECTED = {
    Fate.FAILED_ATTEMPT: "failed_attempt",
    Fate.ADDRESS_ISSUE: "address_issue",
    Fate.DAMAGED: "damaged",
    Fate.LOST: "stalled",
    Fate.REFUSED: "refused",
    Fate.NEVER_HANDED_OFF: "missing_scan",
}

SITES = ("louisville", "reno")
CARRIERS = ("ups", "fedex")
SKUS = ("MUG", "HAT", "SCARF", "LAMP", "BOOK", "POSTER")


@dataclass(frozen=True, slots=True)
class Report:
    """Something the store's systems are told, and when it reaches OrderTrail."""

    arrives: datetime
    kind: str  # "order", "scan", "event"
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Parcel:
    tracking: str
    carrier: str
    site: str
    fate: Fate
    order_id: str


@dataclass(slots=True)
class Store:
    start: datetime
    days: int
    parcels: list[Parcel] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    priorities: dict[str, str] = field(default_factory=dict)


def simulate(seed: int, start: datetime, days: int = 30, orders_per_day: int = 6) -> Store:
    rng = random.Random(seed)
    store = Store(start, days)
    number = 0
    for day in range(days):
        for _ in range(rng.randint(orders_per_day - 2, orders_per_day + 2)):
            number += 1
            placed = start + timedelta(days=day, hours=rng.uniform(7, 20))
            _order(store, rng, f"SIM-{number:05d}", placed)
    store.reports.sort(key=lambda report: (report.arrives, report.kind != "order"))
    return store


def _order(store: Store, rng: random.Random, order_id: str, placed: datetime) -> None:
    split = rng.random() < 0.2
    lines = {sku: rng.randint(1, 2) for sku in rng.sample(SKUS, 3 if split else rng.randint(1, 2))}
    skus = list(lines)
    groups = [skus[:1], skus[1:]] if split else [skus]
    priority = "high_value" if rng.random() < 0.1 else "routine"
    store.priorities[order_id] = priority
    parcels = []
    for n, group in enumerate(groups):
        carrier = rng.choice(CARRIERS)
        tracking = _tracking(carrier, rng)
        fate = rng.choices(list(FATES), weights=list(FATES.values()))[0]
        parcel = Parcel(tracking, carrier, SITES[n % 2], fate, order_id)
        store.parcels.append(parcel)
        parcels.append((parcel, {sku: lines[sku] for sku in group}))
    order = {
        "id": order_id,
        "channel": "shopify",
        "placed_at": placed.isoformat(),
        "priority": priority,
        "promised_by": (placed + timedelta(days=7)).date().isoformat(),
        "customer": {
            "email": f"{order_id.lower()}@example.com",
            "phone": "+15555550100",
            "country": "US",
            "postal_code": "40213",
            "time_zone": "America/New_York",
        },
        "lines": [{"sku": sku, "quantity": q} for sku, q in lines.items()],
        "shipments": [
            {
                "tracking_number": p.tracking,
                "carrier": p.carrier,
                "site": p.site,
                "lines": [{"sku": sku, "quantity": q} for sku, q in carried.items()],
            }
            for p, carried in parcels
        ],
    }
    store.reports.append(Report(placed, "order", order))
    confirmed = _event(order_id, None, "channel:shopify", "order_confirmed", placed)
    store.reports.append(Report(placed + timedelta(minutes=1), "event", confirmed))
    for parcel, _ in parcels:
        _journey(store, rng, parcel, placed + timedelta(hours=rng.uniform(2, 20)))


def _journey(store: Store, rng: random.Random, parcel: Parcel, picked: datetime) -> None:
    """The warehouse's scans, then the carrier's news, as the parcel's fate has it."""
    at = picked
    steps = [("pick", at), ("pack", at + timedelta(minutes=30))]
    if parcel.fate is not Fate.NEVER_HANDED_OFF:
        steps += [("label", at + timedelta(hours=1)), ("handoff", at + timedelta(hours=3))]
    for step, when in steps:
        scan = {"site": parcel.site, "station": "st-1", "operator": "sim", "step": step}
        scan |= {"code": parcel.tracking, "order": parcel.order_id, "scanned_at": when.isoformat()}
        if step == "label":
            scan["label"] = parcel.tracking
        store.reports.append(Report(when + timedelta(seconds=5), "scan", scan))
    if parcel.fate is Fate.NEVER_HANDED_OFF:
        return
    for milestone, when, reason in _carrier_path(rng, parcel, at + timedelta(hours=4)):
        event = _event(
            parcel.order_id, parcel.tracking, f"carrier:{parcel.carrier}", milestone, when
        )
        if reason:
            event["reason"] = reason
        arrives = when + timedelta(minutes=rng.uniform(1, 20))
        if rng.random() < 0.05:
            arrives += timedelta(hours=rng.uniform(2, 10))  # a late, out-of-order report
        store.reports.append(Report(arrives, "event", event))
        if rng.random() < 0.05:  # the carrier sends it again
            store.reports.append(Report(arrives + timedelta(minutes=30), "event", event))


def _carrier_path(
    rng: random.Random, parcel: Parcel, accepted: datetime
) -> list[tuple[str, datetime, str | None]]:
    legs = rng.randint(2, 4)
    path: list[tuple[str, datetime, str | None]] = [("carrier_accepted", accepted, None)]
    at = accepted
    for _ in range(legs):
        at += timedelta(hours=rng.uniform(6, 20))
        path.append(("in_transit", at, None))
    fate = parcel.fate
    if fate is Fate.LOST:
        return path  # silence
    if fate is Fate.DELAYED:
        at += timedelta(hours=8)
        path.append(("delayed", at, "weather"))
        at += timedelta(hours=30)
        path.append(("in_transit", at, None))
    if fate in (Fate.ADDRESS_ISSUE, Fate.DAMAGED):
        at += timedelta(hours=6)
        reason = "address_issue" if fate is Fate.ADDRESS_ISSUE else "damaged"
        path.append(("exception", at, reason))
        return path
    at += timedelta(hours=rng.uniform(4, 10))
    morning = at.replace(hour=13, minute=0) + timedelta(days=1 if at.hour >= 13 else 0)
    path.append(("out_for_delivery", morning, None))
    if fate is Fate.REFUSED:
        path.append(("delivery_attempted", morning + timedelta(hours=4), "refused"))
        path.append(("returned_to_sender", morning + timedelta(hours=30), "refused"))
        return path
    if fate is Fate.FAILED_ATTEMPT:
        path.append(("delivery_attempted", morning + timedelta(hours=4), "recipient_unavailable"))
        morning += timedelta(days=1)
        path.append(("out_for_delivery", morning, None))
    path.append(("delivered", morning + timedelta(hours=rng.uniform(1, 6)), None))
    return path


def _event(
    order_id: str, tracking: str | None, source: str, milestone: str, at: datetime
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "source": source,
        "milestone": milestone,
        "occurred_at": at.isoformat(),
    }
    if tracking:
        event["shipment"] = tracking
        event["key"] = f"{source}:{tracking}:{milestone}:{at.isoformat()}"
    else:
        event["order"] = order_id
        event["key"] = f"{source}:{order_id}:{milestone}"
    return event


def _tracking(carrier: str, rng: random.Random) -> str:
    """A number with a valid check digit for the carrier, as a real label has (the check
    digit is found by asking the same library that refuses mistyped numbers)."""
    if carrier == "ups":
        service = rng.choice(("01", "02", "03", "12", "13", "42"))  # codes UPS uses
        body = f"1Z{rng.randint(0, 999):03d}AA1{service}{rng.randint(0, 9_999_999):07d}"
    else:
        body = "".join(str(rng.randint(0, 9)) for _ in range(11))
    for digit in "0123456789":
        if tracking_numbers.get_tracking_number(body + digit) is not None:
            return body + digit
    raise AssertionError(f"no check digit makes {body} a {carrier} number")
