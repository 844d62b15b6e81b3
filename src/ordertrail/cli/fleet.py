"""`ordertrail drivers ...` and `ordertrail routes ...`: the local fleet's drivers (a PIN is
printed once, when it is made) and the day's routes from a CSV of stops."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from ordertrail.app.fleet.drivers import add_driver, list_drivers, set_disabled
from ordertrail.app.fleet.routes import plan_route
from ordertrail.app.staff.access import AccessError
from ordertrail.cli.common import JsonFlag, app, fail, open_system, out
from ordertrail.domain.model import DomainError, is_time_zone
from ordertrail.sources.fleet_csv import read_routes

drivers_app = typer.Typer(help="The local fleet's drivers.", no_args_is_help=True)
routes_app = typer.Typer(help="The local fleet's routes of stops.", no_args_is_help=True)
app.add_typer(drivers_app, name="drivers")
app.add_typer(routes_app, name="routes")


@drivers_app.command("add")
def drivers_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="What the driver signs in with, e.g. 'Sam Ortiz'."),
    fleet: str = typer.Option("local", help="The fleet: its events come from carrier:<fleet>."),
    as_json: bool = JsonFlag,
) -> None:
    """Add a driver, or give one a new PIN (the old one stops working). The PIN is printed now
    and never again: only its hash is kept."""
    with open_system(ctx) as system:
        try:
            issued = add_driver(system.uows, system.passwords, name, fleet, system.clock.now())
        except AccessError as error:
            fail(str(error))
    if as_json:
        out.print_json(data={"driver": issued.driver.name, "fleet": fleet, "pin": issued.pin})
        return
    said = "added" if issued.added else "given a new PIN"
    out.print(f"driver [bold]{issued.driver.name}[/bold] ({fleet}) {said}; their PIN:")
    print(issued.pin)


@drivers_app.command("disable")
def drivers_disable(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """Lock a driver out now: their phone's next action is refused, and sign-in too."""
    _set_disabled(ctx, name, True)


@drivers_app.command("enable")
def drivers_enable(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    _set_disabled(ctx, name, False)


def _set_disabled(ctx: typer.Context, name: str, disabled: bool) -> None:
    with open_system(ctx) as system:
        if not set_disabled(system.uows, name, disabled, system.clock.now()):
            fail(f"no driver is called {name}", 1)
    out.print(f"driver {name} {'disabled' if disabled else 'enabled'}")


@drivers_app.command("list")
def drivers_list(ctx: typer.Context, as_json: bool = JsonFlag) -> None:
    with open_system(ctx) as system:
        drivers = list_drivers(system.uows)
    rows = [{"name": d.name, "fleet": d.fleet, "disabled": d.disabled} for d in drivers]
    if as_json:
        out.print_json(data=rows)
        return
    table = Table(title="drivers")
    for column in ("name", "fleet", "disabled"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(value) for value in row.values()))
    out.print(table)


@routes_app.command("import")
def routes_import(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The day's stops (CSV)."),
    time_zone: str = typer.Option(
        None, "--time-zone", help="The zone of HH:MM windows (default: the brand's zone)."
    ),
    as_json: bool = JsonFlag,
) -> None:
    """Plan routes from a CSV of stops. A route with a bad row is refused whole (reported at
    its line); the other routes land."""
    with open_system(ctx) as system:
        zone_name = time_zone or system.settings.brand_time_zone
        if not is_time_zone(zone_name):
            fail(f"--time-zone: '{zone_name}' is not an IANA time zone")
        with file.open(encoding="utf-8-sig", newline="") as lines:
            found = read_routes(lines, ZoneInfo(zone_name))
        problems = [(p.index, p.field, p.message) for p in found.problems]
        planned = []
        for line, plan in found.plans:
            try:
                route = plan_route(system.uows, system.handle, plan, system.clock.now())
            except DomainError as error:
                problems.append((line, error.field, error.message))
                continue
            planned.append({"route": route.id, "stops": len(route.stops)})
    problems.sort()
    if as_json:
        refused = [{"line": n, "field": f, "message": m} for n, f, m in problems]
        out.print_json(data={"planned": planned, "refused": refused})
    else:
        for line, field, message in problems:
            out.print(f"line {line}: {field}: {message}", markup=False)
        out.print(f"{len(planned)} routes planned, {len(problems)} problems")
    if problems:
        raise typer.Exit(2)  # bad input, even where the other routes landed
