"""One read transaction shared by the use cases a page calls.

A page made of several reads (the tracking page: its parcel, the van's progress, the glance,
the choices) paid for a connection, a transaction and the repositories once per read. Inside
`one_read(uows)` every read-only unit of work the use cases open is the one already open, so
they stay as they are (each takes a factory and opens what it needs) and see one snapshot;
a unit of work that writes is a real one of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, cast

from ordertrail.app.ports import UnitOfWork, UnitOfWorkFactory


@contextmanager
def one_read(uows: UnitOfWorkFactory) -> Iterator[UnitOfWorkFactory]:
    """A factory whose read-only units of work are all one, open until the block ends."""
    with uows(read_only=True) as uow:
        yield _SharedReads(uows, uow)


class _SharedReads:
    def __init__(self, uows: UnitOfWorkFactory, uow: UnitOfWork) -> None:
        self._uows = uows
        self._open = Borrowed(uow)

    def __call__(self, *, read_only: bool = False, wait: bool = True) -> UnitOfWork:
        if read_only:
            return cast(UnitOfWork, self._open)
        return self._uows(read_only=False, wait=wait)

    def link_secret(self) -> bytes:
        return self._uows.link_secret()


class Borrowed:
    """An open unit of work lent to a use case, entered and left as if it were new: leaving
    ends nothing, and its commit (and rollback) are the owner's to make. A failure inside
    still reaches the owner, who undoes the whole of it."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)

    def __enter__(self) -> Borrowed:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def commit(self) -> None:
        return None
