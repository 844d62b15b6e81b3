"""What a database error means for the caller, decided once for every engine: another writer
was in the way (WriteConflict, or DatabaseBusy when it waited its whole time), or the database
cannot be used just now (DatabaseUnavailable: down, restarting, out of connections, out of
room, unreadable). Anything else stays SQLAlchemy's error: a fault of ours or of the input.

Installed as the engines' `handle_error` hook, so it covers every statement and every
connection attempt, through a unit of work or not (the health checks, the install's secret)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext

from ordertrail.app.ports import DatabaseBusy, DatabaseUnavailable, WriteConflict

#: PostgreSQL: lock_not_available (a writer's lock_timeout ran out)
_PG_BUSY = {"55P03"}
#: PostgreSQL: deadlock_detected, serialization_failure (running it again usually succeeds)
_PG_RACES = {"40P01", "40001"}
#: PostgreSQL classes: connection exception, insufficient resources (disk full, too many
#: connections), operator intervention (shutting down, starting up), system (I/O) error
_PG_UNAVAILABLE_CLASSES = {"08", "53", "57", "58"}

# SQLite's primary result codes (the low byte of an extended code)
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_SQLITE_UNAVAILABLE = {
    7,  # NOMEM
    8,  # READONLY: the file or its folder cannot be written
    10,  # IOERR
    13,  # FULL: the disk (or the file system's quota) has no room
    14,  # CANTOPEN: missing folder, no permission
    15,  # PROTOCOL: the lock protocol failed (a file system that does not share locks)
}


def install(engine: Engine) -> None:
    event.listen(engine, "handle_error", _translate)


def _translate(context: ExceptionContext) -> None:
    # A stale pooled connection found by the pre-ping is quietly replaced by SQLAlchemy;
    # only an error it lets through means anything to the caller.
    if context.is_pre_ping:
        return
    meaning = meaning_of(context.original_exception, context.dialect.loaded_dbapi)
    if meaning is None and context.is_disconnect:
        meaning = DatabaseUnavailable
    if meaning is not None:
        raise meaning(_one_line(context.original_exception))


def meaning_of(error: BaseException, dbapi: Any) -> type[Exception] | None:
    """The exception `error` (raised by the driver `dbapi`) stands for, or None."""
    sqlstate = getattr(error, "sqlstate", None)
    if sqlstate is not None:
        if sqlstate in _PG_BUSY:
            return DatabaseBusy
        if sqlstate in _PG_RACES:
            return WriteConflict
        if sqlstate[:2] in _PG_UNAVAILABLE_CLASSES:
            return DatabaseUnavailable
        return None
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        primary = code & 0xFF
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return DatabaseBusy
        if primary in _SQLITE_UNAVAILABLE:
            return DatabaseUnavailable
        return None
    # psycopg gives no state when there is no server to give one (refused, reset, timed out)
    if isinstance(error, dbapi.OperationalError):
        return DatabaseUnavailable
    return None


def _one_line(error: BaseException) -> str:
    said = str(error).strip().splitlines()
    return said[0] if said else type(error).__name__
