"""`ordertrail mappings ...`: carrier codes nobody mapped yet, and saying what they mean."""

from __future__ import annotations

import typer

from ordertrail.app.intake.commands import MapCode
from ordertrail.app.queries import (
    code_mappings,
    held_reports,
    jsonable,
    unmapped_codes,
)
from ordertrail.cli.common import (
    JsonFlag,
    app,
    fail,
    mappings_app,
    open_system,
    out,
)
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import DomainError


@mappings_app.command("unmapped")
def mappings_unmapped(
    ctx: typer.Context,
    limit: int = typer.Option(100, min=1, max=10_000, help="At most this many codes."),
    as_json: bool = JsonFlag,
) -> None:
    """Carrier codes no table or mapping reads yet: counts, shipments, examples."""
    with open_system(ctx) as system:
        codes = unmapped_codes(system.uows, limit)
    if as_json:
        out.print_json(data=jsonable(codes))
        return
    from ordertrail import render

    out.print(render.unmapped_table(codes))


@mappings_app.command("list")
def mappings_list(ctx: typer.Context, as_json: bool = JsonFlag) -> None:
    """The mappings people have added, by carrier and code."""
    with open_system(ctx) as system:
        found = code_mappings(system.uows)
    if as_json:
        out.print_json(data=jsonable(found))
        return
    for mapping in found:
        reason = f" ({mapping.reason})" if mapping.reason else ""
        out.print(
            f"{mapping.carrier} {mapping.raw_code} → {mapping.milestone}{reason}"
            f"  [dim]by {mapping.mapped_by} {mapping.mapped_at:%Y-%m-%d}[/dim]"
        )


@mappings_app.command("add")
def mappings_add(
    ctx: typer.Context,
    carrier: str = typer.Argument(..., help="The carrier, as in its events' source (ups)."),
    raw_code: str = typer.Argument(..., help="The carrier's code, as it sends it."),
    milestone: Milestone = typer.Argument(..., help="What the code means."),
    reason: Reason = typer.Option(None, "--reason", help="For delays, attempts, exceptions."),
    by: str = typer.Option(..., "--by", help="Who says so (kept with the mapping)."),
    note: str = typer.Option(None, "--note", help="Why, for the next person."),
    as_json: bool = JsonFlag,
) -> None:
    """Say what a carrier code means; every shipment that saw it is folded again."""
    command = MapCode(carrier, raw_code, milestone, reason, by, note)
    with open_system(ctx) as system:
        try:
            result = system.handle(command)
        except DomainError as problem:
            fail(f"{problem.field}: {problem.message}")
    if as_json:
        out.print_json(data=jsonable(result))
    else:
        out.print(
            f"{carrier} {raw_code} now reads as {milestone}; {result.subjects} "
            f"shipments folded again from {result.events} events"
        )


@app.command()
def unmatched(
    ctx: typer.Context,
    limit: int = typer.Option(100, min=1, max=10_000, help="At most this many reports."),
    as_json: bool = JsonFlag,
) -> None:
    """Reports waiting for a parcel nobody has registered yet (they attach when it is)."""
    with open_system(ctx) as system:
        waiting = held_reports(system.uows, limit)
    if as_json:
        out.print_json(data=jsonable(waiting))
        return
    for held in waiting:
        what = held.milestone or f"code {held.raw_code}"
        out.print(
            f"{held.shipment}  {what}  from {held.source}  occurred "
            f"{held.occurred_at:%Y-%m-%d %H:%M}  held since {held.received_at:%Y-%m-%d %H:%M}"
        )
    out.print(f"{len(waiting)} reports waiting")
