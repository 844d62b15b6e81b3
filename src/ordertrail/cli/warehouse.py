"""`ordertrail sites ...` and `ordertrail missing-scans`: where orders ship from, and the
parcels whose next scan is overdue."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import typer
from rich.table import Table

from ordertrail.app.casework.missing_scans import missing_scans
from ordertrail.app.queries import jsonable
from ordertrail.app.sites import list_sites, save_sites
from ordertrail.cli.common import JsonFlag, app, fail, open_system, out
from ordertrail.domain.model import DomainError, Location, Site, SiteKind, is_time_zone
from ordertrail.domain.text import CONTROL
from ordertrail.domain.warehouse import HandOffPromise

HOUR = timedelta(hours=1)
sites_app = typer.Typer(help="Warehouses, stores and 3PLs orders ship from.", no_args_is_help=True)
app.add_typer(sites_app, name="sites")


@sites_app.command("add")
def sites_add(
    ctx: typer.Context,
    site_id: str = typer.Argument(..., help="The id scans use: warehouse:<id>."),
    name: str = typer.Option(..., help="What people call it."),
    kind: SiteKind = typer.Option(SiteKind.WAREHOUSE, help="warehouse, store or 3pl."),
    time_zone: str = typer.Option(None, help="IANA zone, e.g. America/Kentucky/Louisville."),
    city: str = typer.Option(None),
    region: str = typer.Option(None),
    country: str = typer.Option(None, help="ISO 3166 alpha-2, e.g. US."),
    cutoff: str = typer.Option(
        None, "--cutoff", help="The carrier's last collection, HH:MM in the site's time (16:30)."
    ),
) -> None:
    """Create a site, or change it if the id exists."""
    if time_zone and not is_time_zone(time_zone):
        fail(f"--time-zone: '{time_zone}' is not an IANA time zone (like America/New_York)")
    for option, given in (("--name", name), ("--city", city), ("--region", region)):
        if given and CONTROL.search(given):
            fail(f"{option}: must not contain NUL or other control characters")
    last_collection = _cutoff(cutoff) if cutoff else None
    try:
        site = Site(
            site_id, name, kind, time_zone, Location(city, region, country), last_collection
        )
    except DomainError as error:
        fail(f"{error.field}: {error.message}")
    with open_system(ctx) as system:
        save_sites(system.uows, [site])
    out.print(f"site [bold]{site.id}[/bold] saved")


def _cutoff(text: str) -> time:
    try:
        parsed = time.fromisoformat(text.strip())
    except ValueError:
        fail(f"--cutoff: '{text}' is not a time of day (HH:MM, e.g. 16:30)")
    if parsed.tzinfo is not None:
        fail("--cutoff: a time of day in the site's own zone, without an offset (e.g. 16:30)")
    return parsed


@sites_app.command("list")
def sites_list(ctx: typer.Context, as_json: bool = JsonFlag) -> None:
    with open_system(ctx) as system:
        sites = list_sites(system.uows)
    if as_json:
        out.print_json(data=jsonable(sites))
        return
    table = Table(title="sites")
    for column in ("id", "name", "kind", "time zone", "place"):
        table.add_column(column)
    for site in sites:
        place = ", ".join(
            filter(None, (site.location.city, site.location.region, site.location.country))
        )
        table.add_row(site.id, site.name, site.kind.value, site.time_zone or "", place)
    out.print(table)


@app.command("missing-scans")
def missing_scans_command(
    ctx: typer.Context,
    now: datetime = typer.Option(None, help="Look as of this time (ISO 8601; default: now)."),
    packed_hours: float = typer.Option(8, min=0.1, help="Packed this long without hand-off."),
    labelled_hours: float = typer.Option(24, min=0.1, help="Labelled this long, no carrier scan."),
    as_json: bool = JsonFlag,
) -> None:
    """Parcels packed but never handed off, or labelled but never taken in by the carrier."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        fail("--now needs a UTC offset, e.g. 2026-11-27T09:00:00+00:00")
    promise = HandOffPromise.of_hours(packed_hours, labelled_hours)
    with open_system(ctx) as system:
        reports = missing_scans(system.uows, moment, promise)
    if as_json:
        out.print_json(data=jsonable(reports))
        return
    table = Table(title=f"missing scans as of {moment:%Y-%m-%d %H:%M %Z}")
    for column in ("parcel", "order", "site", "missing", "waiting since"):
        table.add_column(column)
    for report in reports:
        parcel = report.parcel
        table.add_row(
            parcel.tracking_number or parcel.shipment_id,
            parcel.order_id,
            parcel.site or "",
            report.missing.value.replace("_", " "),
            f"{parcel.since:%Y-%m-%d %H:%M} ({(moment - parcel.since) / HOUR:.0f} h)",
        )
    out.print(table)
    out.print(f"{len(reports)} parcels are missing a scan")
