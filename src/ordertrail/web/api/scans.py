"""`/api/v1/scans` and `/api/v1/sites`: warehouse scans from handhelds and stations, and the
sites they are made at."""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints
from starlette.concurrency import run_in_threadpool

from ordertrail.app.casework.missing_scans import missing_scans
from ordertrail.app.intake.scanning import ScanOutcome, ScanStatus
from ordertrail.app.queries import jsonable
from ordertrail.app.sites import list_sites, save_sites
from ordertrail.domain.access import Permission, Principal
from ordertrail.domain.model import DomainError, Location, Site, SiteKind, is_time_zone
from ordertrail.domain.warehouse import HandOffPromise, Step
from ordertrail.sources.scans import MAX_SCAN, scan_command
from ordertrail.web.api.answers import MissingScanAnswer, shows
from ordertrail.web.api.auth import require
from ordertrail.web.api.docs import ApiRoute, ScanAnswer, refusals
from ordertrail.web.problems import problem

_P = Permission

#: No control character: they are never part of a name, and some no database can store.
_PLAIN = r"^[^\x00-\x1f\x7f-\x9f]*$"

Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f-\x9f:]*$"
    ),
]
Code = Annotated[str, StringConstraints(min_length=1, max_length=MAX_SCAN, pattern=r"^[^\x00]*$")]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100, pattern=_PLAIN)]


class ScanIn(BaseModel):
    """One step scanned at a station: `code` is the carton, parcel or order barcode as read;
    `label` the new label's barcode for `label` and `relabel`."""

    model_config = ConfigDict(extra="forbid")
    site: Name
    station: Name
    operator: Name
    step: Step
    code: Code
    label: Code | None = None
    order: Name | None = None
    scanned_at: AwareDatetime | None = None


class SiteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_PLAIN),
    ]
    kind: SiteKind = SiteKind.WAREHOUSE
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None
    city: Short | None = None
    region: Short | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    #: the carrier's last collection, HH:MM in the site's zone
    cutoff: Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] | None = (
        None
    )


class SiteAnswer(BaseModel):
    """A site as the API answers it: its cut-off as HH:MM in its own zone."""

    model_config = ConfigDict(title="Site")
    id: str
    name: str
    kind: SiteKind
    time_zone: str | None
    location: Location
    cutoff: Annotated[str, StringConstraints(pattern=r"^[0-2][0-9]:[0-5][0-9]$")] | None


def outcome_json(outcome: ScanOutcome) -> dict[str, Any]:
    return {
        "status": outcome.status.value,
        "message": outcome.message,
        "order_id": outcome.order_id,
        "shipment_id": outcome.shipment_id,
        "milestone": outcome.milestone.value if outcome.milestone else None,
    }


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["warehouse"], route_class=ApiRoute)

    @api.post(
        "/scans",
        response_model=None,
        responses={
            **shows(ScanAnswer, 200, "A duplicate within the window: not recorded twice."),
            **shows(ScanAnswer, 201, "Recorded."),
            **refusals(
                {
                    403: "The key may not record scans, or not at this site.",
                    409: "The scan was refused; `scan` says why, as the station shows it.",
                    422: "The barcode cannot be read, or a field is not valid.",
                }
            ),
        },
    )
    async def scan(
        request: Request, body: ScanIn, who: Annotated[Principal, Depends(require(_P.RECORD_SCANS))]
    ) -> Response:
        """Record a scanned step. 201 recorded; 200 a duplicate within the window (not
        recorded twice); 409 refused with the reason the operator sees; 422 unreadable."""
        system = request.app.state.system
        if not who.may_scan_at(body.site):
            return problem(403, "Forbidden", f"this key records scans at '{who.site}' only")
        try:
            command = scan_command(
                site=body.site,
                station=body.station,
                operator=body.operator,
                step=body.step,
                target=body.code,
                label=body.label,
                order=body.order,
                scanned_at=body.scanned_at,
            )
        except DomainError as error:
            return problem(422, "Unreadable barcode", f"{error.field}: {error.message}")
        command = replace(command, signed_in=who.name)
        outcome = await run_in_threadpool(system.handle, command)
        if outcome.status is ScanStatus.REFUSED:
            return problem(409, "Scan refused", outcome.message, scan=outcome_json(outcome))
        status = 201 if outcome.status is ScanStatus.RECORDED else 200
        return JSONResponse(outcome_json(outcome), status_code=status)

    @api.get(
        "/missing-scans",
        dependencies=[Depends(require(_P.READ_ORDERS))],
        response_model=None,
        responses=shows(MissingScanAnswer, many=True),
    )
    def overdue(
        request: Request,
        packed_hours: Annotated[float, Query(gt=0, le=24 * 90)] = 8,
        labelled_hours: Annotated[float, Query(gt=0, le=24 * 90)] = 24,
    ) -> list[dict[str, Any]]:
        """Parcels packed but never handed off, or labelled but never taken in by the
        carrier, oldest first."""
        system = request.app.state.system
        promise = HandOffPromise.of_hours(packed_hours, labelled_hours)
        reports = missing_scans(system.uows, system.clock.now(), promise)
        return [{**jsonable(report.parcel), "missing": report.missing.value} for report in reports]

    @api.get(
        "/sites",
        dependencies=[Depends(require(_P.READ_ORDERS))],
        response_model=None,
        responses=shows(SiteAnswer, many=True),
    )
    def sites(request: Request) -> list[dict[str, Any]]:
        return [jsonable(site) for site in list_sites(request.app.state.system.uows)]

    @api.put(
        "/sites/{site_id}",
        dependencies=[Depends(require(_P.MANAGE_SITES))],
        response_model=None,
        responses=shows(SiteAnswer, why="The site as stored."),
    )
    def put_site(
        request: Request,
        body: SiteIn,
        site_id: Annotated[str, Path(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")],
    ) -> Any:
        """Create or change a site (a warehouse, store or 3PL)."""
        if body.time_zone and not is_time_zone(body.time_zone):
            return problem(422, "Invalid site", f"time_zone: '{body.time_zone}' is no IANA zone")
        location = Location(city=body.city, region=body.region, country=body.country)
        cutoff = time.fromisoformat(body.cutoff) if body.cutoff else None
        site = Site(site_id, body.name, body.kind, body.time_zone, location, cutoff)
        save_sites(request.app.state.system.uows, [site])
        return jsonable(site)

    return api
