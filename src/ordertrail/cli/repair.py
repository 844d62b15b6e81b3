"""`ordertrail repair ...`: mend stored data that older versions let in."""

from __future__ import annotations

import typer

from ordertrail.cli.common import JsonFlag, open_system, out, repair_app
from ordertrail.store.upkeep.text_repair import repair_text


@repair_app.command("text")
def text(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Only say what would be mended."),
    as_json: bool = JsonFlag,
) -> None:
    """Replace lone surrogates in stored JSON (orders, parcels, cases, messages, held reports)
    with U+FFFD, recording each value as it was in `text_repairs`. Events are append-only and
    keep what they arrived with; every read shows them mended."""
    with open_system(ctx) as system:
        found = repair_text(system.engine, system.clock.now(), dry_run=dry_run)
    events = sorted({u.row_key["seq"] for u in found.events_read_mended})
    if as_json:
        out.print_json(
            data={
                "dry_run": dry_run,
                "mended": [
                    {"table": u.table, "row": u.row_key, "column": u.column} for u in found.mended
                ],
                "events_read_mended": events,
            }
        )
        return
    verb = "would mend" if dry_run else "mended"
    for unreadable in found.mended:
        key = ", ".join(f"{k}={v}" for k, v in unreadable.row_key.items())
        out.print(f"{verb} {unreadable.table}.{unreadable.column} ({key})", markup=False)
    out.print(
        f"{len(found.mended)} stored values {verb}; {len(events)} events keep "
        "the text they arrived with (the log is append-only) and read with U+FFFD in its place",
        markup=False,
    )
