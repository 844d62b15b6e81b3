"""A group commit derives its writes' events together (app/intake/together.py): what parcels,
orders, cases, estimates and messages end up as must be what the same deliveries made one at
a time make, whether they are about different parcels, the same parcel again, another parcel
of the same order, a late scan, or come with an order to register."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from ordertrail.app.intake import derive as derive_module
from ordertrail.app.intake import together as together_module
from ordertrail.app.intake.commands import RecordEvents, RegisterOrders
from ordertrail.app.intake.derive import derive
from ordertrail.app.intake.group_commit import GroupCommit, Write
from ordertrail.app.intake.handlers import handle
from ordertrail.app.ports import UnitOfWork
from ordertrail.bootstrap import System
from ordertrail.sources.canonical import parse_event, parse_order
from ordertrail.store import tables
from tests.conftest import FixedClock
from tests.factories import canonical_order

#: what each delivery says, in the order they arrive: (parcel, milestone, hours ago, more)
SAID: list[tuple[str, str, float, dict[str, Any]]] = [
    ("1", "carrier_accepted", 30, {}),
    ("2", "carrier_accepted", 30, {}),
    ("2B", "carrier_accepted", 20, {}),  # another parcel of parcel 2's order
    ("1", "out_for_delivery", 3, {"location": {"city": "Louisville", "country": "US"}}),
    ("2B", "delivered", 2, {}),
    ("3", "exception", 2, {"reason": "damaged"}),
    ("1", "delivered", 1, {"location": {"city": "Louisville", "country": "US"}}),
    ("2", "in_transit", 40, {}),  # late: before what parcel 2 has folded
    ("4", "carrier_accepted", 5, {}),  # its order is registered by the same delivery
    ("3", "in_transit", 1, {}),
]


def parcels(prefix: str) -> dict[str, str]:
    return {n: f"1Z{prefix}TOGETHER{n}" for n in ("1", "2", "2B", "3", "4")}


def register(system: System, prefix: str) -> None:
    number = parcels(prefix)
    orders = [
        canonical_order(f"{prefix}-1", (number["1"], "ups", {"HAT": 1})),
        canonical_order(
            f"{prefix}-2", (number["2"], "ups", {"HAT": 1}), (number["2B"], "ups", {"CAP": 1})
        ),
        canonical_order(f"{prefix}-3", (number["3"], "ups", {"HAT": 1})),
    ]
    handle(RegisterOrders([parse_order(o) for o in orders]), system.uows, system.clock)


def deliveries(prefix: str, clock: FixedClock) -> list[Write[Any]]:
    number = parcels(prefix)
    writes: list[Write[Any]] = []
    for n, (parcel, milestone, hours, more) in enumerate(SAID):
        said = {
            "source": "carrier:ups",
            "key": f"{prefix}-said-{n}",
            "shipment": number[parcel],
            "milestone": milestone,
            "occurred_at": (clock.now() - timedelta(hours=hours)).isoformat(),
        } | more
        order = canonical_order(f"{prefix}-4", (number["4"], "ups", {"HAT": 1}))
        writes.append(_delivery(said, order if parcel == "4" else None))
    return writes


def _delivery(said: dict[str, Any], order: dict[str, Any] | None) -> Write[Any]:
    def write(_uow: UnitOfWork, handle: Callable[[Any], Any]) -> int:
        if order is not None:
            handle(RegisterOrders([parse_order(order)]))
        return int(handle(RecordEvents([parse_event(said)])).accepted)

    return write


#: what a person (or the read side) sees of each, minus the ids rows are numbered by
SHOWN = {
    tables.shipments: ("id",),
    tables.orders: (),
    tables.exception_cases: ("id",),
    tables.outbox: ("id",),
    tables.eta_shown: (),
    tables.eta_changes: ("id",),
}


def seen(system: System, prefix: str) -> dict[str, list[str]]:
    """Every row about `prefix`'s orders, its parcels named by tracking number."""
    found: dict[str, list[str]] = {}
    with system.engine.connect() as conn:
        ids = dict(
            conn.execute(
                select(tables.shipments.c.id, tables.shipments.c.tracking_number).where(
                    tables.shipments.c.order_id.startswith(f"{prefix}-")
                )
            ).all()
        )
        for table, hidden in SHOWN.items():
            order_id = table.c.id if table is tables.orders else table.c.order_id
            rows = conn.execute(select(table).where(order_id.startswith(f"{prefix}-")))
            shown = []
            for row in rows:
                text = repr({k: v for k, v in row._asdict().items() if k not in hidden})
                for shipment_id, number in ids.items():
                    text = text.replace(shipment_id, number)
                shown.append(text.replace(f"{prefix}", "*"))
            found[table.name] = sorted(shown)
    return found


