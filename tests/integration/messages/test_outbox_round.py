"""One outbox round with more messages than it reads orders for at once: every customer's
email speaks of their own order, however the round splits its reads."""

from __future__ import annotations

from dataclasses import dataclass, field

from ordertrail.app.intake.commands import RegisterOrders
from ordertrail.app.messages.delivery import READ_AHEAD, Outgoing, deliver_due
from ordertrail.bootstrap import System
from ordertrail.delivery.texts import Brand, Text, Texts
from ordertrail.sources.canonical import parse_order
from tests.conftest import FixedClock
from tests.factories import canonical_order
from tests.stories import record


@dataclass
class Rendering:
    """An email sender that keeps each text it would send, with the order it was for."""

    texts: Texts = field(default_factory=lambda: Texts(Brand()))
    sent: list[tuple[str, Text]] = field(default_factory=list)

    def send(self, outgoing: Outgoing) -> None:
        self.sent.append((outgoing.message.order_id, self.texts.render(outgoing)))


class Passing:
    """A channel that hands the message on without reading the order (a webhook relay)."""

    def __init__(self) -> None:
        self.orders: list[str] = []

    def send(self, outgoing: Outgoing) -> None:
        self.orders.append(outgoing.message.order_id)


def failed_attempts(system: System, clock: FixedClock, orders: int) -> None:
    """`orders` orders in two parcels (ORD-001: ITEM-001 in a DHL parcel, a mug in another …)
    whose DHL parcel could not be delivered."""
    for n in range(1, orders + 1):
        tracking = f"JD{n:08d}"
        order = canonical_order(
            f"ORD-{n:03d}",
            (tracking, "dhl", {f"ITEM-{n:03d}": 1}),
            (f"JD{n + 500:08d}", "dhl", {"MUG": 1}),
        )
        system.handle(RegisterOrders([parse_order(order)]))
        attempt = {"milestone": "delivery_attempted", "reason": "recipient_unavailable"}
        record(system, clock, carrier="dhl", shipment=tracking, **attempt)
        clock.advance(minutes=1)


def test_every_email_of_a_long_round_names_its_own_items(system: System, clock: FixedClock) -> None:
    orders = READ_AHEAD + 5  # the round reads its orders in two goes
    failed_attempts(system, clock, orders)
    mail, relay = Rendering(), Passing()
    clock.advance(hours=1)
    result = deliver_due(
        system.uows, {"email": mail, "webhook": relay}, clock, limit=500, jitter=lambda: 0.5
    )

    assert result.dead == 0 and result.retried == 0
    emailed = {order_id for order_id, _ in mail.sent}
    assert emailed == {f"ORD-{n:03d}" for n in range(1, orders + 1)}
    for order_id, text in mail.sent:
        mine = order_id.replace("ORD", "ITEM")
        assert f"This one holds: 1 × {mine}." in " ".join(text.plain.split())
        assert text.plain.count("ITEM-") == 1, text.plain  # nobody else's item
    assert set(relay.orders) == emailed  # the relay had its messages too
