"""The simulated shop's customers sending things back: about one delivered order in twelve.

Pure and seeded (from its own stream, so the outbound store stays as it was for a seed). A
customer asks within days of delivery for some lines or some units, each with a reason from
the domain's list; now and then one asks too late (the shop's window is `WINDOW_DAYS`, see
`shop_returns`) or claims the warranty instead. Most send the goods back on a return label
(the carrier's news of that parcel reaches us as any parcel's does); the others bring or post
them without one and the returns desk books them in. What staff do next is the desk's part
(return_desk.py); what the return should show at each moment is the plan's `steps`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ordertrail.app.returns.commands import RequestReturn
from ordertrail.config import ReturnSettings
from ordertrail.domain.milestones import Milestone, SourceKind
from ordertrail.domain.model import DomainError, Source
from ordertrail.domain.returns.return_lines import ReturnLine, ReturnReason
from ordertrail.simulate.carriers.formats import FORMAT, Scan, render
from ordertrail.simulate.carriers.labels import tracking_number
from ordertrail.simulate.carriers.lanes import DESTINATIONS, HUBS, SITES, transit
from ordertrail.simulate.channels import OrderFacts
from ordertrail.simulate.returns import desk
from ordertrail.simulate.returns.truth import ASKED_WITHIN, Line, ReturnPlan, delivered
from ordertrail.simulate.store import Fate, Parcel, Report, Store

if TYPE_CHECKING:
    from ordertrail.bootstrap import System
    from ordertrail.simulate.run import RunResult

#: Delivered orders a customer sends something back from.
RETURN_RATE = 0.08
#: The simulated shop's return window, in days from delivery (shorter than the default, so a
#: few weeks of the shop see requests turned down for being late).
WINDOW_DAYS = 14
#: Of the returns: warranty claims, and requests made after the window closed.
WARRANTY_SHARE = 0.12
LATE_SHARE = 0.10
#: Returns sent back on a return label (tracked by its carrier); the rest come without one.
LABELLED = 0.65
LABEL_CARRIERS = {"ups": 0.45, "usps": 0.35, "fedex": 0.20}
#: Why customers send things back (warranty claims aside).
REASONS = {
    ReturnReason.NO_LONGER_NEEDED: 0.37,
    ReturnReason.DAMAGED: 0.22,
    ReturnReason.DEFECTIVE: 0.10,
    ReturnReason.NOT_AS_DESCRIBED: 0.10,
    ReturnReason.WRONG_ITEM: 0.08,
    ReturnReason.MISSING_PART: 0.05,
    ReturnReason.OTHER: 0.08,
}
CUSTOMER = Source(SourceKind.CUSTOMER)


def shop_returns() -> ReturnSettings:
    """The simulated shop's return policy (`Settings(returns=shop_returns())`): the truth
    check expects requests after `WINDOW_DAYS` to be turned down."""
    return ReturnSettings(window_days=WINDOW_DAYS)


def plan_returns(store: Store, seed: int) -> None:
    """Add the returns of the store's orders to it: customers' returns of delivered orders and
    the refused parcels coming back, with every report they make."""
    rng = random.Random(f"returns-{seed}")
    parcels: dict[str, list[Parcel]] = defaultdict(list)
    for parcel in store.parcels:
        parcels[parcel.order_id].append(parcel)
    eligible = sorted(
        (
            (order, parcels[order.id])
            for order in store.orders
            if parcels.get(order.id) and all(delivered(p) for p in parcels[order.id])
        ),
        key=lambda pair: (_arrived(pair[1]), pair[0].number),
    )
    # one return in each run of ~12 deliveries, not a coin per order: a few weeks of a small
    # shop would otherwise show anything from 3% to 13%, and bunch them up
    count = round(len(eligible) * RETURN_RATE)
    size = len(eligible)
    chosen = [rng.randrange(n * size // count, (n + 1) * size // count) for n in range(count)]
    late = max(1, round(count * LATE_SHARE)) if count else 0
    kinds = ["warranty"] * max(1, round(count * WARRANTY_SHARE))
    kinds = (kinds + ["return"] * count)[: max(count - late, 0)]
    rng.shuffle(kinds)
    # the late requests go to the earliest deliveries, so a few weeks of the shop see them
    kinds = ["late"] * late + kinds
    for n, kind in zip(chosen, kinds, strict=True):
        _customer_return(store, rng, *eligible[n], kind)
    for parcel in store.parcels:
        if parcel.fate is Fate.REFUSED:
            store.returns.append(desk.refused_parcel(store, rng, parcel))


def _customer_return(
    store: Store, rng: random.Random, order: OrderFacts, parcels: list[Parcel], kind: str
) -> None:
    """One customer's return: `kind` is "return", "warranty" (a claim) or "late" (asked
    after the window closed)."""
    ref = f"SR-{sum(1 for p in store.returns if not p.automatic) + 1:04d}"
    arrived = _arrived(parcels)
    heard = max(p.last_news or arrived for p in parcels)
    warranty, late = kind == "warranty", kind == "late"
    if late:
        asked = arrived + timedelta(days=WINDOW_DAYS, hours=rng.uniform(6, 48))
    else:
        after = timedelta(hours=rng.uniform(12, ASKED_WITHIN.total_seconds() / 3600))
        asked = max(arrived + after, heard + timedelta(hours=1))
    lines = _warranty_line(rng, order) if warranty else _lines(rng, order)
    request = {"action": "request", "ref": ref, "order": order.id, "lines": [*map(list, lines)]}
    store.reports.append(Report(asked, "return", request))
    if late:
        steps = [(asked, Milestone.RETURN_REJECTED.value)]
        store.returns.append(ReturnPlan(ref, order.id, lines, tuple(steps)))
        return
    steps = [(asked, Milestone.RETURN_APPROVED.value)]
    approved = asked
    if warranty:  # the policy leaves warranty claims to the warranty team
        approved = desk.approve_claim(store, rng, ref, asked)
        steps = [(asked, Milestone.RETURN_REQUESTED.value), (approved, steps[0][1])]
    label = None
    if rng.random() < LABELLED:
        carrier = rng.choices(list(LABEL_CARRIERS), weights=list(LABEL_CARRIERS.values()))[0]
        label = tracking_number(carrier, rng)
        labelled = desk.attach_label(store, rng, ref, approved, label, carrier)
        moving, back = _send_back(store, rng, order, parcels[0].site, carrier, label, labelled)
        steps += [(moving, Milestone.RETURN_IN_TRANSIT.value)]
    else:
        back = desk.book_in(store, ref, approved + timedelta(days=rng.uniform(3, 8)))
    steps += desk.after_receipt(store, rng, ref, lines, back)
    store.returns.append(ReturnPlan(ref, order.id, lines, tuple(steps), label=label))


def _arrived(parcels: list[Parcel]) -> datetime:
    """When the last of an order's parcels was delivered."""
    return max(d for p in parcels if (d := delivered(p)))


