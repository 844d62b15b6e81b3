"""Create or upgrade the schema with Alembic (`ordertrail init`).

Alembic (and the migrations it imports) is ~10 MB a process: it is imported only to migrate.
A serving process asks only whether the database is at the shipped revision, which is read
from the migration files as text (`schema_heads`)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision`; a current database is left as it is."""
    from alembic import command

    with _migrating(engine) as config:
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` ("base" drops everything OrderTrail made)."""
    from alembic import command

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
    """The revisions the migrations shipped with this code end at: those no other one
    revises (read once a process, from each file's `revision` and `down_revision`)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        said = _revision_lines(path)
        revisions.add(said["revision"])
        down = said.get("down_revision")
        revised |= {down} if isinstance(down, str) else set(down or ())
    return tuple(sorted(revisions - revised))


def _revision_lines(path: Path) -> dict[str, Any]:
    """A migration's module-level `revision` and `down_revision`, read without running it."""
    found: dict[str, Any] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            found[target.id] = ast.literal_eval(value)
    return found


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
