"""The KPI rollups kept beside the projection (when each parcel was first picked, packed,
labelled and missed at the door; when an order was picked as a whole) equal what the event log
says, however the events arrived, after a rebuild, and after upgrading a database that was
there before them; on every backend."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from ordertrail.app.intake.commands import Rebuild, RecordEvents
from ordertrail.bootstrap import System
from ordertrail.domain.milestones import Milestone
from ordertrail.store.migrate import downgrade, upgrade
from ordertrail.store.tables import events, orders, shipments
from tests.integration.measures.kpi_shop import hours, journeys, open_shop, scan


@pytest.fixture
def shop(system: System) -> System:
    return open_shop(system)


PARCEL_ROLLUPS = {
    "picked_at": "picked",
    "packed_at": "packed",
    "labelled_at": "label_created",
    "attempted_at": "delivery_attempted",
}


def from_the_log(system: System) -> dict[tuple[str, str, str], datetime | None]:
    """Each row's rollups worked out again from every event, in Python."""
    first: dict[tuple[str, str], datetime] = {}
    with system.engine.connect() as connection:
        for kind, subject, milestone, at in connection.execute(
            select(
                events.c.subject_kind, events.c.subject_id, events.c.milestone, events.c.occurred_at
            )
        ):
            key = (f"{kind}:{subject}", milestone)
            first[key] = min(at, first.get(key, at))
        ids = {
            "shipment": connection.scalars(select(shipments.c.id)).all(),
            "order": connection.scalars(select(orders.c.id)).all(),
        }
    wanted = {"shipment": PARCEL_ROLLUPS, "order": {"picked_at": "picked"}}
    return {
        (kind, row, column): first.get((f"{kind}:{row}", milestone))
        for kind, rows in ids.items()
        for row in rows
        for column, milestone in wanted[kind].items()
    }


def kept(system: System) -> dict[tuple[str, str, str], Any]:
    found: dict[tuple[str, str, str], Any] = {}
    with system.engine.connect() as connection:
        for kind, table, columns in (
            ("shipment", shipments, PARCEL_ROLLUPS),
            ("order", orders, {"picked_at": "picked"}),
        ):
            for row in connection.execute(select(table.c.id, *(table.c[c] for c in columns))):
                for column in columns:
                    found[(kind, row.id, column)] = row._mapping[column]
    return found


def test_rollups_equal_the_log_after_any_arrival_order_a_rebuild_and_an_upgrade(
    shop: System,
) -> None:
    # the same journeys again, shuffled (repeats of events already kept), and PD picked
    # again half an hour before its first pick arrived: only the earliest counts
    late = journeys()
    random.Random(17).shuffle(late)
    earlier = scan("reno", Milestone.PICKED, hours(0.5), shipment="PD")
    assert not shop.handle(RecordEvents([*late, earlier])).problems
    expected = from_the_log(shop)
    assert kept(shop) == expected
    # PC's pick was on its order: the order keeps it, the parcel has none of its own
    assert expected[("order", "C", "picked_at")] is not None
    assert expected[("shipment", "PC", "picked_at")] is None
    assert expected[("shipment", "PE", "packed_at")] is None
    assert expected[("shipment", "PD", "picked_at")] == hours(0.5)

    shop.handle(Rebuild())
    assert kept(shop) == expected

    downgrade(shop.engine, "0014")
    upgrade(shop.engine)
    assert kept(shop) == expected
