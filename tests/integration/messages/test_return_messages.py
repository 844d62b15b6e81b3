"""What a return tells its customer, delivered by the worker to a real SMTP server (aiosmtpd)
on loopback: approved with the shop's instructions, received, refund or replacement released —
and nothing about approval for a return the customer never asked for (a parcel they refused),
in the outbox or in `ordertrail notifications preview`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from ordertrail.app.intake.commands import RecordEvents, RegisterOrders
from ordertrail.app.messages.delivery import deliver_due
from ordertrail.app.returns.commands import ReceiveReturn, ReleaseReplacement, RequestReturn
from ordertrail.app.returns.views import list_returns
from ordertrail.bootstrap import System, build
from ordertrail.cli import app as cli
from ordertrail.config import ReturnSettings, Settings
from ordertrail.domain.model import Source
from ordertrail.domain.returns.return_lines import ReturnFile, ReturnLine, ReturnReason
from ordertrail.sources.canonical import parse_event, parse_order
from ordertrail.store.tables import outbox
from tests.conftest import FixedClock
from tests.factories import canonical_order
from tests.smtp_sink import Mailbox, smtp_sink

PARCEL = "1Z999AA10123456784"
INSTRUCTIONS = "Send it to Returns, 1 Dock Road, Louisville KY 40213."
DANA = "dana@example.com"
TEAMS = ("operations", "support", "warehouse", "returns")
CUSTOMER, CLERK = Source.parse("customer"), Source.parse("ops:staff:kim@shop.example")


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_sink() as box:
        yield box


@pytest.fixture
def system(database_url: str, clock: FixedClock, mailbox: Mailbox) -> Iterator[System]:
    settings = Settings(
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        team_emails={team: f"{team}@shop.example" for team in TEAMS},
        returns=ReturnSettings(instructions=INSTRUCTIONS, advance_replacement_over=10000),
    )
    built = build(settings, clock=clock)
    order = canonical_order("ORD-1", (PARCEL, "ups", {"DRILL": 1}))
    order["customer"] |= {"time_zone": "Europe/London"}
    order["value"] = {"amount": 30000, "currency": "GBP"}
    built.handle(RegisterOrders([parse_order(order)]))
    yield built
    built.close()


def carrier(system: System, clock: FixedClock, milestone: str, **more: Any) -> None:
    said = {"source": "carrier:ups", "shipment": PARCEL, "milestone": milestone}
    event = parse_event(said | {"occurred_at": clock.now().isoformat()} | more)
    assert not system.handle(RecordEvents([event])).problems


def deliver(system: System) -> None:
    result = deliver_due(system.uows, system.senders(), system.clock, jitter=lambda: 0.5)
    assert not (result.dead or result.retried), result


def kinds_queued(system: System) -> list[str]:
    with system.engine.connect() as connection:
        rows = connection.execute(
            outbox.select().where(outbox.c.channel == "email").order_by(outbox.c.id)
        )
        return [row.kind for row in rows]


def previewed(database_url: str) -> list[str]:
    shown = CliRunner().invoke(
        cli, ["--db", database_url, "notifications", "preview", "--order", "ORD-1", "--json"]
    )
    assert shown.exit_code == 0, shown.output
    return [row["kind"] for row in json.loads(shown.stdout)]


def test_a_customer_return_is_approved_with_instructions_then_received_and_refunded(
    system: System, clock: FixedClock, mailbox: Mailbox, database_url: str
) -> None:
    box = mailbox
    carrier(system, clock, "delivered")
    deliver(system)
    clock.advance(days=2)
    line = ReturnLine("DRILL", 1, ReturnReason.NO_LONGER_NEEDED)
    file: ReturnFile = system.handle(RequestReturn("ORD-1", [line], CUSTOMER))
    deliver(system)
    assert box.subjects(DANA)[-1] == "Your return is approved: how to send it back"
    approved = box.text(DANA, -1)
    assert INSTRUCTIONS in approved and file.id in approved
    assert f"/returns/{file.id}?ticket=" in approved
    clock.advance(days=3)
    system.handle(ReceiveReturn(file.id, CLERK))  # refunded on receipt by the policy
    deliver(system)
    # both leave at once (the refund on receipt), in either order
    assert sorted(box.subjects(DANA)[-2:]) == [
        "We received your return",
        "Your refund is on its way",
    ]
    assert all(file.id in box.text(DANA, n) for n in (-1, -2))
    said = previewed(database_url)
    assert said[-3] == "return_approved"
    assert sorted(said[-2:]) == ["refund_released", "return_received"]


def test_a_replacement_sent_ahead_is_news_to_the_customer(
    system: System, clock: FixedClock, mailbox: Mailbox
) -> None:
    box = mailbox
    carrier(system, clock, "delivered")
    clock.advance(days=1)
    line = ReturnLine("DRILL", 1, ReturnReason.DEFECTIVE)
    file: ReturnFile = system.handle(RequestReturn("ORD-1", [line], CUSTOMER))
    system.handle(ReleaseReplacement(file.id, CLERK, why="worth it"))
    deliver(system)
    assert sorted(box.subjects(DANA)[-2:]) == [
        "Your replacement is on its way",
        "Your return is approved: how to send it back",
    ]


def test_a_refused_parcel_becomes_a_return_without_telling_the_customer_it_is_approved(
    system: System, clock: FixedClock, mailbox: Mailbox, database_url: str
) -> None:
    box = mailbox
    carrier(system, clock, "carrier_accepted")
    clock.advance(hours=4)
    carrier(system, clock, "delivery_attempted", reason="refused")
    clock.advance(hours=4)
    carrier(system, clock, "returned_to_sender")
    clock.advance(hours=1)
    deliver(system)
    opened = list_returns(system.uows, order_id="ORD-1").returns
    assert [r.status for r in opened] == ["return_approved"]  # the returns team sees it
    assert "return_approved" not in kinds_queued(system)
    assert "return_approved" not in previewed(database_url)
    assert not any("approved" in subject for subject in box.subjects(DANA))
    clock.advance(days=2)
    system.handle(ReceiveReturn(opened[0].id, CLERK))  # back at the warehouse
    deliver(system)
    assert "return_approved" not in kinds_queued(system)
