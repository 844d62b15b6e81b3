"""`ordertrail ...`: as thin as the web routes. Exit codes: 0 ok, 1 failure, 2 bad input."""

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
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import ArgumentError, DBAPIError

from ordertrail.app.commands import Rebuild
from ordertrail.app.ports import WriteConflict
from ordertrail.app.queries import jsonable, order_detail, shipment_detail
from ordertrail.bootstrap import System, build
from ordertrail.config import Settings
from ordertrail.sources.carriers import FORMATS, adapter
from ordertrail.sources.feed import (
    FeedSummary,
    feed_events,
    feed_orders,
    feed_payloads,
    split_payloads,
)

app = typer.Typer(help="OrderTrail: one trusted timeline for every order.", no_args_is_help=True)
import_app = typer.Typer(help="Bring orders in from files.", no_args_is_help=True)
order_app = typer.Typer(help="Orders.", no_args_is_help=True)
shipment_app = typer.Typer(help="Shipments.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks that print their figures.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(order_app, name="order")
app.add_typer(shipment_app, name="shipment")
app.add_typer(bench_app, name="bench")

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
def _system(ctx: typer.Context) -> Iterator[System]:
    db = (ctx.find_root().obj or {}).get("db")
    try:
        system = build(Settings(database_url=db) if db else Settings())
    except (ArgumentError, ValidationError, ValueError) as error:
        _fail(f"--db: {error}".splitlines()[0])
    try:
        yield system
    except WriteConflict:
        _fail("other writers kept the database busy; nothing was stored, try again", code=1)
    except DBAPIError as error:
        _fail(_database_trouble(error), code=1)
    finally:
        system.close()


def _database_trouble(error: DBAPIError) -> str:
    said = str(error.orig).splitlines()[0]
    if "no such table" in said or "does not exist" in said:
        return "the database has no OrderTrail tables yet: run `ordertrail init` first"
    return f"database error: {said}"


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create or migrate the database."""
    with _system(ctx) as system:
        system.migrate()
        out.print(f"database ready at {system.engine.url.render_as_string()}")


@app.command()
def ingest(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The file ('-' for stdin)."),
    format: str = typer.Option(
        "canonical",
        "--format",
        help="canonical (JSON Lines of events), or a carrier's own format: "
        + ", ".join(sorted(FORMATS))
        + " (one payload, or JSON Lines of payloads).",
    ),
    batch: int = typer.Option(1000, min=1, max=10_000, help="Events per transaction."),
    strict: bool = typer.Option(
        False, "--strict", help="Refuse the whole file if any line is bad (one transaction)."
    ),
    as_json: bool = JsonFlag,
) -> None:
    """Record events from a file. Good lines land; each bad one is reported by line number."""
    if format in FORMATS:
        if strict:
            _fail("--strict takes canonical files only")
        _ingest_payloads(ctx, file, format, as_json)
        return
    if format != "canonical":
        _fail(f"--format {format} is not known; use canonical or one of {', '.join(FORMATS)}")
    with _system(ctx) as system:
        summary = _run_feed(
            file,
            lambda lines, p: feed_events(
                lines, system.handle, batch=batch, progress=p, strict=strict
            ),
        )
    _report(summary, "events", as_json)


def _ingest_payloads(ctx: typer.Context, file: Path, format: str, as_json: bool) -> None:
    if str(file) != "-" and not file.is_file():
        _fail(f"{file}: no such file")
    content = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    with _system(ctx) as system:
        summary = feed_payloads(split_payloads(content), adapter(format), system.handle)
    _report(summary, "payloads", as_json)


@import_app.command("orders")
def import_orders(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The file of orders ('-' for stdin)."),
    format: str = typer.Option(..., "--format", help="jsonl (canonical orders)."),
    as_json: bool = JsonFlag,
) -> None:
    """Create or update orders and their shipments. Re-importing a file creates nothing new."""
    if format != "jsonl":
        _fail(f"--format {format} is not known yet; use jsonl")
    with _system(ctx) as system:
        summary = _run_feed(file, lambda lines, p: feed_orders(lines, system.handle, progress=p))
    _report(summary, "orders", as_json)


def _run_feed(file: Path, feed: Any) -> FeedSummary:
    if str(file) != "-" and not file.is_file():
        _fail(f"{file}: no such file")
    stream = sys.stdin.buffer if str(file) == "-" else file.open("rb")
    total = None if str(file) == "-" else sum(1 for line in file.open("rb") if line.strip())
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with stream, Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(f"reading {file.name}", total=total)
        return feed(stream, lambda n: progress.advance(task, n))  # type: ignore[no-any-return]


def _report(summary: FeedSummary, noun: str, as_json: bool) -> None:
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


@order_app.command("show")
def order_show(ctx: typer.Context, order_id: str, as_json: bool = JsonFlag) -> None:
    """An order's derived status, its parcels and its whole timeline."""
    with _system(ctx) as system:
        detail = order_detail(system.uows, order_id)
    _show(detail, f"no order has id '{order_id}'", as_json, "order_picture")


@shipment_app.command("show")
def shipment_show(ctx: typer.Context, tracking: str, as_json: bool = JsonFlag) -> None:
    """A shipment's derived status and its own timeline, by tracking number or id."""
    with _system(ctx) as system:
        detail = shipment_detail(system.uows, tracking)
    _show(
        detail, f"no shipment has tracking number or id '{tracking}'", as_json, "shipment_picture"
    )


def _show(detail: Any, missing: str, as_json: bool, picture: str) -> None:
    if detail is None:
        _fail(missing, code=1)
    if as_json:
        out.print_json(json.dumps(jsonable(detail)))
        return
    from ordertrail import render  # rich layout code, loaded only for people

    out.print(getattr(render, picture)(detail))


@app.command()
def rebuild(ctx: typer.Context, as_json: bool = JsonFlag) -> None:
    """Re-derive every projection from the event log."""
    with _system(ctx) as system:
        result = system.handle(Rebuild())
    if as_json:
        out.print_json(data=jsonable(result))
    else:
        out.print(
            f"rebuilt {result.subjects} subjects from {result.events} events; "
            f"{result.orders} orders re-derived"
        )


@app.command()
def milestones(as_json: bool = JsonFlag) -> None:
    """The canonical milestones: phase, happy-path rank, and who may assert each."""
    from ordertrail.domain.milestones import MILESTONES

    rows = [
        {
            "milestone": m.value,
            "phase": spec.phase.value,
            "rank": spec.rank,
            "terminal": spec.terminal,
            "customer_visible": spec.customer_visible,
            "carrier_possession": spec.carrier_possession,
            "needs_reason": spec.needs_reason,
            "asserted_by": sorted(kind.value for kind in spec.authority),
        }
        for m, spec in MILESTONES.items()
    ]
    if as_json:
        out.print_json(data=rows)
        return
    from ordertrail import render

    out.print(render.milestone_table(rows))


@app.command()
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
) -> None:
    """The web app: API and health checks."""
    import os

    import uvicorn

    db = (ctx.find_root().obj or {}).get("db")
    if db:
        os.environ["ORDERTRAIL_DATABASE_URL"] = db  # worker processes read settings themselves
    uvicorn.run(
        "ordertrail.web.app:from_environment", factory=True, host=host, port=port, workers=workers
    )


@bench_app.command("ingest")
def bench_ingest(
    ctx: typer.Context,
    events: int = typer.Option(20_000, "--events", min=1000, help="Events per measurement."),
    as_json: bool = JsonFlag,
) -> None:
    """Events/s through the whole pipeline next to a raw insert of the same rows."""
    from ordertrail.bench.ingest import run

    db = (ctx.find_root().obj or {}).get("db")
    figures = run(events=events, database_url=db, progress=not as_json)
    if as_json:
        out.print_json(data=figures)
    else:
        for name, value in figures.items():
            out.print(f"{name:>28}: {value}")


def main() -> None:
    app()
