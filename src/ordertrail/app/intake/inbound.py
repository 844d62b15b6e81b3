"""One signed webhook delivery taken in as one transaction: the check that its id is new, the
orders and parcels it registers, the events it records and the id remembered, committed
together or not at all.

Before, each of those was its own transaction (two or three commits a delivery, each a disk
flush on SQLite), and a crash between them could leave events stored under a delivery id not
yet remembered, or the reverse. Inside one writer's transaction the duplicate check also
cannot race: a second copy of the delivery waits for the first and then sees its id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from ordertrail.app.intake.commands import RecordEvents
from ordertrail.app.intake.handlers import ATTEMPTS, COMMAND_HANDLERS, record_events
from ordertrail.app.intake.together import Together
from ordertrail.app.one_read import Borrowed
from ordertrail.app.ports import (
    Clock,
    DatabaseBusy,
    UnitOfWork,
    UnitOfWorkFactory,
    WriteConflict,
)

T = TypeVar("T")
#: Runs one command inside the delivery's transaction.
Handle = Callable[[Any], Any]


def take_in(
    uows: UnitOfWorkFactory,
    clock: Clock,
    source: str,
    delivery_id: str | None,
    work: Callable[[Handle], T],
) -> T | None:
    """Run `work` (which hands its commands to the handle it is given) and remember the
    delivery, in one transaction of its own; None, having done nothing, when the delivery
    was taken in before. A lost race with another writer runs it all again. (The web app
    runs the same write through app/intake/group_commit.py, sharing a transaction with others.)"""
    return in_own_transaction(uows, clock, delivery_write(source, delivery_id, clock, work))


def in_own_transaction(
    uows: UnitOfWorkFactory, clock: Clock, write: Callable[[UnitOfWork, Handle], T]
) -> T:
    """`write` in a transaction of its own; a lost race with another writer runs it again
    (a busy database has waited its time already: it is said at once)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with uows() as uow:
                uow.take_write_turn()  # nor a group of this process or another
                done = write(uow, joined_handle(uow, uows, clock))
                uow.commit()
                return done
        except DatabaseBusy:
            raise
        except WriteConflict:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def delivery_write(
    source: str, delivery_id: str | None, clock: Clock, work: Callable[[Handle], T]
) -> Callable[[UnitOfWork, Handle], T | None]:
    """The delivery as one write: None when its id was seen, else `work`'s answer with the
    id remembered beside what it stored."""

    def write(uow: UnitOfWork, handle: Handle) -> T | None:
        # claimed first, in the same transaction: if the work fails, the claim is undone with
        # it, and a second copy arriving meanwhile waits for this one instead of racing it
        if delivery_id is not None and not uow.deliveries.claim(source, delivery_id, clock.now()):
            return None
        return work(handle)

    return write


def joined_handle(
    uow: UnitOfWork, uows: UnitOfWorkFactory, clock: Clock, together: Together | None = None
) -> Handle:
    """Runs commands inside `uow`'s transaction: their commits wait for its. With `together`,
    the events recorded are derived with the group's (app/intake/together.py)."""
    joined = _Joined(uow, uows)

    def handle(command: Any) -> Any:
        if getattr(command, "all_or_nothing", False):
            # its refusal leaves a transaction to roll back: not this shared one
            raise ValueError("an all-or-nothing command needs its own transaction")
        if together is not None:
            if type(command) is RecordEvents:
                return record_events(command, joined, clock, together)
            together.derive()  # the others read states: those the writes before changed
        return COMMAND_HANDLERS[type(command)](command, joined, clock)

    return handle


class _Joined:
    """A unit-of-work factory that hands out the one transaction already open: the use cases
    run inside it, and their commits wait for the delivery's."""

    def __init__(self, uow: UnitOfWork, outer: UnitOfWorkFactory) -> None:
        self._uow = uow
        self._outer = outer

    def __call__(self, *, read_only: bool = False, wait: bool = True) -> UnitOfWork:
        return cast(UnitOfWork, Borrowed(self._uow))

    def link_secret(self) -> bytes:
        return self._outer.link_secret()
