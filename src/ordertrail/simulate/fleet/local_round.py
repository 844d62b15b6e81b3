"""The shop's own van: orders for the shop's own city are not handed to a parcel carrier but
packed at the Louisville warehouse and driven round by the shop's driver. Each morning the
day's route is planned (every packed parcel not yet delivered, in driving order, each stop
with a two-hour window); the driver starts the round, arrives at each stop and delivers
with proof (a photo, a signature, the phone's GPS fix) or, now and then, finds nobody home:
the parcel goes on the next day's route.

Pure and seeded (its own stream: the parcel shop's stays as it was)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ordertrail.simulate.carriers.lanes import DESTINATIONS
from ordertrail.simulate.channels import OrderFacts, shopify_fulfillment

if TYPE_CHECKING:
    from ordertrail.simulate.store import Store

#: The shop's own city: its orders go by the shop's van.
LOCAL = next(place for place, _ in DESTINATIONS if place.city == "Columbus")
DEPOT = "louisville"
DRIVER = "Sam Ortiz"
FLEET = "local"
#: The van's Shopify fulfillments get ids from here up.
FULFILLMENT_IDS = 9_000_000
ATTEMPT_SHARE = 0.12
#: Where the stops are, roughly (the phone's GPS fix is near it).
CENTRE = (39.9612, -82.9988)
_STREETS = ("High St", "Broad St", "Parsons Ave", "Oak St", "Neil Ave", "Summit St")
_ZONE = ZoneInfo(LOCAL.time_zone)


@dataclass(slots=True)
class LocalParcel:
    """One van delivery and what really happened to it."""

    tracking: str  # the van's own number, on the parcel's label
    order_id: str
    recipient: str
    address: str
    packed: datetime
    routes: list[str] = field(default_factory=list)
    attempts: int = 0  # stops where nobody was home
    delivered: datetime | None = None
    last_news: datetime | None = None


@dataclass(frozen=True, slots=True)
class LocalRoute:
    id: str
    day: date
    planned: datetime  # when it is planned through the API (the morning of its day)
    stops: int


def pack(store: Store, seed: int, order: OrderFacts, picked: datetime) -> None:
    """The warehouse picks the order and packs it for the van; the shop's shipping app makes
    its Shopify fulfillment with the van's own tracking number (a format no parcel carrier
    has), which is how OrderTrail learns of the parcel."""
    from ordertrail.simulate.store import Report

    rng = random.Random(f"local-{seed}-{order.number}")
    serial = len(store.local) + 1
    tracking = f"VAN{seed % 1000:03d}{serial:06d}"
    packed = picked + timedelta(minutes=rng.uniform(15, 50))
    scan = {"site": DEPOT, "station": f"{DEPOT}-pick", "operator": "sim", "step": "pick"}
    scan |= {"code": order.id, "order": order.id, "scanned_at": picked.isoformat()}
    store.reports.append(Report(picked + timedelta(seconds=5), "scan", scan, order.id))
    fulfillment = shopify_fulfillment(
        order, 1, FULFILLMENT_IDS + serial, tracking, order.lines, packed
    )
    body = {
        "topic": "fulfillments/create",
        "webhook_id": f"sim-fulfillment-{tracking}",
        "payload": json.dumps(fulfillment),
    }
    store.reports.append(Report(packed + timedelta(seconds=20), "shopify", body, order.id))
    address = f"{rng.randint(10, 990)} {rng.choice(_STREETS)}"
    name = f"{order.customer.first_name} {order.customer.last_name}"
    store.local.append(LocalParcel(tracking, order.id, name, address, packed))


def plan_rounds(store: Store, seed: int) -> None:
    """A route each morning for the packed parcels still waiting, and what the driver does."""
    rng = random.Random(f"rounds-{seed}")
    day = store.start.astimezone(_ZONE).date()
    while any(p.delivered is None for p in store.local):
        planned = datetime.combine(day, time(7, 30), _ZONE)
        waiting = [p for p in store.local if p.delivered is None and p.packed < planned]
        if waiting:
            _round(store, rng, day, planned, waiting)
        day += timedelta(days=1)


def _round(
    store: Store, rng: random.Random, day: date, planned: datetime, parcels: list[LocalParcel]
) -> None:
    from ordertrail.simulate.store import Report

    route_id = f"R-{day:%Y%m%d}"
    parcels = sorted(parcels, key=lambda p: p.address)  # the driver's order round the city
    at = datetime.combine(day, time(9), _ZONE)
    stops, actions = [], [_action(route_id, None, "started", at)]
    for number, parcel in enumerate(parcels, start=1):
        at += timedelta(minutes=rng.uniform(20, 40))
        start = at.replace(minute=0) - timedelta(hours=rng.choice((0, 1)))
        window = {"from": start.isoformat(), "until": (start + timedelta(hours=2)).isoformat()}
        stops.append({"shipments": [parcel.tracking], "window": window, "address": parcel.address})
        actions.append(_action(route_id, number, "arrived", at))
        done = at + timedelta(minutes=rng.uniform(2, 6))
        parcel.routes.append(route_id)
        if parcel.attempts == 0 and rng.random() < ATTEMPT_SHARE:
            parcel.attempts += 1
            actions.append(
                _action(route_id, number, "attempted", done, reason="recipient_unavailable")
            )
        else:
            parcel.delivered = done
            actions.append(_delivered(rng, route_id, number, done, parcel.recipient))
        parcel.last_news = done + timedelta(seconds=30)
    body = {"id": route_id, "driver": DRIVER, "day": day.isoformat(), "stops": stops}
    store.reports.append(Report(planned.astimezone(store.start.tzinfo), "route", body))
    for action in actions:
        when = datetime.fromisoformat(action["occurred_at"]) + timedelta(seconds=30)
        store.reports.append(Report(when.astimezone(store.start.tzinfo), "driver", action))
    store.rounds.append(LocalRoute(route_id, day, planned, len(stops)))


def _action(
    route_id: str, stop: int | None, action: str, at: datetime, **more: Any
) -> dict[str, Any]:
    said = {"route": route_id, "action": action, "occurred_at": at.isoformat()}
    said["key"] = f"{route_id}-{stop or 0}-{action}"
    if stop is not None:
        said["stop"] = str(stop)
    return said | more


def _delivered(
    rng: random.Random, route_id: str, stop: int, at: datetime, recipient: str
) -> dict[str, Any]:
    """Handed to the customer, who signs on the phone; a photo; the phone's GPS fix."""
    lat, lon = CENTRE
    return _action(
        route_id,
        stop,
        "delivered",
        at,
        handoff="handed_to",
        where=recipient,
        signed_by=recipient,
        latitude=f"{lat + rng.uniform(-0.05, 0.05):.5f}",
        longitude=f"{lon + rng.uniform(-0.05, 0.05):.5f}",
        accuracy=f"{rng.uniform(4, 25):.0f}",
    )
