"""Create or upgrade the schema with Alembic (`ordertrail init`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import DBAPIError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision`; a current database is left as it is."""
    with _migrating(engine) as config:
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` ("base" drops everything OrderTrail made)."""
    with _migrating(engine) as config:
        command.downgrade(config, revision)


@contextmanager
def _migrating(engine: Engine) -> Iterator[Config]:
    """One transaction for the whole migration. On SQLite, changing a column means copying
    its table, which foreign keys forbid while rows point at it: they are switched off for the
    copy (a pragma that only works outside a transaction) and checked before committing."""
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.driver_connection
        if sqlite and raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                yield config
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise RuntimeError(f"the migration broke a foreign key: {tuple(broken)}")
        finally:
            if sqlite and raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


@cache
def schema_heads() -> tuple[str, ...]:
    """The revisions the migrations shipped with this code end at (read once a process)."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None without OrderTrail tables. A read: it answers
    while a writer holds SQLite's lock."""
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as connection:
        return revision_of(connection)


def revision_of(connection: Connection) -> str | None:
    """The revision the schema is at; None where no OrderTrail tables are. One query when
    they are there (load balancers ask every few seconds, and `/healthz` is benchmarked)."""
    try:
        found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except DBAPIError:
        connection.rollback()  # PostgreSQL refuses all else in a failed transaction
        if inspect(connection).has_table("alembic_version"):
            raise
        return None
    return str(found) if found is not None else None


def not_ready(engine: Engine) -> str | None:
    """Why the app cannot serve from this database yet (no tables, an older schema), or None.

    A SQLite file that does not exist is not created by asking: connecting would create it,
    leaving an empty database behind that looks set up.
    """
    url = engine.url
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if path and path != ":memory:" and not path.startswith("file:") and not Path(path).exists():
            return f"{path} does not exist"
    current = current_revision(engine)
    if current is None:
        return "it has no OrderTrail tables yet"
    heads = schema_heads()
    if current not in heads:
        return f"its schema is at revision {current}, this OrderTrail needs {', '.join(heads)}"
    return None
