"""Can this process serve from its database now? Reachable, and its schema at the revision
this version of OrderTrail was written for (a schema left behind — restored from an older
backup, or an upgrade whose `ordertrail init` has not run — fails every query that needs a
newer column, so the process is not ready for traffic)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import TimeoutError as SqlTimeout

from ordertrail.app.ports import DatabaseUnavailable
from ordertrail.store.migrate import revision_of, schema_heads


@dataclass(frozen=True, slots=True)
class Readiness:
    """`failed` names the check that failed (`database`, `schema`), `why` says how, `cause`
    is the driver's own words (for the log: they may name hosts and ports)."""

    failed: str | None = None
    why: str = ""
    cause: str = ""


def readiness(engine: Engine) -> Readiness:
    try:
        # a read: it must answer while a writer holds SQLite's lock
        with engine.connect().execution_options(sqlite_begin="DEFERRED") as connection:
            found = revision_of(connection)
    except (DatabaseUnavailable, SqlTimeout) as down:
        return Readiness("database", "the database is unavailable", str(down))
    wanted = ", ".join(schema_heads())
    if found is None:
        return Readiness("schema", "not migrated: no OrderTrail tables; run `ordertrail init`")
    if found not in schema_heads():
        return Readiness(
            "schema",
            f"not migrated: the schema is at revision {found}, this OrderTrail needs {wanted}; "
            "run `ordertrail init`",
        )
    return Readiness()
