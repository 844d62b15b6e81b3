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


def _schema_revision(connection: Connection) -> str | None:
    """The revision the schema is at; None where no OrderTrail tables are. One query when
    they are there (load balancers ask every few seconds, and `/healthz` is benchmarked)."""
    try:
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except DBAPIError:
        connection.rollback()  # PostgreSQL refuses all else in a failed transaction
        if inspect(connection).has_table("alembic_version"):
            raise
        return None
