"""`ordertrail sweep`, `ordertrail exceptions` and `ordertrail rhythms learn`: the exception
queue from the command line."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.table import Table

from ordertrail.app.casework.cases import find_cases, learn_rhythms, sweep
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.queries import jsonable
from ordertrail.app.returns.alerts import look_at_returns, with_returns
from ordertrail.cli.common import JsonFlag, app, fail, open_system, out
from ordertrail.domain.casework.cases import CaseStatus
from ordertrail.domain.casework.exceptions import ExceptionKind, Team

NowOption = typer.Option(None, "--now", help="As of this time (ISO 8601 with offset).")


def _moment(now: datetime | None) -> datetime:
    if now is not None and now.tzinfo is None:
        fail("--now needs a UTC offset, e.g. 2026-11-27T09:00:00+00:00")
    return now or datetime.now(UTC)


@app.command("sweep")
def sweep_command(ctx: typer.Context, now: datetime = NowOption, as_json: bool = JsonFlag) -> None:
    """Run the time-based rules (stalls, missing scans) on the parcels that are due now, and
    on the returns waiting for inspection or refund."""
    with open_system(ctx) as system:
        moment = _moment(now)
        result = with_returns(sweep(system.uows, moment), look_at_returns(system.uows, moment))
    if as_json:
        out.print_json(data=jsonable(result))
        return
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(result.by_kind.items()))
    out.print(
        f"looked at {result.looked_at} parcels: {result.opened} cases opened"
        + (f" ({kinds})" if kinds else "")
        + f", {result.resolved} resolved"
    )


@app.command("exceptions")
def exceptions_command(
    ctx: typer.Context,
    team: Team = typer.Option(None, help="Only this team's cases."),
    kind: ExceptionKind = typer.Option(None, help="Only this kind."),
    order: str = typer.Option(None, help="Only this order's cases."),
    resolved: bool = typer.Option(False, "--resolved", help="Resolved cases instead of open."),
    as_json: bool = JsonFlag,
) -> None:
    """The exception queue, oldest first."""
    status = CaseStatus.RESOLVED if resolved else CaseStatus.OPEN
    query = CaseQuery(status=status, team=team, kind=kind, order_id=order)
    with open_system(ctx) as system:
        cases = find_cases(system.uows, query)
    if as_json:
        out.print_json(data=jsonable(cases))
        return
    table = Table(title=f"{status.value} exception cases")
    for column in ("opened", "due", "team", "kind", "order", "parcel", "detail"):
        table.add_column(column)
    for case in cases:
        table.add_row(
            f"{case.opened_at:%Y-%m-%d %H:%M}",
            f"{case.due_at:%Y-%m-%d %H:%M}",
            case.team.value,
            case.kind.value,
            case.order_id,
            case.subject.id,
            case.detail,
        )
    out.print(table)


rhythms_app = typer.Typer(help="How long each lane's parcels go between scans.")
app.add_typer(rhythms_app, name="rhythms")


@rhythms_app.command("learn")
def rhythms_learn(
    ctx: typer.Context,
    days: int = typer.Option(90, min=1, help="Learn from parcels delivered in this many days."),
    now: datetime = NowOption,
) -> None:
    """Learn each lane's rhythm (90th percentile gap per milestone) from delivered parcels."""
    with open_system(ctx) as system:
        learned = learn_rhythms(system.uows, _moment(now), days)
    out.print(f"learned {learned} lane rhythms")
