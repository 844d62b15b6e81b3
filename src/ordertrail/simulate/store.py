"""What happens in a simulated store: orders, parcels, their fates and every report about them.

Pure and seeded: the same seed gives the same store. Orders come from two channels (Shopify
webhooks as they are placed, a wholesale desk's CSV once a day); each parcel is packed at one
of two warehouses, scanned at its stations, and carried by one of four carriers on a lane
with its own transit time. Each parcel gets a fate (the ground truth of what really happened
to it) and the reports the world would send about it, with the faults real feeds have: late
and out-of-order news, re-sent webhooks, a code nobody mapped, a forgotten pack scan, a carton
left on the dock, and a carrier that goes silent for a day and then sends its backlog.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ordertrail.simulate.carriers.formats import FORMAT, Scan, render, says
from ordertrail.simulate.carriers.journeys import Outage, carrier_path
from ordertrail.simulate.carriers.labels import sscc, tracking_number
from ordertrail.simulate.carriers.lanes import DESTINATIONS, SITES, Place
from ordertrail.simulate.channels import OrderFacts, shopify_fulfillment, shopify_order
from ordertrail.simulate.shop import take_order

if TYPE_CHECKING:
    from ordertrail.simulate.b2b.accounts import B2BOrder
    from ordertrail.simulate.fleet.local_round import LocalParcel, LocalRoute
    from ordertrail.simulate.returns.truth import ReturnPlan


class Fate(StrEnum):
    SMOOTH = "smooth"
    FAILED_ATTEMPT = "failed_attempt"  # one failed attempt, delivered the next day
    DELAYED = "delayed"  # weather: a day late, then delivered
    ADDRESS_ISSUE = "address_issue"  # the carrier holds it: the address is wrong
    DAMAGED = "damaged"
    LOST = "lost"  # goes silent in transit
    DECLARED_LOST = "declared_lost"  # the carrier says it cannot find it
    REFUSED = "refused"  # the customer refuses it; it goes back
    NEVER_HANDED_OFF = "never_handed_off"  # packed, then forgotten on the dock


#: How often each fate happens (a rough small-shop mix).
FATES = {
    Fate.SMOOTH: 0.765,
    Fate.FAILED_ATTEMPT: 0.07,
    Fate.DELAYED: 0.04,
    Fate.ADDRESS_ISSUE: 0.025,
    Fate.DAMAGED: 0.02,
    Fate.LOST: 0.02,
    Fate.DECLARED_LOST: 0.01,
    Fate.REFUSED: 0.025,
    Fate.NEVER_HANDED_OFF: 0.025,
}

#: The exception kind each fate must raise (the truth the rules are checked against).
EXPECTED = {
    Fate.FAILED_ATTEMPT: "failed_attempt",
    Fate.ADDRESS_ISSUE: "address_issue",
    Fate.DAMAGED: "damaged",
    Fate.LOST: "stalled",
    Fate.DECLARED_LOST: "lost",
    Fate.REFUSED: "refused",
    Fate.NEVER_HANDED_OFF: "missing_scan",
}

#: The news by which the carrier tells each fate; a rule can only see it while it is the
#: parcel's newest (silence, and the forgotten carton, are seen by the clock instead).
TELLING = {
    Fate.FAILED_ATTEMPT: "attempt",
    Fate.ADDRESS_ISSUE: "address",
    Fate.DAMAGED: "damaged",
    Fate.DECLARED_LOST: "lost",
    Fate.REFUSED: "refused",
}

#: Fates in which the parcel reaches the customer.
ARRIVES = frozenset({Fate.SMOOTH, Fate.FAILED_ATTEMPT, Fate.DELAYED})

#: The words a carrier must have for each fate (see formats.VOCABULARY).
_WORDS = {
    Fate.FAILED_ATTEMPT: {"attempt"},
    Fate.DELAYED: {"weather"},
    Fate.ADDRESS_ISSUE: {"address"},
    Fate.DAMAGED: {"damaged"},
    Fate.DECLARED_LOST: {"lost"},
    Fate.REFUSED: {"refused", "returned"},
}
_BASE_WORDS = {"accepted", "transit", "departed", "out", "delivered"}

#: The shop's carrier mix (USPS reaches us through EasyPost, DHL through AfterShip).
CARRIER_SHARE = {"ups": 0.35, "fedex": 0.25, "usps": 0.25, "dhl": 0.15}
#: The carrier that goes silent for a day halfway through.
OUTAGE_CARRIER = "fedex"


@dataclass(frozen=True, slots=True)
class Report:
    """Something the store's systems are told, and when it reaches OrderTrail."""

    arrives: datetime
    kind: str  # "shopify" (a webhook), "csv" (an order file), "scan", "carrier"
    body: dict[str, Any]
    #: the order it is about (None: several, as a CSV or the van's route, or none): the run
    #: keeps each order's reports in their order, and may post other orders' meanwhile
    order: str | None = None


