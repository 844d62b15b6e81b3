"""Keeping the data safe: `ordertrail backup`, `restore` and `export`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ordertrail.cli.common import JsonFlag, app, err, fail, open_system, out
from ordertrail.sources.canonical_out import event_json, order_json
from ordertrail.store.upkeep.backup import (
    BackupError,
    BackupReport,
    holds_data,
    restore_backup,
    take_backup,
)
from ordertrail.store.upkeep.log_export import (
    all_orders,
    count_events,
    count_orders,
    logged_events,
    read_snapshot,
)

export_app = typer.Typer(
    help="Write the log or the orders out as canonical JSON Lines.", no_args_is_help=True
)
app.add_typer(export_app, name="export")


@contextmanager
def _progress(description: str) -> Iterator[Callable[[int, int], None]]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(description, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


def _report(report: BackupReport, verb: str, as_json: bool) -> None:
    if as_json:
        out.print_json(
            data={
                "file": str(report.path),
                "kind": report.kind,
                "revision": report.revision,
                "bytes": report.bytes,
                "rows": report.rows,
            }
        )
        return
    rows = report.rows
    out.print(
        f"{verb} {report.path} ({report.kind}, {report.bytes:,} bytes, schema {report.revision}): "
        f"{rows.get('orders', 0)} orders, {rows.get('shipments', 0)} shipments, "
        f"{rows.get('events', 0)} events",
        highlight=False,
    )


@app.command()
def backup(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Where to write the backup."),
    logical: bool = typer.Option(
        False, "--logical", help="Rows as gzipped JSON Lines: restores into SQLite or PostgreSQL."
    ),
    as_json: bool = JsonFlag,
) -> None:
    """A consistent copy of the database, taken while the app serves and ingests."""
    if file.is_dir():
        fail(f"{file} is a folder; name the backup file")
    with open_system(ctx) as system, _progress(f"backing up to {file.name}") as told:
        try:
            report = take_backup(system.engine, file, logical=logical, progress=told)
        except (BackupError, OSError) as error:
            fail(str(error), code=1)
    _report(report, "backed up to", as_json)


@app.command()
def restore(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A backup made by `ordertrail backup`."),
    yes: bool = typer.Option(False, "--yes", help="Replace existing data without asking."),
    as_json: bool = JsonFlag,
) -> None:
    """Bring a backup back into the database `--db` names (stop serve and worker first)."""
    if not file.is_file():
        fail(f"{file}: no such file")
    with open_system(ctx) as system:
        if not yes and holds_data(system.engine):
            shown = system.engine.url.render_as_string()
            if not sys.stdin.isatty():
                fail(f"{shown} holds orders and events; say --yes to replace them")
            typer.confirm(f"Replace everything in {shown} with {file}?", abort=True)
        with _progress(f"restoring {file.name}") as told:
            try:
                report = restore_backup(system.engine, file, progress=told)
            except (BackupError, OSError) as error:
                fail(str(error), code=1)
    _report(report, "restored", as_json)


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--since: '{value}' is not a date or time (e.g. 2026-11-01)")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


@contextmanager
def output_to(path: Path | None) -> Iterator[IO[str]]:
    if path is None or str(path) == "-":
        yield sys.stdout
        return
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as file:
            yield file
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _write_lines(
    items: Iterator[Any],
    total: int,
    to_json: Callable[[Any], dict[str, Any]],
    output: Path | None,
    noun: str,
) -> None:
    written = 0
    with output_to(output) as file, _progress(f"writing {noun}") as told:
        for item in items:
            file.write(json.dumps(to_json(item), ensure_ascii=False) + "\n")
            written += 1
            if written % 500 == 0:
                told(written, total)
        told(written, total)
    where = f" to {output}" if output and str(output) != "-" else ""
    err.print(f"{written} {noun} written{where}", highlight=False)


OutputOption = typer.Option(None, "--output", "-o", help="The file to write (default: stdout).")


@export_app.command("events")
def export_events(
    ctx: typer.Context,
    since: str | None = typer.Option(
        None, "--since", help="Only events received at or after this date or time (ISO)."
    ),
    output: Path | None = OutputOption,
) -> None:
    """The event log as canonical JSON Lines, oldest first: `ingest` takes it back."""
    start = _since(since)
    with open_system(ctx) as system, read_snapshot(system.engine) as connection:
        total = count_events(connection, start)
        _write_lines(logged_events(connection, start), total, event_json, output, "events")


@export_app.command("orders")
def export_orders(ctx: typer.Context, output: Path | None = OutputOption) -> None:
    """Every order with its parcels as canonical JSON Lines: `import orders --format jsonl`
    takes it back."""
    with open_system(ctx) as system, read_snapshot(system.engine) as connection:
        _write_lines(all_orders(connection), count_orders(connection), order_json, output, "orders")
