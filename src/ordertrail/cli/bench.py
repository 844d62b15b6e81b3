"""`ordertrail bench ...`: benchmarks that print their figures."""

from __future__ import annotations

from pathlib import Path

import typer

from ordertrail.cli.common import (
    JsonFlag,
    bench_app,
    fail,
    out,
)


@bench_app.command("ingest")
def bench_ingest(
    ctx: typer.Context,
    events: int = typer.Option(20_000, "--events", min=1000, help="Events per measurement."),
    as_json: bool = JsonFlag,
) -> None:
    """Events/s through the whole pipeline next to a raw insert of the same rows, and of a
    rebuild of the stored log (aims: 35% and 15% of raw, rebuild 25% of raw batched)."""
    from ordertrail.bench.ingest import run

    db = (ctx.find_root().obj or {}).get("db")
    figures = run(events=events, database_url=db, progress=not as_json)
    if as_json:
        out.print_json(data=figures)
    else:
        for name, value in figures.items():
            out.print(f"{name:>28}: {value}")


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        fail(f"--sizes: '{text}' is not a list of whole numbers, like 10000,1000000")
    if not sizes or sizes[0] < 100:
        fail("--sizes: give at least one size of 100 parcels or more")
    return sizes


def _scale(sizes: str, lookups: int, due: int, shown: tuple[str, ...], as_json: bool) -> None:
    from rich.table import Table

    from ordertrail.bench.scale import measure, ratios

    rows = list(measure(_sizes(sizes), lookups=lookups, due=due, progress=not as_json))
    figures = {"sizes": rows, **ratios(rows)}
    if as_json:
        out.print_json(data=figures)
        return
    table = Table()
    for column in ("parcels", "fill_seconds", *shown):
        table.add_column(column.replace("_", " "), justify="right")
    for row in rows:
        table.add_row(*(f"{row[c]:,}" for c in ("parcels", "fill_seconds", *shown)))
    out.print(table)
    for name, value in ratios(rows).items():
        out.print(f"{name:>20}: {value}")


@bench_app.command("lookup")
def bench_lookup(
    sizes: str = typer.Option("10000,1000000", "--sizes", help="Parcels at each size."),
    lookups: int = typer.Option(2000, "--lookups", min=10, help="Lookups timed per size."),
    as_json: bool = JsonFlag,
) -> None:
    """A tracking-page lookup's time at each size (SQLite, filled through the store's batch
    path), and the largest size's against the smallest (aim: at most 1.5x)."""
    _scale(sizes, lookups, 0, ("lookup_ms_p50", "lookup_ms_p90", "lookup_cpu_ms_p50"), as_json)


@bench_app.command("sweep")
def bench_sweep(
    sizes: str = typer.Option("10000,1000000", "--sizes", help="Parcels at each size."),
    due: int = typer.Option(500, "--due", min=1, help="Parcels due a look, the same at each size."),
    as_json: bool = JsonFlag,
) -> None:
    """A sweep round at each size with the same number of parcels due (the median of three
    rounds, each on other parcels; SQLite, filled through the store's batch path), and the
    largest size's against the smallest (aim: at most 2x)."""
    _scale(
        sizes,
        10,
        due,
        ("sweep_due", "sweep_seconds", "sweep_cpu_seconds", "sweep_ms_per_due"),
        as_json,
    )


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


@bench_app.command("eta")
def bench_eta(
    seed: int = typer.Option(7, "--seed", help="The same seed gives the same quarter."),
    days: int = typer.Option(91, "--days", min=7, help="Days of parcels measured."),
    per_day: int = typer.Option(60, "--per-day", min=5, help="Parcels handed over a day."),
    share: float = typer.Option(
        0.9, "--share", min=0.55, max=0.99, help="The share of a lane's history a window holds."
    ),
    as_json: bool = JsonFlag,
) -> None:
    """Our delivery window against the carrier's own date on a simulated quarter: hit rate,
    error, window width and customer-visible changes (the carriers' behaviour table first)."""
    from ordertrail.bench.eta import run

    figures = run(seed=seed, days=days, per_day=per_day, share=share)
    if as_json:
        out.print_json(data=figures)
        return
    from rich.table import Table

    behaviour = Table(
        title="How the simulated carriers deliver (simulate/carriers/carrier_behaviour.py)"
    )
    rows = figures["carrier_behaviour"]
    for column in rows[0]:
        behaviour.add_column(column)
    for row in rows:
        behaviour.add_row(*(str(value) for value in row.values()))
    out.print(behaviour)
    compared = Table(title=f"{days} days, seed {seed}: windows at hand-off and each later day")
    for column in ("figure", "ordertrail", "carrier only"):
        compared.add_column(column)
    for name in figures["ordertrail"]:
        compared.add_row(name, str(figures["ordertrail"][name]), str(figures["carrier_only"][name]))
    out.print(compared)
    out.print(f"wall time {figures['wall_seconds']} s")


@bench_app.command("http")
def bench_http(
    ctx: typer.Context,
    seconds: float = typer.Option(5.0, "--seconds", min=1, help="How long each path is driven."),
    connections: int = typer.Option(32, "--connections", min=1, help="Open connections."),
    workers: str = typer.Option("1", "--workers", help="`serve` processes, e.g. 1,2."),
    days: int = typer.Option(4, "--days", min=1, max=60, help="Days of the simulated shop."),
    per_day: int = typer.Option(20, "--per-day", min=3, max=200, help="Orders a day."),
    profile: Path | None = typer.Option(
        None, "--profile", help="A folder for a py-spy flame graph (SVG) of each app path."
    ),
    as_json: bool = JsonFlag,
) -> None:
    """Requests/s, p50 and p99 of the app's paths under wrk next to a bare FastAPI app, on a
    scratch copy of a simulated shop (SQLite, or a scratch schema on the PostgreSQL of --db);
    every write answered 2xx is then looked up in the database."""
    from ordertrail.bench.http import check_line, run, tables
    from ordertrail.bench.profiles import ProfilerMissing
    from ordertrail.bench.wrk import WrkMissing

    try:
        counts = sorted({int(part) for part in workers.split(",") if part.strip()})
    except ValueError:
        fail(f"--workers {workers}: give worker counts like 1 or 1,2")
    if not counts or min(counts) < 1:
        fail(f"--workers {workers}: give worker counts like 1 or 1,2")
    db = (ctx.find_root().obj or {}).get("db")
    try:
        figures = run(
            database_url=db,
            workers=counts,
            seconds=seconds,
            connections=connections,
            days=days,
            per_day=per_day,
            progress=not as_json,
            profile=profile,
        )
    except (WrkMissing, ProfilerMissing) as missing:
        fail(str(missing), code=1)
    if as_json:
        out.print_json(data=figures)
        return
    for table in tables(figures):
        out.print(table)
    for name, ratio in figures["scaling"].items():
        out.print(f"{name}: {ratio}x from {counts[0]} to {counts[-1]} workers")
    out.print(check_line(figures))
    if profile:
        out.print(f"flame graphs of each path: {profile}/*.svg")
    out.print(f"wall time {figures['wall_seconds']} s")