@dataclass(frozen=True, slots=True)
class Parcel:
    """One carton and what really happened to it."""

    carton: str  # its SSCC: the shipment's id in OrderTrail
    tracking: str
    carrier: str
    site: str
    destination: Place
    fate: Fate
    order_id: str
    pack_scan_missed: bool
    scans: tuple[Scan, ...]  # what the carrier saw, when it happened
    packed: datetime | None = None  # when it was packed (scanned or not)
    last_news: datetime | None = None  # when the last report about it reaches us
    #: the words that were, at some moment, the newest news we had of the parcel (trouble
    #: that reaches us already overtaken, in one backlog with the delivery, is not among them)
    heard_newest: frozenset[str] = frozenset()


@dataclass(slots=True)
class Store:
    start: datetime
    days: int
    outage: Outage
    orders: list[OrderFacts] = field(default_factory=list)
    parcels: list[Parcel] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    #: customers' returns and refused parcels coming back (simulate/returns/customers.py)
    returns: list[ReturnPlan] = field(default_factory=list)
    #: the B2B accounts' orders (simulate/b2b/accounts.py), the van's parcels and its routes
    #: (simulate/fleet/local_round.py)
    accounts: list[B2BOrder] = field(default_factory=list)
    local: list[LocalParcel] = field(default_factory=list)
    rounds: list[LocalRoute] = field(default_factory=list)

    @property
    def priorities(self) -> dict[str, str]:
        return {order.id: order.priority for order in self.orders}


_KIND_ORDER = {
    "csv": 0,
    "shopify": 0,
    "scan": 1,
    "route": 1,
    "carrier": 2,
    "freight": 2,
    "driver": 2,
    "return": 3,
    "desk": 3,
}


