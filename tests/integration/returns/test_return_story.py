"""The returns desk's week, end to end on a real database with a real webhook receiver on
loopback: a return refunded after inspection with one damaged line, one replaced ahead of the
goods, one turned down outside the window, and a refused parcel that became a return by itself.
Timelines and order statuses are asserted as a returns clerk reads them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from standardwebhooks import Webhook

from ordertrail.app.intake.commands import Rebuild, RecordEvents, RegisterOrders
from ordertrail.app.messages.delivery import deliver_due
from ordertrail.app.queries import order_detail
from ordertrail.app.returns.commands import (
    AttachLabel,
    InspectLine,
    ReceiveReturn,
    ReleaseRefund,
    ReleaseReplacement,
    RequestReturn,
)
from ordertrail.app.returns.views import ReturnView, list_returns, return_view
from ordertrail.bootstrap import System, build
from ordertrail.config import ReturnSettings, Settings
from ordertrail.domain.model import Money, Source
from ordertrail.domain.returns.return_lines import ReturnLine, ReturnReason
from ordertrail.sources.canonical import parse_event, parse_order
from tests.conftest import FixedClock
from tests.factories import canonical_order
from tests.integration.messages.test_notifications import SECRET, Loopback, servers, webhooks

__all__ = ["servers"]  # the loopback receiver fixture, shared with the notification tests

R = ReturnReason
CLERK = Source.parse("ops:staff:kim@shop.example")
CUSTOMER = Source.parse("customer")


@pytest.fixture
def system(database_url: str, clock: FixedClock, servers: Loopback) -> Iterator[System]:
    settings = Settings(
        database_url=database_url,
        webhook_subscribers=[
            {"url": f"http://127.0.0.1:{servers.http_port}/helpdesk", "secret": SECRET}
        ],
        returns=ReturnSettings(advance_replacement_over=100000),
    )
    built = build(settings, clock=clock)
    yield built
    built.close()


def carrier(system: System, clock: FixedClock, parcel: str, milestone: str, **more: Any) -> None:
    said = {"source": "carrier:ups", "shipment": parcel, "milestone": milestone}
    said |= {"occurred_at": clock.now().isoformat(), **more}
    assert not system.handle(RecordEvents([parse_event(said)])).problems


def delivered(system: System, clock: FixedClock, order_id: str, value: int, **lines: int) -> None:
    parcel = f"1Z{order_id}"
    order = canonical_order(order_id, (parcel, "ups", lines))
    order["value"] = {"amount": value, "currency": "USD"}
    system.handle(RegisterOrders([parse_order(order)]))
    carrier(system, clock, parcel, "carrier_accepted")
    clock.advance(days=1)
    carrier(system, clock, parcel, "delivered")


def shown(system: System, rma: str) -> ReturnView:
    found = return_view(system.uows, rma)
    assert found is not None
    return found


def story(system: System, rma: str) -> list[tuple[str, str]]:
    """The return's timeline as the clerk reads it: what happened, and who said so."""
    return [
        (step.milestone or step.raw_code or "", step.source) for step in shown(system, rma).timeline
    ]


def status(system: System, order_id: str) -> str:
    detail = order_detail(system.uows, order_id)
    assert detail is not None
    return detail.status


def sent_webhooks(system: System, servers: Loopback) -> list[dict[str, Any]]:
    deliver_due(system.uows, system.senders(), system.clock, jitter=lambda: 0.5)
    found = []
    for hook in webhooks(servers.seen):
        Webhook(SECRET).verify(hook["body"], hook["headers"])  # signed, or this raises
        found.append(json.loads(hook["body"]))
    return [hook for hook in found if hook["type"].startswith("return.")]


def test_a_return_is_inspected_with_one_damaged_line_and_refunded(
    system: System, clock: FixedClock, servers: Loopback
) -> None:
    delivered(system, clock, "ORD-7", 45000, **{"DRILL-18V": 1, "BIT-SET": 2})
    clock.advance(days=4)
    asked = [ReturnLine("DRILL-18V", 1, R.DAMAGED), ReturnLine("BIT-SET", 1, R.NOT_AS_DESCRIBED)]
    rma = system.handle(RequestReturn("ORD-7", asked, CUSTOMER, "drill arrived cracked")).id
    assert status(system, "ORD-7") == "return_in_progress"
    clock.advance(minutes=10)
    system.handle(AttachLabel(rma, "1ZBACK0007", CLERK, "ups"))
    clock.advance(hours=20)
    carrier(system, clock, "1ZBACK0007", "in_transit", location={"city": "Louisville"})
    clock.advance(days=2)
    carrier(system, clock, "1ZBACK0007", "delivered")
    assert shown(system, rma).status == "inspection_pending"
    clock.advance(hours=3)
    system.handle(InspectLine(rma, "DRILL-18V", "scrap", CLERK, 1, "housing cracked", "ph/7.jpg"))
    system.handle(InspectLine(rma, "BIT-SET", "restock", CLERK, 0, "as new"))
    system.handle(ReleaseRefund(rma, CLERK, "inspected: carrier damage on the drill"))

    assert story(system, rma) == [
        ("return_requested", "customer"),
        ("return_approved", "system"),
        ("label_attached", "ops:staff:kim@shop.example"),
        ("return_in_transit", "carrier:ups"),
        ("return_received", "carrier:ups"),
        ("inspection_pending", "system"),
        ("disposition_decided", "ops:staff:kim@shop.example"),
        ("disposition_decided", "ops:staff:kim@shop.example"),
        ("refund_released", "ops:staff:kim@shop.example"),
    ]
    final = shown(system, rma)
    assert [(x.sku, x.received, x.disposition, x.damaged) for x in final.lines] == [
        ("DRILL-18V", 1, "scrap", 1),
        ("BIT-SET", 1, "restock", 0),
    ]
    assert final.refund == Money(30000, "USD")  # two of three units of a 450.00 order
    assert status(system, "ORD-7") == "partially_returned"  # one bit set stayed
    hooks = sent_webhooks(system, servers)
    assert [hook["type"] for hook in hooks] == [
        "return.approved",
        "return.received",
        "return.refund_released",
    ]
    refund = hooks[-1]["return"]["refund"]
    assert (refund["amount"], refund["currency"]) == (30000, "USD")
    assert refund["lines"] == [
        {"sku": "BIT-SET", "quantity": 1},
        {"sku": "DRILL-18V", "quantity": 1},
    ]
    assert sent_webhooks(system, servers) == hooks  # sent once: nothing queued twice


