"""Engines for the two supported databases, set up the way OrderTrail needs them."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from ordertrail.domain.text import mended
from ordertrail.store import failures

#: The execution option a unit of work sets to wait less than the engine's `write_wait` for
#: the write lock (0: give up at once when another writer holds it).
WRITE_WAIT_MS = "write_wait_ms"

#: How a UTF-16 surrogate is written in stored JSON (json.dumps escapes every one).
_SURROGATE_ESCAPE = r"\\u[dD][89a-fA-F]"
_IN_TEXT, _IN_BYTES = re.compile(_SURROGATE_ESCAPE), re.compile(_SURROGATE_ESCAPE.encode())


def read_json(stored: str | bytes) -> Any:
    """A stored JSON column, as every reader can show it: text stored before lone surrogates
    were refused at the edges comes back with U+FFFD in their place (see `ordertrail repair
    text`), so no page, answer or terminal fails on it. Only text that has such an escape
    is walked."""
    if isinstance(stored, str):
        escaped = _IN_TEXT.search(stored) is not None
    else:  # psycopg hands over the bytes
        stored = bytes(stored)
        escaped = _IN_BYTES.search(stored) is not None
    value = json.loads(stored)
    return mended(value) if escaped else value


#: Connections beyond the threads': the group commit's writer and other background writers.
_SPARE_CONNECTIONS = 6


def make_engine(
    url: str,
    *,
    sqlite_synchronous: str = "FULL",
    echo: bool = False,
    write_wait: float = 5.0,
    connections: int = 24,
) -> Engine:
    """An engine for `url`. Nothing connects until the first unit of work. A writer waits at
    most `write_wait` seconds for another writer's lock (and any request for a connection
    from the pool); then it fails, and the request answers 503. So does any statement while
    the database is down, full or refusing connections (store/failures.py).

    The pool keeps `connections` open (one per request thread): a connection opened and
    closed per request costs a PostgreSQL backend each time, and on SQLite a cold page cache
    and the schema read again — most of a small read's time, measured."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url, sqlite_synchronous, echo, write_wait, connections)
    else:
        if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        engine = _postgresql_engine(url, echo, write_wait, connections)
    failures.install(engine)
    return engine


def _postgresql_engine(url: str, echo: bool, write_wait: float, connections: int) -> Engine:
    # A server that does not answer at all (a host gone from the network) is given up on
    # like one that refuses, unless the address says how long to wait (libpq's least is 2 s).
    connect_args = {}
    if "connect_timeout" not in make_url(url).query:
        connect_args["connect_timeout"] = max(2, math.ceil(write_wait))
    engine = create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=connections,
        max_overflow=_SPARE_CONNECTIONS,
        pool_timeout=write_wait,
        connect_args=connect_args,
        json_deserializer=read_json,
    )
    waits = int(write_wait * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # readers never wait for row locks on PostgreSQL; writers wait this long at most
        dbapi_connection.autocommit = True
        dbapi_connection.execute(f"SET lock_timeout = {waits}")
        dbapi_connection.autocommit = False

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        wait = connection.get_execution_options().get(WRITE_WAIT_MS)
        if wait is not None:  # 0 would mean no limit to PostgreSQL: 1 ms is "at once"
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {max(1, int(wait))}")

    return engine


def _sqlite_engine(
    url: str, synchronous: str, echo: bool, write_wait: float, connections: int
) -> Engine:
    if synchronous.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(
            f"sqlite synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous}"
        )
    # A connection per request thread (threads, not the pool, bound how many run at once):
    # no reader queues for a connection behind writers waiting for the lock.
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": write_wait},
        pool_size=connections,
        max_overflow=_SPARE_CONNECTIONS,
        pool_timeout=write_wait,
        json_deserializer=read_json,
    )
    waits = int(write_wait * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={waits}")
        cursor.close()
        _record.info[WRITE_WAIT_MS] = waits

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writer takes the write lock up front, so two writers queue instead of
        # deadlocking on a lock upgrade; readers stay deferred and never block writers.
        options = connection.get_execution_options()
        mode = options.get("sqlite_begin", "IMMEDIATE")
        wait = options.get(WRITE_WAIT_MS, waits)
        held = connection.connection.info  # lives as long as the database connection
        if held.get(WRITE_WAIT_MS) != wait:  # a statement saved on most transactions
            connection.exec_driver_sql(f"PRAGMA busy_timeout={wait}")
            held[WRITE_WAIT_MS] = wait
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
