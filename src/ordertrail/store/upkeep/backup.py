"""Backups a shop can take while it serves, and restore.

Three kinds, told apart by their first bytes:
- SQLite: the database file itself, copied by SQLite's online backup API in one consistent step
  (WAL readers never stop writers), then checked. It opens with any SQLite tool.
- pg_dump: PostgreSQL's own custom-format dump, when `pg_dump` is on the PATH; `pg_restore`
  brings it back.
- logical: every table's rows as gzipped JSON Lines, read in one snapshot. It restores into
  either database, so it is also how a shop moves from SQLite to PostgreSQL.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Engine, Table, TypeDecorator, func, inspect, select, text
from sqlalchemy.engine import make_url

from ordertrail.store.engine import make_engine
from ordertrail.store.migrate import current_revision, schema_heads, upgrade
from ordertrail.store.tables import APPEND_ONLY_SQL, metadata
from ordertrail.store.upkeep.log_export import read_snapshot

#: told with each step done and the steps in all
Progress = Callable[[int, int], None]

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
GZIP_MAGIC = b"\x1f\x8b"
LOGICAL = "ordertrail-logical-backup"


class BackupError(Exception):
    """A backup or restore that cannot be done, said in words for the person running it."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    kind: str  # sqlite | pg_dump | logical
    revision: str | None
    bytes: int
    rows: dict[str, int] = field(default_factory=dict)


def _silent(_done: int, _total: int) -> None:
    return None


def kind_of(path: Path) -> str:
    """Which kind of backup `path` holds, from its first bytes."""
    with path.open("rb") as file:
        start = file.read(16)
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PG_DUMP_MAGIC):
        return "pg_dump"
    if start.startswith(GZIP_MAGIC):
        return "logical"
    raise BackupError(f"{path} is not an OrderTrail backup (neither SQLite, pg_dump nor logical)")


def take_backup(
    engine: Engine, target: Path, *, logical: bool = False, progress: Progress = _silent
) -> BackupReport:
    """Copy the database to `target` (written beside it first, so a failed backup never leaves
    a half file under the name) and say what it holds."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if logical:
            kind, rows = "logical", _dump_logical(engine, partial, progress)
        elif engine.dialect.name == "sqlite":
            kind, rows = "sqlite", _copy_sqlite(engine, partial, progress)
        elif shutil.which("pg_dump"):
            kind, rows = "pg_dump", _pg_dump(engine, partial, progress)
        else:
            kind, rows = "logical", _dump_logical(engine, partial, progress)
        _flush(partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(target, kind, current_revision(engine), target.stat().st_size, rows)


def restore_backup(engine: Engine, source: Path, *, progress: Progress = _silent) -> BackupReport:
    """Replace everything in `engine`'s database with the backup in `source`, then bring the
    schema up to this version's."""
    kind = kind_of(source)
    backend = engine.dialect.name
    if kind == "sqlite" and backend == "sqlite":
        _restore_sqlite(engine, source, progress)
    elif kind == "sqlite":
        copy = make_engine(f"sqlite:///{source}")
        try:
            _require_current(copy, f"{source}")
            _load(engine, _rows_of(copy), progress, _counts(copy))
        finally:
            copy.dispose()
    elif kind == "pg_dump":
        if backend != "postgresql":
            raise BackupError(
                "a pg_dump backup restores only into PostgreSQL; to move to SQLite, take a "
                "logical backup (ordertrail backup FILE --logical)"
            )
        _pg_restore(engine, source, progress)
    else:
        header, rows = _read_logical(source)
        if header.get("revision") not in schema_heads():
            raise BackupError(
                f"this logical backup is at schema {header.get('revision')}, this OrderTrail at "
                f"{' and '.join(schema_heads())}: restore it with the version that took it, "
                "then upgrade"
            )
        _load(engine, rows, progress, dict(header.get("rows", {})))
    engine.dispose()  # pooled connections may still see the database as it was
    upgrade(engine)
    with read_snapshot(engine) as connection:
        counts = {t.name: _count(connection, t) for t in metadata.sorted_tables}
    return BackupReport(source, kind, current_revision(engine), source.stat().st_size, counts)


