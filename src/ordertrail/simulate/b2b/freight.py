"""What the freight carrier says about an account's order, as canonical events through its
signed hook (`/hooks/ridgeline`, Standard Webhooks): each pallet picked up, in transit and
delivered, and, for a site that needs one, the dock appointment (requested, scheduled with a
window, sometimes moved, checked in, unloaded, now and then with units found damaged).
About one appointment in six is missed: the truck did not come in its window, and it is
booked again for another day.

Pure and seeded (the order's own stream, see accounts.stream)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ordertrail.simulate.b2b.accounts import FREIGHT, B2BOrder, desk_csv, load_pallets
from ordertrail.simulate.carriers.lanes import DESTINATIONS
from ordertrail.simulate.channels import OrderFacts
from ordertrail.simulate.store import Report, Store

MISSED_SHARE = 1 / 6
MOVED_SHARE = 0.3
DAMAGED_SHARE = 0.2
SOURCE = f"carrier:{FREIGHT}"
#: A truck is slower than a parcel network's plane and sort: hours per distance zone.
HOURS_PER_ZONE = 30
#: How often a pallet on the road or at a terminal is scanned.
TERMINAL_SCANS = timedelta(hours=20)
#: What the carrier saw within this long of a first event reaches us with it.
BATCHED = timedelta(minutes=90)


def ship(
    store: Store, rng: random.Random, order: OrderFacts, plan: B2BOrder, ready: datetime
) -> B2BOrder:
    """Build the pallets, send the desk's shipped CSV, and the carrier's news of the load."""
    plan = load_pallets(store, rng, order, plan)
    wrapped = _warehouse_scans(store, rng, order, plan, ready)
    text = desk_csv([order], {order.id: plan}, shipped=True)
    name = f"wholesale-shipped-{order.id}.csv"
    store.reports.append(Report(wrapped, "csv", {"name": name, "text": text}))
    events: list[tuple[datetime, dict[str, Any]]] = []
    picked_up = wrapped + timedelta(hours=rng.uniform(1, 4))
    zone = next(z for place, z in DESTINATIONS if place == plan.account.place)["louisville"]
    arrives = picked_up + timedelta(hours=HOURS_PER_ZONE * zone * rng.uniform(0.9, 1.2))
    for pallet in plan.pallets:
        events.append((picked_up, _pallet(pallet.sscc, "carrier_accepted")))
        events.append((picked_up + (arrives - picked_up) / 2, _pallet(pallet.sscc, "in_transit")))
    zone_info = ZoneInfo(plan.account.place.time_zone)
    if plan.account.dock_appointment:
        delivered, plan = _dock(rng, order, plan, picked_up, arrives, zone_info, events)
    else:
        morning = _morning(arrives, zone_info)
        for pallet in plan.pallets:
            events.append((morning, _pallet(pallet.sscc, "out_for_delivery")))
        delivered = morning + timedelta(hours=rng.uniform(1, 5))
        for pallet in plan.pallets:
            events.append((delivered, _pallet(pallet.sscc, "delivered")))
    events += _terminal_scans(plan, picked_up, delivered)
    heard = ready
    for n, batch in enumerate(_batches(order.id, events)):
        reaches = datetime.fromisoformat(batch[-1]["occurred_at"])
        reaches += timedelta(minutes=rng.uniform(2, 20))
        body = {"id": f"msg-{FREIGHT}-{order.id}-{n}", "events": batch}
        store.reports.append(Report(reaches, "freight", body, order.id))
        heard = max(heard, reaches)
    return replace(plan, shipped=ready, last_news=heard)


def _batches(
    order_id: str, events: list[tuple[datetime, dict[str, Any]]]
) -> list[list[dict[str, Any]]]:
    """The carrier's system pushes what it saw in the last hour or so in one delivery (both
    pallets' scans at a terminal, the check-in and the unloading); each event has its key."""
    batches: list[list[dict[str, Any]]] = []
    first: datetime | None = None
    for n, (at, event) in enumerate(sorted(events, key=lambda pair: pair[0])):
        event = event | {"occurred_at": at.isoformat(), "key": f"{FREIGHT}-{order_id}-{n}"}
        if first is None or at - first > BATCHED:
            batches.append([])
            first = at
        batches[-1].append(event)
    return batches


