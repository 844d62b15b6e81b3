"""Returns on a real database: asked, decided, tracked by the carrier, received, inspected and
refunded; refused actions change nothing; a rebuild reads the same returns from the log."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from ordertrail.app.intake.commands import Rebuild, RecordEvents, RegisterOrders
from ordertrail.app.queries import order_detail
from ordertrail.app.returns.commands import (
    AttachLabel,
    DecideReturn,
    InspectLine,
    ReceiveReturn,
    ReleaseRefund,
    ReleaseReplacement,
    RequestReturn,
)
from ordertrail.app.returns.ports import ReturnListing
from ordertrail.app.returns.views import return_view
from ordertrail.bootstrap import System
from ordertrail.cli import app as cli
from ordertrail.domain.model import DomainError, Money, Source
from ordertrail.domain.returns.return_lines import ReturnFile, ReturnLine, ReturnReason
from ordertrail.sources.canonical import parse_event, parse_order
from ordertrail.store.tables import counters, events, return_lines, returns
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key, canonical_order

R = ReturnReason
PARCEL, LABEL = "1Z999AA10123456784", "1ZRETURN0000000001"
CLERK = Source.parse("ops:staff:kim@shop.example")
CUSTOMER = Source.parse("customer")


def carrier(system: System, clock: FixedClock, shipment: str, milestone: str, **more: Any) -> None:
    said = {"source": "carrier:ups", "shipment": shipment, "milestone": milestone}
    event = parse_event(said | {"occurred_at": clock.now().isoformat()} | more)
    result = system.handle(RecordEvents([event]))
    assert not result.problems, result.problems


def delivered_order(system: System, clock: FixedClock, order_id: str = "ORD-1") -> None:
    """A drill and two bit sets, worth 300.00 USD, delivered in one parcel."""
    order = canonical_order(order_id, (PARCEL, "ups", {"DRILL": 1, "BITS": 2}))
    order["value"] = {"amount": 30000, "currency": "USD"}
    system.handle(RegisterOrders([parse_order(order)]))
    carrier(system, clock, PARCEL, "delivered")
    clock.advance(days=3)


def ask(system: System, *lines: ReturnLine, order: str = "ORD-1") -> ReturnFile:
    file: ReturnFile = system.handle(RequestReturn(order, lines, CUSTOMER))
    return file


def status_of(system: System, order_id: str = "ORD-1") -> str:
    detail = order_detail(system.uows, order_id)
    assert detail is not None
    return detail.status


def stored(system: System) -> dict[str, Any]:
    """What a refused action must leave alone: the log, the returns, the RMA counter."""
    with system.engine.connect() as connection:
        return {
            "events": connection.scalar(select(func.count()).select_from(events)),
            "returns": sorted(tuple(row) for row in connection.execute(select(returns))),
            "lines": sorted(tuple(row) for row in connection.execute(select(return_lines))),
            "rma": connection.scalar(select(counters.c.value)),
        }


def test_a_return_goes_from_request_to_refund_with_one_damaged_line(
    system: System, clock: FixedClock
) -> None:
    delivered_order(system, clock)
    file = ask(system, ReturnLine("DRILL", 1, R.DAMAGED), ReturnLine("BITS", 1, R.NO_LONGER_NEEDED))
    assert (file.id, str(file.status)) == ("RMA-1001", "return_approved")
    assert status_of(system) == "return_in_progress"
    clock.advance(hours=1)
    system.handle(AttachLabel(file.id, LABEL, CLERK, "ups"))
    clock.advance(hours=5)
    carrier(system, clock, LABEL, "in_transit", location={"city": "Louisville"})
    clock.advance(days=2)
    carrier(system, clock, LABEL, "delivered")  # the carrier brings everything back
    assert listed(system).status == "inspection_pending"
    with pytest.raises(DomainError, match="every unit is already received"):
        system.handle(ReceiveReturn(file.id, CLERK))
    clock.advance(hours=2)
    system.handle(InspectLine(file.id, "DRILL", "scrap", CLERK, 1, "cracked housing", "p/1.jpg"))
    system.handle(InspectLine(file.id, "BITS", "restock", CLERK))
    refunded = system.handle(ReleaseRefund(file.id, CLERK, "inspected, drill scrapped"))
    assert refunded.refund == Money(20000, "USD")
    assert status_of(system) == "partially_returned"  # one bit set stayed with the customer
    detail = order_detail(system.uows, "ORD-1")
    assert detail is not None
    told = [(row.subject.kind, row.milestone) for row in detail.timeline]
    assert told[0] == ("shipment", "delivered")
    assert told[1:3] == [("return", "return_requested"), ("return", "return_approved")]
    assert ("return", "return_in_transit") in told and told[-1] == ("return", "refund_released")


def listed(system: System) -> ReturnListing:
    with system.uows(read_only=True) as uow:
        [found] = uow.returns.page(status=None, order_id="ORD-1", after=None, limit=5)
    return found


def test_the_carrier_delivering_the_return_label_gets_it_refunded_on_receipt(
    system: System, clock: FixedClock
) -> None:
    delivered_order(system, clock)
    file = ask(system, ReturnLine("BITS", 2, R.NO_LONGER_NEEDED))
    system.handle(AttachLabel(file.id, LABEL, CLERK, "ups"))
    clock.advance(days=1)
    carrier(system, clock, LABEL, "delivered")
    carrier(system, clock, LABEL, "delivered", raw_code="D1")  # told twice: refunded once
    assert listed(system).status == "refund_released"
    shown = return_view(system.uows, file.id)
    assert shown is not None and shown.refund == Money(20000, "USD")
    assert [(s.milestone, s.source) for s in shown.timeline[-3:]] == [
        ("return_received", "carrier:ups"),
        ("return_received", "carrier:ups"),
        ("refund_released", "system"),
    ]
    assert status_of(system) == "partially_returned"


def test_a_warranty_claim_waits_for_the_warranty_team_and_an_advance_replacement(
    system: System, clock: FixedClock
) -> None:
    delivered_order(system, clock)
    claim = ask(system, ReturnLine("DRILL", 1, R.WARRANTY))
    assert (str(claim.status), claim.team) == ("return_requested", "warranty")
    with pytest.raises(DomainError, match="say why it is approved"):
        system.handle(DecideReturn(claim.id, True, CLERK))
    system.handle(DecideReturn(claim.id, True, CLERK, "motor fault, known batch"))
    with pytest.raises(DomainError, match="only once the goods are back"):
        system.handle(ReleaseReplacement(claim.id, CLERK))


def test_a_request_outside_the_window_is_rejected_by_the_policy(
    system: System, clock: FixedClock
) -> None:
    delivered_order(system, clock)
    clock.advance(days=40)
    file = ask(system, ReturnLine("BITS", 1, R.NO_LONGER_NEEDED))
    assert str(file.status) == "return_rejected"
    assert file.decision["why"][0].endswith("returns are taken within 30 days of delivery")
    assert status_of(system) == "delivered"
    again = ask(system, ReturnLine("BITS", 2, R.NO_LONGER_NEEDED))  # rejected units are free
    assert again.id == "RMA-1002"


def refused_actions() -> list[tuple[str, Callable[[System, str], Any], str]]:
    return [
        (
            "quantity above delivered",
            lambda s, _: ask(s, ReturnLine("DRILL", 2, R.DAMAGED)),
            "DRILL: 2 asked back, but 1 delivered",
        ),
        (
            "line not on the order",
            lambda s, _: ask(s, ReturnLine("SAW", 1, R.OTHER)),
            "'SAW' is not on order ORD-1",
        ),
        (
            "second return for units already returned",
            lambda s, _: ask(s, ReturnLine("BITS", 2, R.OTHER)),
            "BITS: 2 asked back, but 2 delivered and 1 already on another return",
        ),
        (
            "refund before the goods are back",
            lambda s, rma: s.handle(ReleaseRefund(rma, CLERK)),
            "nothing has been received yet",
        ),
        (
            "disposition for a line not received",
            lambda s, rma: s.handle(InspectLine(rma, "BITS", "restock", CLERK)),
            "BITS has not been received on RMA-1001",
        ),
        (
            "unknown order",
            lambda s, _: ask(s, ReturnLine("BITS", 1, R.OTHER), order="ORD-404"),
            "no order has id 'ORD-404'",
        ),
        (
            "label already an outbound parcel",
            lambda s, rma: s.handle(AttachLabel(rma, PARCEL, CLERK)),
            "already names an outbound parcel",
        ),
    ]


@pytest.mark.parametrize(
    ("case", "act", "message"), refused_actions(), ids=[case for case, _, _ in refused_actions()]
)
def test_refused_input_says_why_and_changes_nothing(
    system: System,
    clock: FixedClock,
    case: str,
    act: Callable[[System, str], Any],
    message: str,
) -> None:
    delivered_order(system, clock)
    file = ask(system, ReturnLine("BITS", 1, R.DAMAGED))
    before = stored(system)
    with pytest.raises(DomainError, match=message):
        act(system, file.id)
    assert stored(system) == before


def test_a_refund_before_inspection_is_refused_and_changes_nothing(
    system: System, clock: FixedClock
) -> None:
    delivered_order(system, clock)
    file = ask(system, ReturnLine("DRILL", 1, R.DEFECTIVE))
    system.handle(ReceiveReturn(file.id, CLERK, {"DRILL": 1}))
    before = stored(system)
    with pytest.raises(DomainError, match="DRILL must be inspected before the refund"):
        system.handle(ReleaseRefund(file.id, CLERK))
    assert stored(system) == before


def test_a_rebuild_reads_the_same_returns_from_the_log(system: System, clock: FixedClock) -> None:
    delivered_order(system, clock)
    file = ask(system, ReturnLine("DRILL", 1, R.DAMAGED), ReturnLine("BITS", 2, R.OTHER))
    system.handle(AttachLabel(file.id, LABEL, CLERK))
    carrier(system, clock, LABEL, "in_transit")
    system.handle(ReceiveReturn(file.id, CLERK, {"DRILL": 1}))
    system.handle(InspectLine(file.id, "DRILL", "refurbish", CLERK, 0, "scuffed"))
    before = stored(system)
    system.handle(Rebuild())
    assert stored(system) == before


def test_the_api_lists_shows_opens_and_refuses_returns(system: System, clock: FixedClock) -> None:
    delivered_order(system, clock)
    with TestClient(create_app(system), headers=api_key(system)) as client:
        asked = {"order": "ORD-1", "lines": [{"sku": "BITS", "quantity": 1, "reason": "other"}]}
        opened = client.post("/api/v1/returns", json=asked)
        assert opened.status_code == 201, opened.text
        assert opened.json()["requested_by"] == "ops:key:tests-admin"
        rma = opened.json()["id"]
        listed = client.get("/api/v1/returns", params={"state": "return_approved"}).json()
        assert [r["id"] for r in listed["returns"]] == [rma]
        assert client.get("/api/v1/returns", params={"order": "ORD-2"}).json()["returns"] == []
        too_many = client.post(
            "/api/v1/returns", json=asked | {"lines": [asked["lines"][0] | {"quantity": 2}]}
        )
        assert too_many.status_code == 422
        assert too_many.headers["content-type"] == "application/problem+json"
        assert too_many.json()["errors"][0]["field"] == "lines.quantity"
        received = client.post(f"/api/v1/returns/{rma}/receive", json={"lines": {"BITS": 1}})
        assert received.json()["status"] == "refund_released"
        assert received.json()["refund"] == {"amount": 10000, "currency": "USD"}
        shown = client.get(f"/api/v1/returns/{rma}").json()
        assert [step["milestone"] for step in shown["timeline"]] == [
            "return_requested",
            "return_approved",
            "return_received",
            "refund_released",
        ]
        assert client.get("/api/v1/returns/RMA-9").status_code == 404
        assert client.post("/api/v1/returns/RMA-9/refund", json={}).status_code == 404


def test_a_warehouse_key_handles_goods_but_cannot_release_money(
    system: System, clock: FixedClock
) -> None:
    delivered_order(system, clock)
    file = ask(system, ReturnLine("BITS", 1, R.DEFECTIVE))
    with TestClient(create_app(system), headers=api_key(system, "warehouse")) as client:
        assert client.post(f"/api/v1/returns/{file.id}/receive", json={}).status_code == 200
        refund = client.post(f"/api/v1/returns/{file.id}/refund", json={})
        assert refund.status_code == 403


def test_the_command_line_asks_lists_and_shows(system: System, clock: FixedClock) -> None:
    delivered_order(system, clock)
    url = system.engine.url.render_as_string(hide_password=False)

    def run(*args: str) -> Any:
        return CliRunner().invoke(cli, ["--db", url, "returns", *args], catch_exceptions=False)

    asked = run("request", "ORD-1", "--line", "DRILL:1:damaged", "--line", "BITS:2:other")
    assert asked.exit_code == 0, asked.output
    assert asked.output.startswith("RMA-1001 for order ORD-1: return_approved")
    assert "DRILL (damaged): inspected before any refund" in asked.output
    refused = run("request", "ORD-1", "--line", "DRILL:1:damaged")
    assert refused.exit_code == 2
    assert "DRILL: 1 asked back, but 1 delivered and 1 already on another return" in refused.output
    assert run("request", "ORD-1", "--line", "DRILL:one:damaged").exit_code == 2
    listed = run("list", "--state", "return_approved")
    assert "RMA-1001  ORD-1  return_approved" in listed.output
    assert run("list", "--state", "lost").exit_code == 2
    shown = json.loads(run("show", "RMA-1001", "--json").output)
    assert [line["sku"] for line in shown["lines"]] == ["DRILL", "BITS"]
    assert shown["requested_by"].startswith("ops:cli:")
    assert run("show", "RMA-404").exit_code == 1