def simulate(seed: int, start: datetime, days: int = 30, orders_per_day: int = 6) -> Store:
    # they read the store
    from ordertrail.simulate.b2b import accounts, freight
    from ordertrail.simulate.fleet import local_round

    rng = random.Random(seed)
    begins = start + timedelta(days=days // 2, hours=20)
    store = Store(start, days, Outage(OUTAGE_CARRIER, begins, begins + timedelta(hours=24)))
    for day in range(days):
        desk = start + timedelta(days=day, hours=22)  # the wholesale desk exports at 17:00 ET
        wholesale, plans = [], {}
        for _ in range(rng.randint(orders_per_day - 2, orders_per_day + 2)):
            placed = start + timedelta(days=day, hours=rng.uniform(11, 21.5))
            channel = "wholesale" if rng.random() < 0.15 else "shopify"
            order = take_order(rng, len(store.orders) + 1, placed, channel)
            if channel == "wholesale":  # the desk's orders are the B2B accounts'
                order, plans[order.id] = accounts.account_order(order, seed)
            store.orders.append(order)
            if channel == "shopify":
                _webhook(store, rng, order)
                ready = placed
            else:
                wholesale.append(order)
                ready = desk
            picked = ready + timedelta(hours=rng.uniform(1, 18))
            if channel == "wholesale":
                b2b = accounts.stream(seed, order)
                store.accounts.append(freight.ship(store, b2b, order, plans[order.id], picked))
            elif order.customer.place == local_round.LOCAL:
                local_round.pack(store, seed, order, picked)
            else:
                _fulfil(store, rng, order, picked)
        if wholesale:
            text = accounts.desk_csv(wholesale, plans, shipped=False)
            name = f"wholesale-{desk:%Y-%m-%d}.csv"
            store.reports.append(Report(desk, "csv", {"name": name, "text": text}))
    from ordertrail.simulate.returns.customers import plan_returns  # it reads the store this makes

    plan_returns(store, seed)
    local_round.plan_rounds(store, seed)
    store.reports.sort(key=lambda report: (report.arrives, _KIND_ORDER[report.kind]))
    return store


def _webhook(store: Store, rng: random.Random, order: OrderFacts) -> None:
    body = {
        "topic": "orders/create",
        "webhook_id": f"sim-{order.number:08d}-orders-create",
        "payload": json.dumps(shopify_order(order)),
    }
    arrives = order.placed + timedelta(seconds=rng.uniform(1, 30))
    store.reports.append(Report(arrives, "shopify", body, order.id))
    if rng.random() < 0.04:  # Shopify did not hear our 200 in time and sends it again
        store.reports.append(Report(arrives + timedelta(minutes=10), "shopify", body, order.id))


def _fulfil(store: Store, rng: random.Random, order: OrderFacts, picked: datetime) -> None:
    """One parcel from the nearer warehouse, or (one order in five, when it has more than one
    line) a split: each warehouse sends what it has (alternate lines)."""
    zones = next(z for place, z in DESTINATIONS if place == order.customer.place)
    nearer = min(SITES, key=lambda site: zones[site])
    if len(order.lines) > 1 and rng.random() < 0.35:
        for n, site in enumerate(SITES):
            later = picked + timedelta(hours=rng.uniform(0, 3) if n else 0)
            box, labelled = _parcel(store, rng, order, site, zones[site], later)
            _fulfilment(store, order, n + 1, box, labelled, order.lines[n :: len(SITES)])
    else:
        box, labelled = _parcel(store, rng, order, nearer, zones[nearer], picked)
        _fulfilment(store, order, 1, box, labelled, order.lines)


def _fulfilment(
    store: Store,
    order: OrderFacts,
    index: int,
    box: Parcel,
    labelled: datetime,
    lines: tuple[tuple[str, int, int], ...],
) -> None:
    """A Shopify order's box is also a Shopify fulfillment, made when its label is bought
    (a fixed ten minutes after the label scan: the store's random stream stays as it was)."""
    if order.channel != "shopify" or box.fate is Fate.NEVER_HANDED_OFF:
        return
    at = labelled + timedelta(minutes=10)
    payload = shopify_fulfillment(
        order, index, 7_000_000 + len(store.parcels), box.tracking, lines, at
    )
    body = {
        "topic": "fulfillments/create",
        "webhook_id": f"sim-fulfillment-{box.carton}",
        "payload": json.dumps(payload),
    }
    store.reports.append(Report(at + timedelta(seconds=20), "shopify", body, order.id))


def _parcel(
    store: Store, rng: random.Random, order: OrderFacts, site: str, zone: int, picked: datetime
) -> tuple[Parcel, datetime]:
    """One carton's journey; the parcel and when its label was printed."""
    fate = rng.choices(list(FATES), weights=list(FATES.values()))[0]
    able = [c for c in CARRIER_SHARE if says(c, _BASE_WORDS | _WORDS.get(fate, set()))]
    carrier = rng.choices(able, weights=[CARRIER_SHARE[c] for c in able])[0]
    tracking = tracking_number(carrier, rng)
    carton = sscc(len(store.parcels) + 1)
    missed_pack = fate is Fate.SMOOTH and rng.random() < 0.06
    handed_off = fate is not Fate.NEVER_HANDED_OFF
    times = _Times(
        picked,
        packed=picked + timedelta(minutes=rng.uniform(15, 50)),
        labelled=picked + timedelta(minutes=rng.uniform(55, 90)),
        handed_off=picked + timedelta(hours=rng.uniform(2, 4)),
    )
    last_scan = _station_scans(store, order.id, site, carton, tracking, times, missed_pack, fate)
    place = order.customer.place
    scans = (
        carrier_path(rng, carrier, site, zone, place, fate.value, times.labelled, times.handed_off)
        if handed_off
        else []
    )
    parcel = Parcel(
        carton,
        tracking,
        carrier,
        site,
        place,
        fate,
        order.id,
        missed_pack,
        tuple(scans),
        times.packed,
    )
    last_heard, newest = _news(store, rng, parcel)
    last_news = max(last_scan, last_heard or last_scan)
    parcel = replace(parcel, last_news=last_news, heard_newest=newest)
    store.parcels.append(parcel)
    return parcel, times.labelled


@dataclass(frozen=True, slots=True)
class _Times:
    picked: datetime
    packed: datetime
    labelled: datetime
    handed_off: datetime


def _station_scans(
    store: Store,
    order_id: str,
    site: str,
    carton: str,
    tracking: str,
    times: _Times,
    missed_pack: bool,
    fate: Fate,
) -> datetime:
    """The barcodes the warehouse scans: the order's pick list, the carton's SSCC when it is
    packed (unless the packer forgets), the carrier label stuck on it, the label at hand-off
    (unless the carton is forgotten on the dock). Returns when the last one reaches us."""
    steps: list[tuple[str, str, str | None, datetime]] = [("pick", order_id, None, times.picked)]
    if not missed_pack:
        steps.append(("pack", carton, None, times.packed))
    if fate is not Fate.NEVER_HANDED_OFF:
        steps.append(("label", carton, tracking, times.labelled))
        steps.append(("handoff", tracking, None, times.handed_off))
    for step, code, label, when in steps:
        scan: dict[str, Any] = {"site": site, "station": f"{site}-{step}", "operator": "sim"}
        scan |= {"step": step, "code": code, "order": order_id, "scanned_at": when.isoformat()}
        if label:
            scan["label"] = label
        store.reports.append(Report(when + timedelta(seconds=5), "scan", scan, order_id))
    return steps[-1][3] + timedelta(seconds=5)


def _news(
    store: Store, rng: random.Random, parcel: Parcel
) -> tuple[datetime | None, frozenset[str]]:
    """The carrier's payloads about the parcel as they reach us: each holds every scan that
    has reached the carrier's system by then; some scans come late (out of order), a silent
    day's come all at once when it ends, and some payloads are sent twice."""
    arrivals = []
    for scan in parcel.scans:
        arrives = scan.at + timedelta(minutes=rng.uniform(2, 25))
        if rng.random() < 0.05:
            arrives += timedelta(hours=rng.uniform(2, 10))  # a late, out-of-order scan
        arrives = store.outage.held(parcel.carrier, arrives, rng)
        arrivals.append((arrives, scan))
    arrivals.sort(key=lambda pair: pair[0])
    route = {"carrier": parcel.carrier, "format": FORMAT[parcel.carrier]}
    newest: set[str] = set()
    for n, (arrives, _) in enumerate(arrivals):
        known = [s for _, s in arrivals[: n + 1]]
        newest.add(max(known, key=lambda scan: scan.at).word)
        payload = render(parcel.carrier, parcel.tracking, known)
        body = route | {"payload": payload.decode()}
        store.reports.append(Report(arrives, "carrier", body, parcel.order_id))
        if rng.random() < 0.05:  # the same payload again: a retried webhook, a repeated poll
            again = arrives + timedelta(minutes=30)
            store.reports.append(Report(again, "carrier", body, parcel.order_id))
    return (arrivals[-1][0] if arrivals else None), frozenset(newest)