def holds_data(engine: Engine) -> bool:
    """Whether the database has any orders or events (a restore would replace them)."""
    with read_snapshot(engine) as connection:
        present = inspect(connection).get_table_names()
        return any(
            name in present
            and connection.execute(
                select(func.count()).select_from(metadata.tables[name])
            ).scalar_one()
            for name in ("orders", "events")
        )


# --- SQLite -------------------------------------------------------------------------------


def _copy_sqlite(engine: Engine, partial: Path, progress: Progress) -> dict[str, int]:
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        with sqlite3.connect(partial) as copy:
            # One step (-1): the copy is one moment of the database, however busy it is.
            source.backup(
                copy, pages=-1, progress=lambda _s, left, total: progress(total - left, total)
            )
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(f"the copy failed its integrity check: {verdict}")
            return {
                table.name: copy.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
                for table in metadata.sorted_tables
                if copy.execute(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table.name,)
                ).fetchone()
            }
    finally:
        raw.close()


def _restore_sqlite(engine: Engine, source: Path, progress: Progress) -> None:
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup:
        verdict = backup.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"{source} fails SQLite's integrity check: {verdict}")
        engine.dispose()
        raw = engine.raw_connection()
        try:
            target = raw.driver_connection
            assert isinstance(target, sqlite3.Connection)
            backup.backup(
                target, pages=-1, progress=lambda _s, left, total: progress(total - left, total)
            )
        finally:
            raw.close()


def _flush(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())


# --- PostgreSQL's own tools ----------------------------------------------------------------


