"""The storage ports' contracts, run against every backend (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from ordertrail.bootstrap import System
from ordertrail.domain.fold import fold
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Location, Return, Shipment, Subject, SubjectKind
from ordertrail.domain.order_status import OrderStatus, OrderSummary
from ordertrail.store.migrate import (
    alembic_config,
    current_revision,
    downgrade,
    schema_heads,
    upgrade,
)
from ordertrail.store.tables import metadata, outbox
from tests.factories import DAY0 as PARCEL_AT
from tests.factories import PARCEL, event, order

M = Milestone


def _with_parcel(system: System) -> None:
    with system.uows() as uow:
        parcel = Shipment(PARCEL.id, "ORD-1", PARCEL.id, "ups")
        uow.orders.save([order("ORD-1", parcel)])
        uow.commit()


def test_the_migrated_schema_matches_the_tables_the_code_uses(system: System) -> None:
    with system.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_append_stores_new_keys_once_and_returns_only_them(system: System) -> None:
    _with_parcel(system)
    first, second = event(M.CARRIER_ACCEPTED, 1), event(M.IN_TRANSIT, 5)
    with system.uows() as uow:
        assert uow.events.append([first, first]) == [first]
        uow.commit()
    with system.uows() as uow:
        assert uow.events.append([first, second]) == [second]
        uow.commit()
    with system.uows(read_only=True) as uow:
        stored = uow.events.for_subjects([PARCEL])[PARCEL]
    assert sorted(e.key for e in stored) == sorted([first.key, second.key])


def test_events_come_back_exactly_as_they_were_said(system: System) -> None:
    _with_parcel(system)
    mountain = timezone(timedelta(hours=-7))
    said = replace(
        event(M.IN_TRANSIT, 3, raw_code="DP"),
        occurred_at=event(M.IN_TRANSIT, 3).occurred_at.astimezone(mountain),
        location=Location(city="Salt Lake City", region="UT", country="US"),
        raw_description="Departed FedEx location",
        data={"facility": "SLCA", "pieces": 2},
    )
    with system.uows() as uow:
        uow.events.append([said])
        uow.commit()
    with system.uows(read_only=True) as uow:
        (back,) = uow.events.for_subjects([PARCEL])[PARCEL]
    assert back == said
    assert back.occurred_at.utcoffset() == timedelta(hours=-7)


def test_the_log_refuses_updates_and_deletes(system: System) -> None:
    _with_parcel(system)
    with system.uows() as uow:
        uow.events.append([event(M.IN_TRANSIT, 3)])
        uow.commit()
    for statement in ("UPDATE events SET milestone = 'delivered'", "DELETE FROM events"):
        with pytest.raises(DBAPIError, match="append-only"), system.engine.begin() as conn:
            conn.execute(text(statement))


def test_a_unit_of_work_left_without_commit_stores_nothing(system: System) -> None:
    _with_parcel(system)
    with system.uows() as uow:
        uow.events.append([event(M.IN_TRANSIT, 3)])
    with system.uows(read_only=True) as uow:
        assert uow.events.for_subjects([PARCEL]) == {}


def test_projections_round_trip_their_fold_state(system: System) -> None:
    _with_parcel(system)
    state = fold([event(M.CARRIER_ACCEPTED, 1), event(M.IN_TRANSIT, 5, estimated_delivery="x")])
    with system.uows() as uow:
        assert uow.projections.lock([PARCEL]) == {}
        uow.projections.save({PARCEL: state})
        uow.commit()
    with system.uows() as uow:
        assert uow.projections.lock([PARCEL]) == {PARCEL: state}
        uow.projections.reset()
        assert uow.projections.lock([PARCEL]) == {}


def test_orders_save_updates_in_place_and_facts_gather_children(system: System) -> None:
    _with_parcel(system)
    second = Shipment("123456789012", "ORD-1", "123456789012", "fedex", site="reno")
    with system.uows() as uow:
        updated = order("ORD-1", Shipment(PARCEL.id, "ORD-1", PARCEL.id, "ups"), second)
        uow.orders.save([replace(updated, priority="high_value")])
        uow.orders.add_returns([Return("RMA-1", "ORD-1")])
        uow.orders.save_summaries({"ORD-1": OrderSummary(OrderStatus.SHIPPED, True)})
        uow.commit()
    with system.uows(read_only=True) as uow:
        facts = uow.orders.facts(["ORD-1", "ORD-404"])
        refs = uow.subjects.find_shipments([PARCEL.id, "123456789012", "nope"])
        listing = uow.orders.page(status="shipped", needs_attention=True, after=None, limit=5)
    assert list(facts) == ["ORD-1"]
    fact = facts["ORD-1"]
    assert fact.order.priority == "high_value"
    assert [s.id for s, _ in fact.shipments] == ["123456789012", PARCEL.id]
    assert [r.id for r, _ in fact.returns] == ["RMA-1"]
    assert fact.summary == OrderSummary(OrderStatus.SHIPPED, True)
    assert set(refs) == {PARCEL.id, "123456789012"}
    assert refs["123456789012"].subject == Subject(SubjectKind.SHIPMENT, "123456789012")
    assert [row.id for row in listing] == ["ORD-1"]


def test_large_appends_store_each_new_key_once_too(system: System) -> None:
    """Past a handful of events the log takes another route; it must keep the same promise."""
    _with_parcel(system)
    scans = [event(M.IN_TRANSIT, hour, raw_code=f"S{hour}") for hour in range(30)]
    with system.uows() as uow:
        assert uow.events.append(scans[:20] + scans[:5]) == scans[:20]
        uow.commit()
    with system.uows() as uow:
        assert uow.events.append(scans[10:]) == scans[20:]
        uow.commit()
    with system.uows(read_only=True) as uow:
        assert len(uow.events.for_subjects([PARCEL])[PARCEL]) == 30


def test_migrations_go_down_and_up_cleanly(system: System) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(system.engine) == head
    downgrade(system.engine, "base")
    with system.engine.connect() as connection:
        assert not inspect(connection).has_table("events")
    upgrade(system.engine)
    assert current_revision(system.engine) == head
    test_the_migrated_schema_matches_the_tables_the_code_uses(system)
    test_the_log_refuses_updates_and_deletes(system)


def test_the_revision_serving_checks_for_is_the_one_alembic_migrates_to() -> None:
    # serve reads it from the migration files as text, without importing Alembic
    assert schema_heads() == tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def test_holding_many_shipments_finds_each_with_its_state(system: System) -> None:
    parcels = [Shipment(f"P{n:04d}", "ORD-1", f"T{n:04d}", "ups") for n in range(1200)]
    state = fold([event(M.CARRIER_ACCEPTED, 1)])
    with system.uows() as uow:
        uow.orders.save([order("ORD-1", *parcels)])
        uow.projections.save({Subject(SubjectKind.SHIPMENT, "P0007"): state})
        uow.commit()
    names = [p.tracking_number or "" for p in parcels] + ["NOPE"]
    with system.uows() as uow:
        found = uow.subjects.find_shipments(names, hold=True)
    assert set(names[:-1]) <= set(found) and "NOPE" not in found
    assert found["T0007"].state == state
    assert found["T0008"].state == fold([])


def test_unmatched_reports_are_held_whole_and_handed_over_once(system: System) -> None:
    from ordertrail.app.intake.commands import EventReport
    from ordertrail.domain.model import Source

    report = EventReport(
        source=Source.parse("carrier:dhl"),
        occurred_at=event(M.IN_TRANSIT, 3).occurred_at,
        milestone=M.DELAYED,
        reason=Reason.CUSTOMS_HOLD,
        shipment="JD0146",
        key="dhl:1",
        location=Location(city="Leipzig", country="DE"),
        raw_code="CD",
        raw_description="Clearance delay",
        data={"next_steps": "wait"},
    )
    received = event(M.IN_TRANSIT, 4).received_at
    with system.uows() as uow:
        uow.unmatched.keep([report], received)
        uow.commit()
    with system.uows() as uow:
        assert uow.unmatched.take(["OTHER"]) == []
        assert uow.unmatched.take(["JD0146"]) == [(report, received)]
        assert uow.unmatched.count() == 0
        uow.commit()


def test_upgrading_to_0005_fills_the_new_projection_columns(system: System) -> None:
    packed = fold([event(M.PACKED, 1, "warehouse:lou")])
    with system.uows() as uow:
        uow.orders.save([order("ORD-1", Shipment("P1", "ORD-1", "T1", "ups"))])
        uow.projections.save({Subject(SubjectKind.SHIPMENT, "P1"): packed})
        uow.commit()
    downgrade(system.engine, "0004")
    upgrade(system.engine)
    with system.engine.connect() as connection:
        since = connection.execute(text("SELECT status_at FROM shipments")).scalar_one()
    assert since is not None  # read back as the column type stores it
    with system.uows(read_only=True) as uow:
        [waiting] = uow.projections.waiting_since(M.PACKED, packed.status_at + timedelta(1), 5)
    assert waiting.since == packed.status_at


def test_upgrading_takes_the_link_tokens_queued_messages_kept_out_of_the_outbox(
    system: System,
) -> None:
    downgrade(system.engine, "0008")
    queued = {
        "id": "m1",
        "dedupe": "d1",
        "channel": "email",
        "audience": "customer",
        "kind": "shipped",
        "order_id": "ORD-1",
        "subject_kind": "shipment",
        "subject_id": "P1",
        "recipient": "dana@example.com",
        "context": {"status_key": "k1", "eta": None, "token": "Zm9yZ2V0LW1lLW5vdA"},
        "status": "pending",
        "available_at": PARCEL_AT,
        "created_at": PARCEL_AT,
    }
    with system.engine.begin() as connection:
        connection.execute(outbox.insert(), queued)
    upgrade(system.engine)
    with system.engine.connect() as connection:
        kept = connection.execute(select(outbox.c.context)).scalar_one()
    assert kept == {"status_key": "k1", "eta": None}
