"""`ordertrail bench ...`: benchmarks that print their figures."""

from __future__ import annotations

import typer

from ordertrail.cli.common import (
    JsonFlag,
    bench_app,
    out,
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


@bench_app.command("kpis")
def bench_kpis(
    days: int = typer.Option(365, "--days", min=7, help="Days of orders to build."),
    per_day: int = typer.Option(200, "--per-day", min=1, help="Orders a day."),
    as_json: bool = JsonFlag,
) -> None:
    """The KPI report's time on a year of a busy shop (SQLite, built in a temporary file)
    next to the time of counting its orders table."""
    from ordertrail.bench.kpis import run

    figures = run(days=days, per_day=per_day, progress=not as_json)
    if as_json:
        out.print_json(data=figures)
    else:
        for name, value in figures.items():
            out.print(f"{name:>28}: {value}")
