"""Projections kept up incrementally equal a rebuild from the log, whatever the arrival order."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from ordertrail.app.intake.commands import EventReport, Rebuild, RecordEvents, RegisterOrders
from ordertrail.bootstrap import System
from ordertrail.domain.milestones import MILESTONES, Milestone, Phase, Reason
from ordertrail.domain.model import Line, Shipment, Source
from ordertrail.store.tables import events, orders, returns, shipments
from tests.factories import at, order

CARRIER_SIDE = [m for m, s in MILESTONES.items() if s.phase in (Phase.WAREHOUSE, Phase.CARRIER)]
SOURCES = ["carrier:ups", "warehouse:reno", "channel:shopify", "ops:maria"]
PARCELS = [f"PARCEL-{n}" for n in range(6)]


def snapshot(system: System) -> dict[str, Any]:
    with system.engine.connect() as connection:
        return {
            table.name: sorted(
                tuple(row)
                for row in connection.execute(
                    select(*(c for c in table.c if c.name not in ("lines", "customer")))
                )
            )
            for table in (orders, shipments, returns)
        }


def register_parcels(system: System) -> None:
    """Three orders, two parcels each."""
    batch = []
    for n in range(3):
        parcels = [
            Shipment(p, f"ORD-{n}", p, "ups", lines=(Line("SKU", 1),))
            for p in PARCELS[2 * n : 2 * n + 2]
        ]
        batch.append(order(f"ORD-{n}", *parcels, lines=(Line("SKU", 2),)))
    system.handle(RegisterOrders(batch))


def random_report(rng: random.Random) -> EventReport:
    parcel = rng.choice(PARCELS)
    if rng.random() < 0.1:
        return EventReport(
            source=Source.parse("customer"),
            occurred_at=at(rng.randint(0, 99)),
            milestone=Milestone.RETURN_REQUESTED,
            return_id=f"RMA-{parcel}",
            order=f"ORD-{PARCELS.index(parcel) // 2}",
        )
    milestone = rng.choice([None, *CARRIER_SIDE])
    needs_reason = milestone is not None and milestone.spec.needs_reason
    return EventReport(
        source=Source.parse(rng.choice(SOURCES)),
        occurred_at=at(rng.randint(0, 99)),
        milestone=milestone,
        reason=rng.choice(list(Reason)) if needs_reason else None,
        shipment=parcel,
        raw_code=rng.choice(["A", "B"]) if milestone is None or rng.random() < 0.5 else None,
        data={"why": "fixing a scan"},
    )


@pytest.mark.parametrize("seed", range(4))
def test_incremental_projections_equal_a_rebuild(system: System, seed: int) -> None:
    rng = random.Random(seed)
    register_parcels(system)
    reports = [random_report(rng) for _ in range(300)]
    reports += rng.sample(reports, 40)  # re-sent
    position = 0
    while position < len(reports):  # batches of random size, so late events span batches
        size = rng.randint(1, 40)
        system.handle(RecordEvents(reports[position : position + size]))
        position += size
    incremental = snapshot(system)
    assert any(row[1] for row in incremental["shipments"])  # statuses were derived
    result = system.handle(Rebuild())
    with system.engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(events))
    assert result.events == stored
    assert 0 < stored < len(reports)  # the re-sent ones were stored once
    assert snapshot(system) == incremental


def test_concurrent_writers_and_importers_lose_nothing(system: System) -> None:
    """Writers of parcel events, order events and re-imports, all at once on the same orders:
    lock order and retries keep every fold state whole and no batch fails."""
    register_parcels(system)
    rng = random.Random(3)
    chunks = [[random_report(rng) for _ in range(30)] for _ in range(6)]
    own = [
        EventReport(
            source=Source.parse("ops:maria"),
            occurred_at=at(rng.randint(0, 99)),
            milestone=rng.choice([Milestone.ORDER_CONFIRMED, Milestone.PICKED]),
            order=f"ORD-{rng.randrange(3)}",
            data={"why": "phoned the customer"},
        )
        for _ in range(30)
    ]
    failures: list[BaseException] = []

    def write(chunk: list[EventReport]) -> None:
        try:
            for start in range(0, len(chunk), 5):
                mixed = chunk[start : start + 5] + own[start : start + 3]
                system.handle(RecordEvents(mixed))
        except BaseException as error:  # surfaced below; a thread cannot fail the test itself
            failures.append(error)

    def reimport() -> None:
        try:
            for _ in range(10):
                register_parcels(system)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=write, args=(chunk,)) for chunk in chunks]
    threads.append(threading.Thread(target=reimport))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    concurrent = snapshot(system)
    system.handle(Rebuild())
    assert snapshot(system) == concurrent