def test_deliveries_derived_together_leave_everything_as_one_at_a_time(
    system: System, clock: FixedClock
) -> None:
    register(system, "ALONE")
    register(system, "GROUP")
    alone = GroupCommit(system.uows, clock)
    for write in deliveries("ALONE", clock):
        assert alone.alone(write) == 1  # its own transaction, deriving as it goes

    grouped = GroupCommit(system.uows, clock)
    release, inside = threading.Event(), threading.Event()

    def first(_uow: UnitOfWork, _handle: Callable[[Any], Any]) -> int:
        inside.set()
        release.wait(10)  # the deliveries queue up meanwhile
        return 0

    held = grouped.queued(first)
    assert inside.wait(10)
    answers = [grouped.queued(write) for write in deliveries("GROUP", clock)]
    release.set()
    assert held.result(timeout=30) == 0
    assert [answer.result(timeout=30) for answer in answers] == [1] * len(SAID)
    assert grouped.transactions == 2  # the first alone, then every delivery together

    together, one_at_a_time = seen(system, "GROUP"), seen(system, "ALONE")
    assert together == one_at_a_time
    assert together["exception_cases"] and together["outbox"]  # it did find and say things


def test_a_write_whose_derivation_fails_in_a_group_is_undone_alone(
    system: System, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deriving together happens after every write of the group ran: when it fails, the
    group runs again, each write deriving its own in its savepoint, and only the write whose
    events cannot be derived is refused."""
    register(system, "FAIL")
    number = parcels("FAIL")

    def derive_unless_parcel_3(uow: UnitOfWork, appended: Any, *, now: Any) -> None:
        if any(subject.id == number["3"] for subject in appended.fresh):
            raise RuntimeError("parcel 3 cannot be derived")
        derive(uow, appended, now=now)

    monkeypatch.setattr(derive_module, "derive", derive_unless_parcel_3)
    monkeypatch.setattr(together_module, "derive", derive_unless_parcel_3)
    commits = GroupCommit(system.uows, clock)
    release, inside = threading.Event(), threading.Event()

    def first(_uow: UnitOfWork, _handle: Callable[[Any], Any]) -> int:
        inside.set()
        release.wait(10)
        return 0

    held = commits.queued(first)
    assert inside.wait(10)
    said = [("1", "carrier_accepted"), ("3", "carrier_accepted"), ("2", "carrier_accepted")]
    answers = [
        commits.queued(
            _delivery(
                {
                    "source": "carrier:ups",
                    "key": f"FAIL-{parcel}",
                    "shipment": number[parcel],
                    "milestone": milestone,
                    "occurred_at": clock.now().isoformat(),
                },
                None,
            )
        )
        for parcel, milestone in said
    ]
    release.set()
    assert held.result(timeout=30) == 0
    assert answers[0].result(timeout=30) == 1 and answers[2].result(timeout=30) == 1
    with pytest.raises(RuntimeError):
        answers[1].result(timeout=30)
    with system.engine.connect() as conn:
        keys = set(
            conn.scalars(select(tables.events.c.key).where(tables.events.c.key.startswith("FAIL-")))
        )
        statuses = dict(
            conn.execute(
                select(tables.shipments.c.tracking_number, tables.shipments.c.status).where(
                    tables.shipments.c.order_id.startswith("FAIL-")
                )
            ).all()
        )
    assert keys == {"FAIL-1", "FAIL-2"}  # parcel 3's event was undone with its write
    assert statuses[number["1"]] == statuses[number["2"]] == "carrier_accepted"
    assert statuses[number["3"]] is None
