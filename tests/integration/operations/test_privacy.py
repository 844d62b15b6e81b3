"""A customer's data on request: `ordertrail customers export` shows everything held about
them, `customers erase` replaces their personal data everywhere it is kept while statuses,
KPIs and other customers' pages go on working, and the erasure is on the audit trail."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from typer.testing import CliRunner

from ordertrail.app.intake.commands import Rebuild, RegisterOrders
from ordertrail.app.intake.corrections import correction
from ordertrail.app.measures.kpis import report, scope_of
from ordertrail.app.messages.delivery import Outgoing, deliver_due
from ordertrail.bootstrap import System
from ordertrail.cli import app
from ordertrail.domain.milestones import Milestone
from ordertrail.sources.canonical import parse_order
from ordertrail.store.tables import events, metadata, orders, outbox
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import canonical_order
from tests.stories import record

DANA = {
    "name": "Dana Reyes",
    "email": "Dana.Reyes@example.com",
    "phone": "+15555550100",
    "postal_code": "40213",
    "country": "US",
    "time_zone": "America/New_York",
}
SAM = {"name": "Sam Okafor", "email": "sam@example.com", "postal_code": "10001", "country": "US"}
#: what must be found nowhere once Dana is erased (any case)
DANAS_DATA = ("dana", "reyes", "+15555550100", "5555550100", "40213")
UPS, FEDEX, DHL = "1Z999AA10123456784", "123456789012", "JD00000001"


@dataclass
class Recorder:
    """A mail channel that keeps what it is given, with each message's link token."""

    sent: list[Outgoing] = field(default_factory=list)

    def send(self, outgoing: Outgoing) -> None:
        self.sent.append(outgoing)


def register(system: System, order_id: str, parcel: str, carrier: str, who: dict[str, str]) -> None:
    made = canonical_order(order_id, (parcel, carrier, {"HAT": 1}))
    made["customer"] = dict(who)
    system.handle(RegisterOrders([parse_order(made)]))


def deliver(system: System, mail: Recorder) -> None:
    deliver_due(system.uows, {"email": mail}, system.clock, jitter=lambda: 0.5)


def danas_story(system: System, clock: FixedClock, mail: Recorder) -> None:
    """Dana's two orders (one delivered and signed for, one in transit with a correction that
    quotes her and a message not sent yet) and Sam's order."""
    register(system, "ORD-1", UPS, "ups", DANA)
    register(system, "ORD-2", FEDEX, "fedex", DANA)
    register(system, "ORD-3", DHL, "dhl", SAM)
    hub = {"city": "LOUISVILLE", "region": "KY", "country": "US", "postal_code": "40213"}
    for milestone in ("carrier_accepted", "in_transit", "out_for_delivery"):
        clock.advance(hours=6)
        record(system, clock, carrier="ups", shipment=UPS, milestone=milestone, location=hub)
        record(system, clock, carrier="dhl", shipment=DHL, milestone=milestone)
        deliver(system, mail)
    clock.advance(hours=3)
    record(
        system,
        clock,
        carrier="ups",
        shipment=UPS,
        milestone="delivered",
        location={"city": "LOUISVILLE", "country": "US", "postal_code": "40213-1234"},
        raw_description="DELIVERED - LEFT AT FRONT DOOR, SIGNED BY DANA REYES",
        data={"signed_by": "DANA REYES", "recipient": {"address1": "12 Elm St"}},
    )
    deliver(system, mail)
    clock.advance(hours=1)
    record(system, clock, carrier="fedex", shipment=FEDEX, milestone="carrier_accepted")
    note = "Dana Reyes rang from +15555550100: the label says Elm St"
    system.handle(correction(FEDEX, Milestone.IN_TRANSIT, None, note, "support@shop", clock.now()))


def statuses(system: System) -> dict[str, Any]:
    with system.engine.connect() as connection:
        parcels = connection.execute(text("SELECT id, status, eta FROM shipments")).all()
        placed = connection.execute(text("SELECT id, status, needs_attention FROM orders")).all()
    return {"parcels": sorted(map(tuple, parcels)), "orders": sorted(map(tuple, placed))}


def everything_stored(system: System) -> str:
    """Every value of every row of every table, as one text to search."""
    with system.engine.connect() as connection:
        rows = [
            json.dumps(dict(row._mapping), default=str)
            for table in metadata.sorted_tables
            for row in connection.execute(select(table))
        ]
    return "\n".join(rows).casefold()


def cli(system: System, *args: str) -> Any:
    url = system.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(app, ["--db", url, "customers", *args], catch_exceptions=False)


def kpis(system: System) -> dict[str, Any]:
    return report(system.uows, scope_of(system.clock.now(), since=date(2026, 11, 1)))


def test_an_export_holds_everything_kept_about_the_customer_and_nothing_of_others(
    system: System, clock: FixedClock
) -> None:
    mail = Recorder()
    danas_story(system, clock, mail)
    done = cli(system, "export", "dana.reyes@EXAMPLE.com")
    assert done.exit_code == 0, done.output
    held = json.loads(done.stdout)
    assert (held["format"], held["version"]) == ("ordertrail-customer-export", 1)
    first, second = held["orders"]
    assert [first["order"]["id"], second["order"]["id"]] == ["ORD-1", "ORD-2"]
    assert first["order"]["customer"] == DANA
    assert first["status"] == "delivered" and first["erased_at"] is None
    assert first["shipments"] == [{"id": UPS, "tracking_number": UPS, "status": "delivered"}]
    delivered = next(e for e in first["events"] if e.get("milestone") == "delivered")
    assert delivered["data"]["signed_by"] == "DANA REYES"
    assert delivered["location"]["postal_code"] == "40213-1234"
    to_dana = [m for m in first["messages"] if m["recipient"] != "subscribers"]
    assert {m["recipient"] for m in to_dana} == {DANA["email"], DANA["phone"]}
    assert "sent" in {m["status"] for m in to_dana}
    assert "webhook" in {m["channel"] for m in first["messages"]}
    assert first["message_links"] > 0
    why = [e["data"]["why"] for e in second["events"] if e["source"] == "ops:support@shop"]
    assert why == ["Dana Reyes rang from +15555550100: the label says Elm St"]
    assert "sam" not in done.stdout.casefold() and DHL not in done.stdout


