"""Group commit: writes that arrive together share one durable transaction.

With `synchronous=FULL` every SQLite commit waits for the disk, and one writer holds the file
at a time: thirty webhooks arriving at once used to queue for thirty flushes. Here each write
(a webhook delivery, a batch of API events) is handed to one writer thread and waits. The
writer takes everything waiting, runs them in one transaction, commits once, and only then
answers each caller: nobody hears "stored" before their own events are committed. A write that
fails is undone alone: the group is run again with each write in its own savepoint (writes are
idempotent), so the common case, where none fails, pays for no savepoints. In that common
case the events of all the writes are derived together, once (app/intake/together.py); in
the rerun each write derives its own, inside its savepoint.

The writer thread starts with the first write and ends after a few idle seconds, so an app
that is built and never written to (a test, a read-only process) keeps no thread."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ordertrail.app.intake.handlers import ATTEMPTS as ATTEMPTS_ON_CONFLICT
from ordertrail.app.intake.inbound import Handle, in_own_transaction, joined_handle
from ordertrail.app.intake.together import Together
from ordertrail.app.ports import (
    Clock,
    DatabaseBusy,
    DatabaseUnavailable,
    UnitOfWork,
    UnitOfWorkFactory,
    WriteConflict,
)

T = TypeVar("T")
#: One write: it reads and writes through the unit of work and hands commands to `handle`.
Write = Callable[[UnitOfWork, Handle], T]

#: Failures of the transaction itself, not of one write in it: the whole group hears them.
_SHARED_FAILURES = (WriteConflict, DatabaseBusy, DatabaseUnavailable)
#: How long the writer waits for more work before its thread ends.
_IDLE_SECONDS = 5.0
#: A group takes writes until they hold this many events: everyone in a group waits for all
#: of it, so thirty 50-event deliveries must not make one two-second transaction.
GROUP_EVENTS = 200
#: Writes this large go alone (`GroupCommit.alone`): their own work, not the commit, is what
#: they wait for, and `ordertrail bench http` measured 50-event deliveries slower grouped.
ALONE_FROM = 10


@dataclass(slots=True)
class _Waiting:
    write: Write[Any]
    events: int = 1
    answer: Future[Any] = field(default_factory=Future)


class GroupCommit:
    def __init__(
        self, uows: UnitOfWorkFactory, clock: Clock, *, most: int = 64, events: int = GROUP_EVENTS
    ) -> None:
        self._uows = uows
        self._clock = clock
        self._most = most
        self._events = events
        self._queue: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._writer: threading.Thread | None = None
        #: transactions committed and writes in them, for tests and the benchmark's notes
        self.transactions = 0
        self.writes = 0

    def submit(self, write: Write[T], events: int = 1) -> T:
        """Run `write` (of about `events` events) in the next shared transaction; its result
        once that is committed, or the exception it (or the transaction) raised."""
        result: T = self.queued(write, events).result()
        return result

    def queued(self, write: Write[T], events: int = 1) -> Future[T]:
        """`submit` without waiting: the answer is set once the transaction is committed (an
        event loop awaits it, holding no thread while the writer works)."""
        waiting = _Waiting(write, max(1, events))
        self._queue.put(waiting)
        self._ensure_writer()
        return waiting.answer

    def alone(self, write: Write[T]) -> T:
        """Run a large `write` in a transaction of its own, in the caller's thread (SQLite's
        writers take turns with the group's)."""
        return in_own_transaction(self._uows, self._clock, write)

    def write(self, write: Write[T], events: int = 1) -> T:
        """`write` grouped with others when it is small, else alone."""
        return self.alone(write) if events >= ALONE_FROM else self.submit(write, events)

    def _ensure_writer(self) -> None:
        with self._lock:
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(
                    target=self._write_while_busy, name="ordertrail-group-commit", daemon=True
                )
                self._writer.start()

    def _write_while_busy(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=_IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():  # a write queued just now still finds a writer
                        self._writer = None
                        return
                continue
            group, held = [first], first.events
            while len(group) < self._most and held < self._events:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                group.append(more)
                held += more.events
            # a caller that stopped waiting (its client went away) before its write began is
            # left out: nothing was stored, so the sender, unanswered, sends it again
            if group := [w for w in group if w.answer.set_running_or_notify_cancel()]:
                self._commit(group)

    def _commit(self, group: list[_Waiting]) -> None:
        guarded = False  # first without savepoints: two statements fewer for every write
        attempt = 1
        while True:
            try:
                outcomes = self._run(group, guarded)
            except DatabaseBusy as busy:  # it waited its time already: the callers say so
                _fail(group, busy)
                return
            except WriteConflict as lost:
                if attempt < ATTEMPTS_ON_CONFLICT:
                    attempt += 1
                    continue  # every write is idempotent: the whole group runs again
                _fail(group, lost)
                return
            except _Refused as refused:
                if len(group) == 1:  # undone with the transaction: alone already
                    _fail(group, refused.__cause__ or refused)
                    return
                # undone with everyone's: all again, each in its savepoint this time (rare:
                # bad input is refused before it reaches a write)
                guarded = True
                continue
            except BaseException as failed:  # the transaction itself: nobody's write stands
                _fail(group, failed)
                return
            for waiting, (ok, value) in zip(group, outcomes, strict=True):
                if ok:
                    waiting.answer.set_result(value)
                else:
                    waiting.answer.set_exception(value)
            return

    def _run(self, group: list[_Waiting], guarded: bool) -> list[tuple[bool, Any]]:
        outcomes: list[tuple[bool, Any]] = []
        with self._uows() as uow:
            uow.take_write_turn()  # no group of another process locks parcels meanwhile
            if guarded:
                handle = joined_handle(uow, self._uows, self._clock)
                for waiting in group:
                    try:
                        with uow.savepoint():
                            outcomes.append((True, waiting.write(uow, handle)))
                    except _SHARED_FAILURES:
                        raise
                    except Exception as refused:  # undone alone, in its savepoint
                        outcomes.append((False, refused))
            else:
                # the writes' events are derived together, once, before the commit
                together = Together(uow)
                handle = joined_handle(uow, self._uows, self._clock, together)
                try:
                    outcomes = [(True, waiting.write(uow, handle)) for waiting in group]
                    together.derive()
                except _SHARED_FAILURES:
                    raise
                except Exception as refused:  # the transaction is undone on the way out
                    raise _Refused from refused
            uow.commit()
        self.transactions += 1
        self.writes += len(group)
        return outcomes


class _Refused(Exception):
    """A write of an unguarded group failed: the group runs again with savepoints."""


def _fail(group: list[_Waiting], failure: BaseException) -> None:
    for waiting in group:
        waiting.answer.set_exception(failure)