def _warranty_line(rng: random.Random, order: OrderFacts) -> tuple[Line, ...]:
    """A claim under the warranty: one unit of one product, the dearest more often."""
    sku = rng.choices([s for s, _, _ in order.lines], weights=[p for _, _, p in order.lines])[0]
    return ((sku, 1, ReturnReason.WARRANTY.value),)


def _lines(rng: random.Random, order: OrderFacts) -> tuple[Line, ...]:
    """Every line or some; every unit or some; one reason, or now and then one per line."""
    chosen = list(order.lines)
    if len(chosen) > 1 and rng.random() < 0.5:
        chosen = rng.sample(chosen, rng.randint(1, len(chosen) - 1))
    main = _reason(rng)
    lines = []
    for sku, quantity, _ in sorted(chosen):
        some = quantity > 1 and rng.random() < 0.4
        reason = _reason(rng) if rng.random() < 0.25 else main
        lines.append((sku, rng.randint(1, quantity - 1) if some else quantity, reason.value))
    return tuple(lines)


def _reason(rng: random.Random) -> ReturnReason:
    return rng.choices(list(REASONS), weights=list(REASONS.values()))[0]


def _send_back(
    store: Store,
    rng: random.Random,
    order: OrderFacts,
    site: str,
    carrier: str,
    tracking: str,
    labelled: datetime,
) -> tuple[datetime, datetime]:
    """The return label's parcel on its way to the warehouse, as its carrier reports it: when
    we first hear it is moving, and when we hear it was delivered."""
    place, home = order.customer.place, SITES[site]
    zone = next(z for p, z in DESTINATIONS if p == place)[site]
    accepted = labelled + timedelta(hours=rng.uniform(6, 60))  # the customer drops it off
    total = transit(carrier, site, zone) * rng.uniform(0.9, 1.2)
    out = accepted + total + timedelta(hours=rng.uniform(8, 16))
    scans = [
        Scan(accepted, "accepted", place),
        Scan(accepted + total / 2, "transit", HUBS[carrier]),
        Scan(accepted + total, "transit", home),
        Scan(out, "out", home),
        Scan(out + timedelta(hours=rng.uniform(1, 5)), "delivered", home),
    ]
    arrivals = sorted(
        (
            (store.outage.held(carrier, s.at + timedelta(minutes=rng.uniform(2, 25)), rng), s)
            for s in scans
        ),
        key=lambda pair: pair[0],
    )
    route = {"carrier": carrier, "format": FORMAT[carrier]}
    back = arrivals[-1][0]
    for n, (arrives, _) in enumerate(arrivals):
        known = [s for _, s in arrivals[: n + 1]]
        payload = render(carrier, tracking, known).decode()
        store.reports.append(Report(arrives, "carrier", route | {"payload": payload}, order.id))
        if any(s.word == "delivered" for s in known):
            back = min(back, arrives)
    return arrivals[0][0], back


def ask(system: System, body: dict[str, Any], result: RunResult) -> None:
    """The customer's request, through the use case the returns page and the API call."""
    lines = [ReturnLine(sku, count, ReturnReason(why)) for sku, count, why in body["lines"]]
    try:
        file = system.handle(RequestReturn(body["order"], lines, CUSTOMER))
    except DomainError as error:
        result.refused.append(f"return {body['ref']} of {body['order']}: {error}")
        return
    result.rmas[body["ref"]] = file.id
