"""Group commit: writes that arrive together share one transaction, nobody is answered before
their own write is committed, and one write that fails is undone alone."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select

from ordertrail.app.intake.commands import RecordEvents, RegisterOrders
from ordertrail.app.intake.group_commit import GroupCommit, Write
from ordertrail.app.intake.inbound import Handle, delivery_write
from ordertrail.app.ports import UnitOfWork
from ordertrail.bootstrap import System, build
from ordertrail.config import Settings
from ordertrail.domain.model import Subject, SubjectKind
from ordertrail.sources.canonical import parse_event, parse_order
from ordertrail.sources.hooks import Parsed
from ordertrail.store import tables
from ordertrail.web.hooks.deliveries import apply
from tests.conftest import FixedClock
from tests.factories import canonical_order


class Refused(Exception):
    pass


def stored_events(system: System) -> int:
    """Counted on a connection of its own: only what is committed."""
    with system.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(tables.events)).scalar_one())


def order_with_event(n: int, clock: FixedClock, *, refuse: bool = False) -> Any:
    parcel = f"1ZGROUP{n:04d}"

    def write(_uow: UnitOfWork, handle: Handle) -> int:
        handle(
            RegisterOrders([parse_order(canonical_order(f"G-{n}", (parcel, "ups", {"HAT": 1})))])
        )
        said = {"source": "carrier:ups", "shipment": parcel, "milestone": "carrier_accepted"}
        result = handle(
            RecordEvents([parse_event(said | {"occurred_at": clock.now().isoformat()})])
        )
        if refuse:
            raise Refused(f"write {n} fails after storing its events")
        return int(result.accepted)

    return write


def test_writes_waiting_together_share_one_commit_and_each_hears_only_after_it(
    system: System, clock: FixedClock
) -> None:
    commits = GroupCommit(system.uows, clock)
    release, inside = threading.Event(), threading.Event()

    def slow_first(uow: UnitOfWork, handle: Handle) -> int:
        inside.set()
        release.wait(10)  # the others queue up meanwhile
        return int(order_with_event(0, clock)(uow, handle))

    answered: list[tuple[int, int]] = []  # (write, events committed when it was answered)

    def submit(n: int) -> None:
        write = slow_first if n == 0 else order_with_event(n, clock)
        assert commits.submit(write) == 1
        answered.append((n, stored_events(system)))

    with ThreadPoolExecutor(max_workers=9) as pool:
        first = pool.submit(submit, 0)
        assert inside.wait(10)
        rest = [pool.submit(submit, n) for n in range(1, 9)]
        while commits._queue.qsize() < 8:  # all eight are waiting for the writer
            threading.Event().wait(0.01)
        release.set()
        for done in [first, *rest]:
            done.result(timeout=30)

    assert commits.writes == 9
    assert commits.transactions == 2  # the first alone, then the eight that waited, together
    for n, committed in answered:
        # when write n heard back, its own event (and every one of its group) was committed
        assert committed >= (1 if n == 0 else 9), (n, committed)
    assert stored_events(system) == 9


def test_a_write_that_fails_is_undone_alone(system: System, clock: FixedClock) -> None:
    commits = GroupCommit(system.uows, clock)
    release, inside = threading.Event(), threading.Event()

    def slow_first(uow: UnitOfWork, handle: Handle) -> int:
        inside.set()
        release.wait(10)
        return 0

    with ThreadPoolExecutor(max_workers=4) as pool:
        held = pool.submit(commits.submit, slow_first)
        assert inside.wait(10)
        good = pool.submit(commits.submit, order_with_event(1, clock))
        bad = pool.submit(commits.submit, order_with_event(2, clock, refuse=True))
        also_good = pool.submit(commits.submit, order_with_event(3, clock))
        while commits._queue.qsize() < 3:
            threading.Event().wait(0.01)
        release.set()
        assert held.result(timeout=30) == 0
        assert good.result(timeout=30) == 1 and also_good.result(timeout=30) == 1
        with pytest.raises(Refused):
            bad.result(timeout=30)

    assert commits.transactions == 2
    assert stored_events(system) == 2  # the failed write's order and event are gone
    with system.uows(read_only=True) as uow:
        assert uow.subjects.find_orders(["G-1", "G-2", "G-3"]) == {"G-1", "G-3"}


def test_a_large_write_goes_alone_and_a_small_one_joins_the_group(
    system: System, clock: FixedClock
) -> None:
    commits = GroupCommit(system.uows, clock)
    assert commits.write(order_with_event(1, clock), events=50) == 1
    assert commits.transactions == 0  # its own transaction, in the caller's thread
    assert stored_events(system) == 1
    assert commits.write(order_with_event(2, clock), events=1) == 1
    assert commits.transactions == 1 and stored_events(system) == 2


def test_a_delivery_run_again_beside_a_failed_write_counts_its_events_once(
    system: System, clock: FixedClock
) -> None:
    """The group runs without savepoints first; when one write fails, every write runs again,
    each in its own savepoint. A delivery's events-in figures must be those of the run that
    was committed, not of both."""
    commits = GroupCommit(system.uows, clock)
    release, inside = threading.Event(), threading.Event()

    def slow_first(uow: UnitOfWork, handle: Handle) -> int:
        inside.set()
        release.wait(10)
        return 0

    order = parse_order(canonical_order("G-HOOK", ("1ZGROUPHOOK", "ups", {"HAT": 1})))
    said = {"source": "carrier:ups", "shipment": "1ZGROUPHOOK", "milestone": "carrier_accepted"}
    parsed = Parsed(
        [parse_event(said | {"occurred_at": clock.now().isoformat()})], [0], [], [order]
    )
    outcomes: list[Any] = []
    delivery = delivery_write("ups", "msg_group_1", clock, partial(apply, None, parsed, outcomes))
    with ThreadPoolExecutor(max_workers=3) as pool:
        held = pool.submit(commits.submit, slow_first)
        assert inside.wait(10)
        hook = pool.submit(commits.submit, delivery)
        bad = pool.submit(commits.submit, order_with_event(7, clock, refuse=True))
        while commits._queue.qsize() < 2:
            threading.Event().wait(0.01)
        release.set()
        assert held.result(timeout=30) == 0
        assert hook.result(timeout=30)["accepted"] == 1
        with pytest.raises(Refused):
            bad.result(timeout=30)

    assert outcomes == [{("carrier", "accepted"): 1}]
    assert stored_events(system) == 1
    with system.uows(read_only=True) as uow:  # its id was kept with it, once
        assert uow.deliveries.seen("ups", "msg_group_1")


def test_a_write_whose_caller_stopped_waiting_is_left_out_and_the_others_are_answered(
    system: System, clock: FixedClock
) -> None:
    commits = GroupCommit(system.uows, clock)
    release, inside = threading.Event(), threading.Event()

    def slow_first(uow: UnitOfWork, handle: Handle) -> int:
        inside.set()
        release.wait(10)
        return 0

    held = commits.queued(slow_first)
    assert inside.wait(10)
    gone = commits.queued(order_with_event(1, clock))
    kept = commits.queued(order_with_event(2, clock))
    assert gone.cancel()  # an event loop cancels what it awaited when its request is dropped
    release.set()
    assert held.result(timeout=30) == 0 and kept.result(timeout=30) == 1
    assert stored_events(system) == 1
    with system.uows(read_only=True) as uow:
        assert uow.subjects.find_orders(["G-1", "G-2"]) == {"G-2"}


def test_two_processes_writing_the_same_parcels_take_turns_and_never_deadlock(
    system: System, clock: FixedClock, database_url: str
) -> None:
    """Two `serve` processes' writers, each locking two parcels in the other's order: on
    PostgreSQL they would hold what the other waits for (a deadlock, found after a second,
    and a write run again); taking turns, each write runs once."""
    commits = GroupCommit(system.uows, clock)
    for n in (1, 2):
        assert commits.submit(order_with_event(n, clock)) == 1
    with system.engine.connect() as conn:
        ids = conn.execute(select(tables.shipments.c.id).order_by(tables.shipments.c.id))
        first, second = (Subject(SubjectKind.SHIPMENT, i) for i in ids.scalars())
    other = build(Settings(database_url=database_url), clock=clock)  # another process's
    try:
        elsewhere = GroupCommit(other.uows, clock)
        other_holds, here_holds = threading.Event(), threading.Event()
        runs: list[str] = []

        def locking(name: str, order: list[Subject]) -> Write[str]:
            def write(uow: UnitOfWork, _handle: Handle) -> str:
                runs.append(name)
                uow.projections.lock([order[0]])
                if name == "here":  # the other has its first parcel by now, unless in turn
                    here_holds.set()
                    other_holds.wait(0.5)
                else:
                    other_holds.set()
                    time.sleep(0.2)
                uow.projections.lock([order[1]])
                return name

            return write

        with ThreadPoolExecutor(max_workers=2) as pool:
            here = pool.submit(commits.submit, locking("here", [first, second]))
            assert here_holds.wait(10)  # `here` holds its first parcel
            there = pool.submit(elsewhere.submit, locking("there", [second, first]))
            assert (here.result(30), there.result(30)) == ("here", "there")
        assert sorted(runs) == ["here", "there"]  # neither ran twice
    finally:
        other.close()
