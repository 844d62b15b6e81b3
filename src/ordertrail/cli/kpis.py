"""`ordertrail kpis`: the KPI report as a table or JSON; `ordertrail import costs`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ordertrail.app.measures.costs import record_costs
from ordertrail.app.measures.kpis import report, scope_of
from ordertrail.cli.common import JsonFlag, app, fail, import_app, open_system, out, report_feed
from ordertrail.domain.model import DomainError
from ordertrail.sources.costs_csv import read_costs
from ordertrail.sources.feed import FeedSummary


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{name}: '{value}' is not a date like 2026-11-30")


@app.command()
def kpis(
    ctx: typer.Context,
    since: str = typer.Option(None, "--since", help="First day (UTC) of orders placed."),
    until: str = typer.Option(None, "--until", help="Last day (UTC), included; default today."),
    channel: str = typer.Option(None, "--channel", help="Only orders of this channel."),
    carrier: str = typer.Option(None, "--carrier", help="Only parcels of this carrier."),
    site: str = typer.Option(None, "--site", help="Only parcels that left this site."),
    as_json: bool = JsonFlag,
) -> None:
    """The KPI report over the orders placed in a period (default: the last 28 days)."""
    first, last = _day(since, "--since"), _day(until, "--until")
    with open_system(ctx) as system:
        try:
            scope = scope_of(
                system.clock.now(), first, last, channel=channel, carrier=carrier, site=site
            )
        except DomainError as error:
            fail(f"--{error.field}: {error.message}")
        figures = report(system.uows, scope)
    if as_json:
        out.print_json(data=figures)
        return
    out.print(_table(figures))
    for table in (_carriers(figures), _sites(figures)):
        if table.row_count:
            out.print(table)


def shown(figure: Any) -> str:
    """A figure as one cell: a rate with its counts, a duration's median and p90, a total."""
    if figure is None:
        return "–"
    if "median_hours" in figure:
        if not figure["count"]:
            return "–"
        return (
            f"median {figure['median_hours']} h, p90 {figure['p90_hours']} h (n={figure['count']})"
        )
    if "by_currency" in figure:
        parts = [
            f"{c} {f['value']} ({f['numerator']} / {figure['denominator']})"
            for c, f in figure["by_currency"].items()
        ]
        return "; ".join(parts) or "–"
    if "by_kind" in figure:
        parts = [
            f"{k.replace('_', ' ')} {f['value']}% ({f['numerator']})"
            for k, f in figure["by_kind"].items()
        ]
        return "; ".join(parts) or "none"
    if "orders_viewed" in figure:
        return f"{figure['value']} of {figure['orders_viewed']} orders viewed"
    value = "–" if figure["value"] is None else figure["value"]
    text = f"{value} ({figure['numerator']} / {figure['denominator']})"
    excluded = figure.get("excluded") or {}
    if excluded:
        text += ", " + ", ".join(f"{n} {why.replace('_', ' ')}" for why, n in excluded.items())
    return text


def _table(figures: dict[str, Any]) -> Table:
    period = figures["period"]
    table = Table(title=f"KPIs: orders placed {period['since']} to {period['until']}")
    table.add_column("kpi")
    table.add_column("value")
    table.add_row("orders placed", str(figures["orders"]["placed"]))
    table.add_row("orders fulfilled", str(figures["orders"]["fulfilled"]))
    for name, figure in figures["kpis"].items():
        table.add_row(name, shown(figure))
    return table


#: (heading, key) of each column of the carrier scorecard and the scan analytics
_CARRIER_COLUMNS = (
    ("carrier", "carrier"),
    ("parcels", "parcels"),
    ("on time %", "on_time_delivery_rate"),
    ("transit", "transit_time"),
    ("first attempt %", "first_attempt_delivery_rate"),
    ("exceptions %", "exception_rate"),
)
_SITE_COLUMNS = (
    ("site", "site"),
    ("pick → pack", "pick_to_pack"),
    ("pack → label", "pack_to_label"),
    ("label → hand-off", "label_to_handoff"),
    ("missed", "missed_scan_rate"),
    ("late", "late_handoff_rate"),
)


def _carriers(figures: dict[str, Any]) -> Table:
    return _listed("carrier scorecard", _CARRIER_COLUMNS, figures["carriers"])


def _sites(figures: dict[str, Any]) -> Table:
    return _listed("scan analytics", _SITE_COLUMNS, figures["sites"])


def _listed(title: str, columns: tuple[tuple[str, str], ...], rows: list[Any]) -> Table:
    """One row per carrier or site: its name and count as they are, figures as `shown`."""
    table = Table(title=title)
    for heading, _ in columns:
        table.add_column(heading)
    for row in rows:
        table.add_row(
            *(
                str(row[key]) if isinstance(row[key], str | int) else shown(row[key])
                for _, key in columns
            )
        )
    return table


@import_app.command("costs")
def import_costs(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The CSV of costs ('-' for stdin)."),
    format: str = typer.Option("csv", "--format", help="csv (the only format)."),
    as_json: bool = JsonFlag,
) -> None:
    """Fulfillment costs from a CSV (columns: order or shipment or return or site, kind,
    amount, currency, date). Good rows land; each bad one is reported by line number.
    Importing a file again records nothing new."""
    if format != "csv":
        fail(f"--format {format} is not known; use csv")
    if str(file) != "-" and not file.is_file():
        fail(f"{file}: no such file")
    text = typer.get_text_stream("stdin").read() if str(file) == "-" else _text(file)
    summary = FeedSummary()
    parsed = []
    for line, cost, problems in read_costs(text.splitlines(keepends=True)):
        summary.read += 1
        summary.problems.extend(problems)
        if cost is not None:
            parsed.append((line, cost))
    with open_system(ctx) as system:
        recorded = record_costs(system.uows, parsed, system.clock.now())
    summary.accepted, summary.duplicates = recorded.accepted, recorded.duplicates
    summary.problems = sorted([*summary.problems, *recorded.problems], key=lambda p: p.index)
    report_feed(summary, "costs", as_json)


def _text(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        fail(f"{file}: not UTF-8 text ({error.reason} at byte {error.start})")
