"""`ordertrail eta learn` and `ordertrail eta lanes`: the transit-time model from the command
line (the worker learns it again each day by itself)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import typer
from rich.table import Table

from ordertrail.app.promise.eta import LEARN_DAYS, learn_lanes, learned_lanes
from ordertrail.app.promise.eta_ports import LaneStats
from ordertrail.cli.common import JsonFlag, app, fail, open_system, out

eta_app = typer.Typer(help="Delivery estimates: each lane's transit times.", no_args_is_help=True)
app.add_typer(eta_app, name="eta")

#: The percentiles `eta lanes` shows of each lane, in business days.
PERCENTILES = (0.5, 0.8, 0.9, 0.95)


@eta_app.command("learn")
def eta_learn(
    ctx: typer.Context,
    days: int = typer.Option(
        LEARN_DAYS, min=1, help="Learn from parcels delivered in this many days."
    ),
    now: datetime = typer.Option(None, "--now", help="As of this time (ISO 8601 with offset)."),
) -> None:
    """Learn every lane's transit times (business days) from delivered parcels."""
    if now is not None and now.tzinfo is None:
        fail("--now needs a UTC offset, e.g. 2026-11-27T09:00:00+00:00")
    with open_system(ctx) as system:
        learned = learn_lanes(system.uows, now or datetime.now(UTC), days)
    out.print(f"learned {learned} lanes from parcels delivered in the last {days} days")


@eta_app.command("lanes")
def eta_lanes(ctx: typer.Context, as_json: bool = JsonFlag) -> None:
    """Each learned lane: its sample size and transit-time percentiles in business days."""
    with open_system(ctx) as system:
        lanes = learned_lanes(system.uows)
    rows = [_row(lane) for lane in lanes]
    if as_json:
        out.print_json(data=rows)
        return
    if not rows:
        out.print("no lanes learned yet: `ordertrail eta learn` once parcels are delivered")
        return
    table = Table(title="lanes (business days)")
    names = ("carrier", "service", "origin", "destination", "level", "leg", "samples")
    for column in (*names, *(f"p{round(p * 100)}" for p in PERCENTILES)):
        table.add_column(column)
    for row in rows:
        shown = [str(row[name]) for name in names]
        table.add_row(*shown, *(str(row["percentiles"][f"p{round(p * 100)}"]) for p in PERCENTILES))
    out.print(table)


def _row(lane: LaneStats) -> dict[str, Any]:
    key = lane.key
    return {
        "carrier": key.carrier,
        "service": key.service,
        "origin": key.origin,
        "destination": key.destination,
        "level": key.level.value,
        "leg": lane.leg.value,
        "samples": lane.histogram.samples,
        "percentiles": {f"p{round(p * 100)}": lane.histogram.percentile(p) for p in PERCENTILES},
        "learned_at": lane.learned_at.isoformat(),
    }