def test_an_unknown_customer_is_said_so_and_nothing_is_written(
    system: System, clock: FixedClock, tmp_path: Any
) -> None:
    danas_story(system, clock, Recorder())
    target = tmp_path / "export.json"
    done = cli(system, "export", "nobody@example.com", "--output", str(target))
    assert done.exit_code == 1
    assert "nothing is held about 'nobody@example.com'" in done.stderr
    assert not target.exists()
    assert cli(system, "erase", "nobody@example.com", "--yes").exit_code == 1


def test_erasure_asks_first_and_without_a_terminal_erases_nothing(
    system: System, clock: FixedClock
) -> None:
    danas_story(system, clock, Recorder())
    before = everything_stored(system)
    done = cli(system, "erase", DANA["email"])
    assert done.exit_code == 2
    assert "would erase the personal data of 2 orders (ORD-1, ORD-2)" in done.stderr
    assert "nothing erased: say --yes" in done.stderr
    assert everything_stored(system) == before


def test_erasure_replaces_the_customers_data_everywhere_and_everything_else_goes_on(
    system: System, clock: FixedClock
) -> None:
    mail = Recorder()
    danas_story(system, clock, mail)
    danas_link = next(m.link_token for m in mail.sent if m.message.order_id == "ORD-1")
    shown, counted = statuses(system), kpis(system)
    with system.engine.connect() as connection:
        unsent = connection.execute(
            select(outbox.c.id).where(outbox.c.order_id == "ORD-2", outbox.c.status == "pending")
        ).all()
    assert unsent  # the FedEx parcel's "on its way" waits for the worker

    done = cli(system, "erase", DANA["email"], "--yes", "--by", "privacy-officer", "--json")
    assert done.exit_code == 0, done.output
    said = json.loads(done.stdout)
    assert said["orders"] == ["ORD-1", "ORD-2"]
    erased = said["erased"]
    assert erased["customer"] == 2 and erased["events"] >= 2 and erased["skipped"] >= 1
    assert erased["messages"] >= 3 and erased["links"] >= 1

    stored = everything_stored(system)
    for value in DANAS_DATA:
        assert value not in stored, f"{value} is still stored"
    assert "12 elm st" not in stored and "sam okafor" in stored
    assert statuses(system) == shown
    assert kpis(system) == counted
    system.handle(Rebuild())
    assert statuses(system) == shown  # the rewritten log folds to the same statuses

    with system.engine.connect() as connection:
        kept = connection.execute(
            select(orders.c.customer, orders.c.erased_at).where(orders.c.id == "ORD-1")
        ).one()
        audit = connection.execute(
            select(events.c.source, events.c.data).where(
                events.c.order_id == "ORD-1", events.c.raw_code == "customer_data_erased"
            )
        ).one()
    assert kept.customer == {"country": "US", "time_zone": "America/New_York"}
    assert kept.erased_at is not None
    assert audit.source == "ops:privacy-officer"
    assert audit.data["erasure"]["kinds"] == sorted(audit.data["erasure"]["counts"])

    deliver(system, mail)  # the unsent message is skipped, never sent
    assert all(m.message.order_id != "ORD-2" for m in mail.sent)

    with TestClient(create_app(system)) as browser:
        assert browser.get(f"/t/{danas_link}").status_code == 404
        looked_up = browser.get("/track", params={"order": "ORD-1", "email": DANA["email"]})
        assert looked_up.status_code == 404
        sams = browser.get("/track", params={"order": "ORD-3", "email": SAM["email"]})
        assert sams.status_code == 200 and DHL in sams.text


def test_erasing_twice_is_harmless_and_a_channels_later_copy_brings_nothing_back(
    system: System, clock: FixedClock
) -> None:
    danas_story(system, clock, Recorder())
    assert cli(system, "erase", "ORD-1", "--yes").exit_code == 0
    shown = statuses(system)
    again = cli(system, "erase", "ORD-1", "--yes", "--json")
    assert again.exit_code == 0
    assert set(json.loads(again.stdout)["erased"].values()) == {0}
    assert statuses(system) == shown
    register(system, "ORD-1", UPS, "ups", DANA)  # the shop sends its copy of the order again
    with system.engine.connect() as connection:
        kept = connection.execute(
            select(orders.c.customer, orders.c.customer_email).where(orders.c.id == "ORD-1")
        ).one()
    assert kept == ({"country": "US", "time_zone": "America/New_York"}, None)


@pytest.mark.parametrize("statement", ["UPDATE events SET milestone = 'delivered'"])
def test_outside_an_erasure_the_log_still_refuses_every_rewrite(
    system: System, clock: FixedClock, statement: str
) -> None:
    danas_story(system, clock, Recorder())
    from sqlalchemy.exc import DBAPIError

    for attempt in (statement, "UPDATE events SET raw_description = 'x'"):
        with pytest.raises(DBAPIError, match="append-only"), system.engine.begin() as conn:
            conn.execute(text(attempt))