def _dock(
    rng: random.Random,
    order: OrderFacts,
    plan: B2BOrder,
    picked_up: datetime,
    arrives: datetime,
    zone: ZoneInfo,
    events: list[tuple[datetime, dict[str, Any]]],
) -> tuple[datetime, B2BOrder]:
    """The appointment's story; when the pallets were delivered, and the plan with what
    happened at the dock."""
    said = _said_of(order.id)
    events.append((picked_up + timedelta(minutes=20), said("dock_appointment_requested")))
    start = _morning(arrives, zone)
    window = (start, start + timedelta(hours=2))
    booked = picked_up + timedelta(hours=1)
    events.append((booked, said("dock_appointment_scheduled", window)))
    moves = misses = 0
    if rng.random() < MOVED_SHARE:  # the site asks for the afternoon of the next day
        moves = 1
        start = start + timedelta(days=1, hours=5)
        window = (start, start + timedelta(hours=2))
        moved = max(booked + timedelta(hours=1), window[0] - timedelta(hours=30))
        events.append((moved, said("dock_appointment_moved", window)))
    if rng.random() < MISSED_SHARE:  # the truck did not come: booked again for a later day
        misses = 1
        missed = window[1] + timedelta(minutes=rng.uniform(20, 90))
        events.append((missed, said("dock_appointment_missed")))
        start = _morning(missed + timedelta(hours=12), zone)
        window = (start, start + timedelta(hours=2))
        events.append(
            (
                missed + timedelta(hours=rng.uniform(1, 4)),
                said("dock_appointment_scheduled", window),
            )
        )
    checked_in = window[0] + timedelta(minutes=rng.uniform(0, 60))
    events.append((checked_in, said("dock_checked_in")))
    delivered = checked_in + timedelta(minutes=rng.uniform(30, 60))
    for pallet in plan.pallets:
        events.append((delivered, _pallet(pallet.sscc, "delivered")))
    damaged: tuple[tuple[str, int], ...] = ()
    if rng.random() < DAMAGED_SHARE:
        sku, _ = rng.choice([line for p in plan.pallets for line in p.lines])
        damaged = ((sku, 1),)
    unloaded = said("unloaded")
    if damaged:
        unloaded["data"] = {"damaged": [{"sku": sku, "quantity": n} for sku, n in damaged]}
    events.append((delivered + timedelta(minutes=rng.uniform(20, 60)), unloaded))
    return delivered, replace(plan, misses=misses, moves=moves, damaged=damaged)


def _warehouse_scans(
    store: Store, rng: random.Random, order: OrderFacts, plan: B2BOrder, picked: datetime
) -> datetime:
    """The order's pick list scanned, then each pallet's SSCC label when it is wrapped; when
    the last pallet was ready."""
    steps = [("pick", order.id, picked)]
    at = picked
    for pallet in plan.pallets:
        at += timedelta(minutes=rng.uniform(40, 90))
        steps.append(("pack", pallet.sscc, at))
    for step, code, when in steps:
        scan = {"site": "louisville", "station": f"louisville-{step}", "operator": "sim"}
        scan |= {"step": step, "code": code, "order": order.id, "scanned_at": when.isoformat()}
        store.reports.append(Report(when + timedelta(seconds=5), "scan", scan, order.id))
    return at + timedelta(minutes=5)


def _terminal_scans(
    plan: B2BOrder, picked_up: datetime, delivered: datetime
) -> list[tuple[datetime, dict[str, Any]]]:
    """A freight carrier scans a pallet at every terminal, and each day one waits at the
    destination's terminal for its dock slot: never a day without news until it is delivered."""
    scans = []
    at = picked_up + TERMINAL_SCANS
    while at < delivered - timedelta(hours=2):
        scans += [(at, _pallet(pallet.sscc, "in_transit")) for pallet in plan.pallets]
        at += TERMINAL_SCANS
    return scans


def _morning(after: datetime, zone: ZoneInfo) -> datetime:
    """08:00 at the site on the first day it is still ahead, two hours after `after`."""
    local = (after + timedelta(hours=2)).astimezone(zone)
    day = local.date() if local.time() < time(8) else local.date() + timedelta(days=1)
    return datetime.combine(day, time(8), zone)


def _pallet(sscc: str, milestone: str) -> dict[str, Any]:
    return {"shipment": sscc, "milestone": milestone, "source": SOURCE}


def _said_of(order_id: str) -> Any:
    def said(milestone: str, window: tuple[datetime, datetime] | None = None) -> dict[str, Any]:
        event: dict[str, Any] = {"order": order_id, "milestone": milestone, "source": SOURCE}
        if window:
            event["data"] = {
                "window_start": window[0].isoformat(),
                "window_end": window[1].isoformat(),
            }
        return event

    return said
