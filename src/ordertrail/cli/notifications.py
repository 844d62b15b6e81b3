"""`ordertrail notifications preview`: what an order's customer would receive, and when."""

from __future__ import annotations

import typer
from rich.table import Table

from ordertrail.app.messages.preview import preview
from ordertrail.app.queries import jsonable
from ordertrail.cli.common import JsonFlag, app, fail, open_system, out

notifications_app = typer.Typer(help="Messages to customers.", no_args_is_help=True)
app.add_typer(notifications_app, name="notifications")


@notifications_app.command("preview")
def notifications_preview(
    ctx: typer.Context,
    order: str = typer.Option(..., "--order", help="The order to replay."),
    as_json: bool = JsonFlag,
) -> None:
    """Replay the order's events through the notification policy: each message its customer
    would get, when (quiet hours and staff-first waits included) and on which channels."""
    with open_system(ctx) as system:
        rows = preview(system.uows, order)
    if rows is None:
        fail(f"no order has id '{order}'", code=1)
    if as_json:
        out.print_json(data=jsonable(rows))
        return
    table = Table(title=f"messages order {order}'s customer would receive")
    for column in ("when (UTC)", "message", "parcel", "channels"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            f"{row.at:%Y-%m-%d %H:%M}",
            row.kind.replace("_", " "),
            row.subject.id,
            ", ".join(row.channels) or "(no contact)",
        )
    out.print(table)
    out.print(f"{len(rows)} messages")
