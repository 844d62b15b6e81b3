"""What every `ordertrail` command shares: the apps, the consoles, the database, the errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import ArgumentError, DBAPIError

from ordertrail.app.ports import DatabaseUnavailable, WriteConflict
from ordertrail.app.queries import (
    jsonable,
)
from ordertrail.bootstrap import System, build
from ordertrail.config import Settings
from ordertrail.sources.carriers.custom import MappingFileError
from ordertrail.sources.feed import (
    FeedSummary,
)

app = typer.Typer(help="OrderTrail: one trusted timeline for every order.", no_args_is_help=True)
import_app = typer.Typer(help="Bring orders in from files.", no_args_is_help=True)
order_app = typer.Typer(help="Orders.", no_args_is_help=True)
shipment_app = typer.Typer(help="Shipments.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks that print their figures.", no_args_is_help=True)
mappings_app = typer.Typer(help="Carrier codes and what they mean.", no_args_is_help=True)
repair_app = typer.Typer(help="Mend what older versions let in.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(order_app, name="order")
app.add_typer(shipment_app, name="shipment")
app.add_typer(bench_app, name="bench")
app.add_typer(mappings_app, name="mappings")
app.add_typer(repair_app, name="repair")

out = Console()
err = Console(stderr=True)
if not out.is_terminal:
    out.width = 120  # piped or logged: no terminal to fit, so give timelines room

JsonFlag = typer.Option(False, "--json", help="Print machine-readable JSON.")


@app.callback()
def _root(
    ctx: typer.Context,
    db: str = typer.Option(
        None,
        "--db",
        help="Database URL (default: ORDERTRAIL_DATABASE_URL or sqlite:///ordertrail.db).",
    ),
) -> None:
    ctx.obj = {"db": db}


@contextmanager
def open_system(ctx: typer.Context) -> Iterator[System]:
    db = (ctx.find_root().obj or {}).get("db")
    try:
        system = build(Settings(database_url=db) if db else Settings())
    except MappingFileError as error:
        fail(str(error))
    except (ArgumentError, ValidationError, ValueError) as error:
        fail(f"--db: {error}".splitlines()[0])
    try:
        yield system
    except WriteConflict:
        fail("other writers kept the database busy; nothing was stored, try again", code=1)
    except DatabaseUnavailable as error:
        fail(f"the database is unavailable ({error}); try again when it answers", code=1)
    except DBAPIError as error:
        fail(_database_trouble(error), code=1)
    finally:
        system.close()


def _database_trouble(error: DBAPIError) -> str:
    said = str(error.orig).splitlines()[0]
    if "no such table" in said or "does not exist" in said:
        return "the database has no OrderTrail tables yet: run `ordertrail init` first"
    return f"database error: {said}"


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def run_feed(file: Path, feed: Any, *, one_item_a_line: bool = True) -> FeedSummary:
    """Feed the file with a progress bar; its length is known when each line is one item."""
    if str(file) != "-" and not file.is_file():
        fail(f"{file}: no such file")
    total = None
    if one_item_a_line and str(file) != "-":
        with file.open("rb") as counted:
            total = sum(1 for line in counted if line.strip())
    stream = sys.stdin.buffer if str(file) == "-" else file.open("rb")
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with stream, Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(f"reading {file.name}", total=total)
        return feed(stream, lambda n: progress.advance(task, n))  # type: ignore[no-any-return]


def report_feed(summary: FeedSummary, noun: str, as_json: bool) -> None:
    if as_json:
        out.print_json(
            data={
                "read": summary.read,
                "accepted": summary.accepted,
                "duplicates": summary.duplicates,
                "rejected": [
                    {"line": p.index, "field": p.field, "message": p.message}
                    for p in summary.problems
                ],
            }
        )
    else:
        for problem in summary.problems:
            err.print(
                f"line {problem.index}: {problem.field}: {problem.message}",
                highlight=False,
                markup=False,
            )
        rejected_lines = len({p.index for p in summary.problems})
        recorded = "events recorded" if noun == "payloads" else "recorded"
        out.print(
            f"{summary.read} {noun} read: {summary.accepted} {recorded}, "
            f"{summary.duplicates} duplicates ignored, {rejected_lines} rejected"
        )
    if summary.problems:
        raise typer.Exit(2)


def show_detail(detail: Any, missing: str, as_json: bool, picture: str) -> None:
    if detail is None:
        fail(missing, code=1)
    if as_json:
        out.print_json(json.dumps(jsonable(detail)))
        return
    from ordertrail import render  # rich layout code, loaded only for people

    out.print(getattr(render, picture)(detail))
