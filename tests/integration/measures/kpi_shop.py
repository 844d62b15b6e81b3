"""One small shop whose every KPI is worked out by hand (tests/integration/test_kpi_*).

Placed on Monday 2 November 2026 at 12:00 UTC (US clocks left summer time the day before:
New York is UTC-5, Los Angeles UTC-8):

| order | parcel | carrier, service  | site  | to | pick  | pack | label | handed over | delivered |
| A     | PA     | ups, ground       | louis | US | +1 h  | +3 h | +4 h  | 21:00 16:00 | 4th, 48 h |
| B     | PB     | ups, next_day_air | louis | CA | +1 h  | +2 h | +2.5h | 21:01 16:01 | 5th, 72 h |
| C     | PC     | fedex, home       | reno  | US | +1 h* | +2 h | none  | 23:45 15:45 | 4th, 48 h |
| D     | PD     | fedex, home       | reno  | US | +1 h  | +4 h | +5 h  | 23:00 15:00 | 3rd, 24 h |
| E     | PE     | ups, ground       | louis | US | +1 h  |      |       |             |           |

(louis = louisville; handed over: UTC, then the site's clock; delivered: the day of November
and the hours since the hand-over)
* scanned on the order, not the parcel. B's parcel missed the customer on 4 November before
its delivery; A's carrier sent a stray attempt an hour after delivering, which changes
nothing. C's parcel was damaged in transit, D's was reported missing by the customer. C was
promised for 3 November (its day ended 4 November 05:00 UTC in New York): late; the others
were promised for 10 November. Louisville's cut-off is 16:00, Reno's 15:30.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ordertrail.app.casework.cases import report_missing
from ordertrail.app.intake.commands import EventReport, RecordEvents, RegisterOrders
from ordertrail.app.sites import save_sites
from ordertrail.bootstrap import System
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Customer, Order, Shipment, Site, Source

M = Milestone
PLACED = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
NY = Customer(email="dana@example.com", time_zone="America/New_York", country="US")
TORONTO = Customer(email="lee@example.com", time_zone="America/Toronto", country="CA")
#: (order, parcel, carrier, service, site, customer, promised day)
SHOP = (
    ("A", "PA", "ups", "ground", "louisville", NY, date(2026, 11, 10)),
    ("B", "PB", "ups", "next_day_air", "louisville", TORONTO, date(2026, 11, 10)),
    ("C", "PC", "fedex", "home", "reno", NY, date(2026, 11, 3)),
    ("D", "PD", "fedex", "home", "reno", NY, date(2026, 11, 10)),
    ("E", "PE", "ups", "ground", "louisville", NY, date(2026, 11, 10)),
)


def hours(n: float) -> datetime:
    return PLACED + timedelta(hours=n)


def on(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def scan(site: str, milestone: Milestone, at: datetime, **subject: str) -> EventReport:
    return EventReport(Source.parse(f"warehouse:{site}"), at, milestone, **subject)


def carrier(name: str, parcel: str, milestone: Milestone, at: datetime, **more: Any) -> EventReport:
    return EventReport(Source.parse(f"carrier:{name}"), at, milestone, shipment=parcel, **more)


def journeys() -> list[EventReport]:
    louisville = {"PA": (1, 3, 4), "PB": (1, 2, 2.5), "PE": (1,)}
    reno = {"PD": (1, 4, 5)}
    steps = (M.PICKED, M.PACKED, M.LABEL_CREATED)
    found = [
        scan(site, milestone, hours(after), shipment=parcel)
        for site, parcels in (("louisville", louisville), ("reno", reno))
        for parcel, afters in parcels.items()
        for milestone, after in zip(steps, afters, strict=False)
    ]
    found += [
        scan("reno", M.PICKED, hours(1), order="C"),  # the whole order picked at once
        scan("reno", M.PACKED, hours(2), shipment="PC"),
    ]
    away = {"PA": ("ups", on(2, 21), on(4, 21)), "PB": ("ups", on(2, 21, 1), on(5, 21, 1))}
    away |= {"PC": ("fedex", on(2, 23, 45), on(4, 23, 45)), "PD": ("fedex", on(2, 23), on(3, 23))}
    for parcel, (name, handed, delivered) in away.items():
        found += [
            carrier(name, parcel, M.CARRIER_ACCEPTED, handed),
            carrier(name, parcel, M.DELIVERED, delivered),
        ]
    unavailable = {"reason": Reason.RECIPIENT_UNAVAILABLE}
    found += [
        carrier("ups", "PB", M.DELIVERY_ATTEMPTED, on(4, 18), **unavailable),
        carrier("ups", "PA", M.DELIVERY_ATTEMPTED, on(4, 22), **unavailable),
        carrier("fedex", "PC", M.EXCEPTION, on(3, 10), reason=Reason.DAMAGED),
    ]
    return found


def open_shop(system: System) -> System:
    save_sites(
        system.uows,
        [
            Site("louisville", "Louisville DC", time_zone="America/New_York", cutoff=time(16)),
            Site("reno", "Reno DC", time_zone="America/Los_Angeles", cutoff=time(15, 30)),
        ],
    )
    orders = [
        Order(
            id=order_id,
            channel="shopify",
            placed_at=PLACED,
            customer=customer,
            promised_by=promised,
            shipments=(Shipment(parcel, order_id, parcel, name, service, site),),
        )
        for order_id, parcel, name, service, site, customer, promised in SHOP
    ]
    assert not system.handle(RegisterOrders(orders)).problems
    # as it happened, one event at a time: a case opens for trouble while it is the news
    for event in sorted(journeys(), key=lambda e: e.occurred_at):
        assert not system.handle(RecordEvents([event])).problems
    report_missing(system.uows, "PD", "support", "not at the door", system.clock.now())
    return system