def test_a_replacement_leaves_ahead_of_the_goods_for_a_valuable_order(
    system: System, clock: FixedClock, servers: Loopback
) -> None:
    delivered(system, clock, "ORD-8", 129900, **{"SAW-TABLE": 1})
    clock.advance(days=2)
    rma = system.handle(
        RequestReturn("ORD-8", [ReturnLine("SAW-TABLE", 1, R.DEFECTIVE)], CUSTOMER)
    ).id
    assert "order worth 1299.00 USD" in " ".join(shown(system, rma).decision.why)  # type: ignore[union-attr]
    system.handle(ReleaseReplacement(rma, CLERK, "motor fault: new saw out today"))
    assert (shown(system, rma).status, status(system, "ORD-8")) == (
        "return_approved",
        "return_in_progress",
    )
    clock.advance(days=3)
    system.handle(ReceiveReturn(rma, CLERK, {"SAW-TABLE": 1}, "old saw back"))
    assert shown(system, rma).status == "replacement_released"
    assert status(system, "ORD-8") == "returned"
    with pytest.raises(Exception, match="closed"):
        system.handle(ReleaseRefund(rma, CLERK))
    [approved, replaced, received] = sent_webhooks(system, servers)
    assert (approved["type"], replaced["type"], received["type"]) == (
        "return.approved",
        "return.replacement_released",
        "return.received",
    )
    assert replaced["return"]["replacement"] == {
        "advance": True,
        "lines": [{"sku": "SAW-TABLE", "quantity": 1}],
    }


def test_a_request_after_the_window_is_turned_down_in_words(
    system: System, clock: FixedClock, servers: Loopback
) -> None:
    delivered(system, clock, "ORD-9", 2500, **{"GLOVES": 2})
    clock.advance(days=31)
    rma = system.handle(
        RequestReturn("ORD-9", [ReturnLine("GLOVES", 2, R.NO_LONGER_NEEDED)], CUSTOMER)
    ).id
    assert story(system, rma) == [("return_requested", "customer"), ("return_rejected", "system")]
    last = shown(system, rma).timeline[-1]
    assert (
        last.why
        == "delivered 2026-11-26, 31 days ago: returns are taken within 30 days of delivery"
    )
    assert status(system, "ORD-9") == "delivered"
    assert sent_webhooks(system, servers) == []


def test_a_refused_delivery_becomes_a_return_once(
    system: System, clock: FixedClock, servers: Loopback
) -> None:
    order = canonical_order("ORD-10", ("1ZREFUSED", "ups", {"LADDER": 1}))
    system.handle(RegisterOrders([parse_order(order)]))
    carrier(system, clock, "1ZREFUSED", "carrier_accepted")
    clock.advance(days=1)
    carrier(system, clock, "1ZREFUSED", "delivery_attempted", reason="refused")
    carrier(system, clock, "1ZREFUSED", "delivery_attempted", reason="refused")  # said again
    clock.advance(days=2)
    carrier(system, clock, "1ZREFUSED", "returned_to_sender", reason="refused")
    system.handle(Rebuild())
    [found] = list_returns(system.uows, order_id="ORD-10").returns
    assert (found.status, found.team) == ("return_approved", "returns")
    assert story(system, found.id) == [
        ("return_requested", "system"),
        ("return_approved", "system"),
    ]
    view = shown(system, found.id)
    assert [(x.sku, x.quantity, x.reason) for x in view.lines] == [("LADDER", 1, "other")]
    assert view.timeline[0].why == "parcel 1ZREFUSED coming back: refused"
    assert status(system, "ORD-10") == "shipped"  # the parcel's own trouble still tells it
    system.handle(ReceiveReturn(found.id, CLERK, {}, "ladder back at the dock"))
    assert shown(system, found.id).status == "refund_released"  # nothing to inspect