def _pg_environment(engine: Engine) -> tuple[dict[str, str], list[str]]:
    """libpq's environment for `engine`'s database, and `--schema` when the URL names one."""
    url = make_url(engine.url.render_as_string(hide_password=False))
    environment = dict(os.environ)
    for variable, value in (
        ("PGHOST", url.host),
        ("PGPORT", str(url.port) if url.port else None),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value:
            environment[variable] = str(value)
    schema: list[str] = []
    options = url.query.get("options")
    if isinstance(options, str) and "search_path=" in options:
        name = options.split("search_path=", 1)[1].split()[0].split(",")[0]
        environment["PGOPTIONS"] = options
        schema = ["--schema", name]
    return environment, schema


def _pg_dump(engine: Engine, partial: Path, progress: Progress) -> dict[str, int]:
    environment, schema = _pg_environment(engine)
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-acl", "--file", str(partial)]
    _run_tool([*command, *schema], environment, progress)
    with read_snapshot(engine) as connection:
        return {t.name: _count(connection, t) for t in metadata.sorted_tables}


def _pg_restore(engine: Engine, source: Path, progress: Progress) -> None:
    if not shutil.which("pg_restore"):
        raise BackupError("restoring a pg_dump backup needs pg_restore on the PATH")
    environment, _schema = _pg_environment(engine)
    engine.dispose()
    whole = ["--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction"]
    database = environment.get("PGDATABASE", "")
    _run_tool(
        ["pg_restore", *whole, "--exit-on-error", "--dbname", database, str(source)],
        environment,
        progress,
    )


def _run_tool(command: list[str], environment: dict[str, str], progress: Progress) -> None:
    """One of PostgreSQL's own tools, its last words said when it fails."""
    progress(0, 1)
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BackupError(f"{command[0]} failed: {said}")
    progress(1, 1)


# --- logical: rows as JSON Lines, either database ------------------------------------------


def _require_current(engine: Engine, name: str) -> None:
    found = current_revision(engine)
    if found not in schema_heads():
        raise BackupError(
            f"{name} is at schema {found}, this OrderTrail at {' and '.join(schema_heads())}: run "
            f"`ordertrail --db sqlite:///{name} init` on a copy of it first"
        )


def _count(connection: Any, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _counts(engine: Engine) -> dict[str, int]:
    with read_snapshot(engine) as connection:
        return {t.name: _count(connection, t) for t in metadata.sorted_tables}


def _rows_of(engine: Engine) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every row of every table, parents first, from one snapshot."""
    with read_snapshot(engine) as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                yield table.name, dict(row)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decode(table: Table, name: str, value: Any) -> Any:
    if value is None or not isinstance(value, str) or name not in table.c:
        return value
    column_type = table.c[name].type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    return value


def _dump_logical(engine: Engine, partial: Path, progress: Progress) -> dict[str, int]:
    counts = _counts(engine)
    total, done = sum(counts.values()), 0
    header = {LOGICAL: 1, "revision": current_revision(engine), "rows": counts}
    with gzip.open(partial, "wt", encoding="utf-8") as file:
        file.write(json.dumps(header) + "\n")
        for name, row in _rows_of(engine):
            values = {column: _encode(value) for column, value in row.items()}
            file.write(json.dumps({"table": name, "row": values}, ensure_ascii=False) + "\n")
            done += 1
            if done % 1000 == 0:
                progress(done, total)
    progress(total, total)
    return counts


def _read_logical(source: Path) -> tuple[dict[str, Any], Iterator[tuple[str, dict[str, Any]]]]:
    try:
        with gzip.open(source, "rt", encoding="utf-8") as file:
            header = json.loads(file.readline())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} is not a logical backup: {error}") from None
    if not isinstance(header, dict) or header.get(LOGICAL) != 1:
        raise BackupError(f"{source} is gzip but not an OrderTrail logical backup")

    def rows() -> Iterator[tuple[str, dict[str, Any]]]:
        with gzip.open(source, "rt", encoding="utf-8") as file:
            file.readline()
            for number, line in enumerate(file, start=2):
                try:
                    item = json.loads(line)
                    yield item["table"], item["row"]
                except (OSError, ValueError, KeyError, TypeError):
                    raise BackupError(f"{source}: line {number} is damaged") from None

    return header, rows()


def _load(
    engine: Engine,
    rows: Iterator[tuple[str, dict[str, Any]]],
    progress: Progress,
    counts: dict[str, int],
) -> None:
    """Empty every table and fill it from `rows`, in one transaction: a restore that fails
    half-way leaves the database as it was."""
    upgrade(engine)
    total, done = sum(counts.values()), 0
    with engine.begin() as connection:
        _empty(connection)
        batch: list[dict[str, Any]] = []
        batch_table: Table | None = None
        for name, row in rows:
            table = metadata.tables.get(name)
            if table is None:
                continue
            if batch and table is not batch_table:
                connection.execute(batch_table.insert(), batch)  # type: ignore[union-attr]
                batch = []
            batch_table = table
            batch.append({k: _decode(table, k, v) for k, v in row.items() if k in table.c})
            done += 1
            if len(batch) >= 1000:
                connection.execute(table.insert(), batch)
                batch = []
                progress(done, total)
        if batch and batch_table is not None:
            connection.execute(batch_table.insert(), batch)
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection)
    progress(total, total)


def _empty(connection: Any) -> None:
    tables = list(reversed(metadata.sorted_tables))
    if connection.dialect.name == "postgresql":
        # TRUNCATE, unlike DELETE, passes the append-only trigger: a restore replaces the log.
        names = ", ".join(f'"{table.name}"' for table in tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    connection.exec_driver_sql("DROP TRIGGER IF EXISTS events_no_delete")
    for table in tables:
        connection.execute(table.delete())
    connection.exec_driver_sql(APPEND_ONLY_SQL["sqlite"][1])


def _advance_sequences(connection: Any) -> None:
    for table in metadata.sorted_tables:
        column = table.autoincrement_column
        if column is not None:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                    f'COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, '
                    "false)"
                )
            )
