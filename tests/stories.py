"""Stories the console tests tell, the same with or without a browser: a Shopify order
(numbered `#1029`, as Shopify numbers them) whose parcels went wrong in every way the console
shows — one stalled, one the carrier could not deliver, a message that never went out."""

from __future__ import annotations

from typing import Any

from ordertrail.app.casework.cases import sweep
from ordertrail.app.intake.commands import RecordEvents, RegisterOrders
from ordertrail.app.messages.delivery import DeliveryFailed, Outgoing, deliver_due
from ordertrail.bootstrap import System
from ordertrail.sources.canonical import parse_event, parse_order
from tests.conftest import FixedClock
from tests.factories import canonical_order

SHOPIFY_ORDER = "#1029"
STALLED, ATTEMPTED = "1Z999AA10123456784", "123456789012"


class Unreachable:
    """A mail server that refuses every message for good: what it is given dies."""

    def send(self, outgoing: Outgoing) -> None:
        raise DeliveryFailed("mailbox unavailable", permanent=True)


def record(system: System, clock: FixedClock, **said: Any) -> None:
    event = {"source": f"carrier:{said.pop('carrier')}", "occurred_at": clock.now().isoformat()}
    system.handle(RecordEvents([parse_event(event | said)]))


def shopify_order_in_trouble(system: System, clock: FixedClock) -> str:
    """`#1029`: its UPS parcel went quiet in transit days ago (the sweep opened a stall case),
    FedEx could not find the address, and the customer's email about it died. Its id."""
    order = canonical_order(
        SHOPIFY_ORDER, (STALLED, "ups", {"HAT": 1}), (ATTEMPTED, "fedex", {"MUG": 2})
    )
    system.handle(RegisterOrders([parse_order(order)]))
    place = {"city": "LOUISVILLE", "region": "KY", "country": "US"}
    record(system, clock, carrier="ups", shipment=STALLED, milestone="in_transit", location=place)
    clock.advance(hours=60)
    sweep(system.uows, clock.now())
    record(
        system,
        clock,
        carrier="fedex",
        shipment=ATTEMPTED,
        milestone="delivery_attempted",
        reason="address_issue",
    )
    deliver_due(system.uows, {"email": Unreachable()}, system.clock)
    return SHOPIFY_ORDER


def a_busy_queue(system: System, clock: FixedClock, orders: int = 40) -> None:
    """`orders` orders whose DHL parcel could not be delivered: a queue taller than a screen."""
    for n in range(1, orders + 1):
        tracking = f"JD{n:08d}"
        order = canonical_order(f"ORD-{n:03d}", (tracking, "dhl", {"MUG": 1}))
        system.handle(RegisterOrders([parse_order(order)]))
        record(
            system,
            clock,
            carrier="dhl",
            shipment=tracking,
            milestone="delivery_attempted",
            reason="recipient_unavailable",
        )
        clock.advance(minutes=1)


def a_quiet_carton(system: System, clock: FixedClock) -> str:
    """WS-00024 from the warehouse desk: a carton (named by its SSCC) that went quiet in transit
    with nothing else wrong; only the sweep's stall case says it needs someone. Its tracking
    number."""
    tracking = "1Z12345E6605272234"
    order = canonical_order("WS-00024")
    order["shipments"] = [
        {"id": "00340123450000000017", "tracking_number": tracking, "carrier": "ups"}
    ]
    system.handle(RegisterOrders([parse_order(order)]))
    record(system, clock, carrier="ups", shipment=tracking, milestone="in_transit")
    clock.advance(hours=60)
    sweep(system.uows, clock.now())
    return tracking
