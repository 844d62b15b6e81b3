"""Server-rendered pages. `/scan`: the warehouse scan station, made for keyboard-wedge
scanners (a field that takes a scan and Enter; no mouse, no JavaScript needed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from ordertrail.app import addresses
from ordertrail.app.display_names import carrier_name, place_name
from ordertrail.app.intake.scanning import ScanOutcome, ScanStatus
from ordertrail.app.sites import list_sites
from ordertrail.app.staff.access_ports import StaffSession
from ordertrail.domain.access import Permission
from ordertrail.domain.model import Site
from ordertrail.domain.warehouse import Step
from ordertrail.languages import dates, speech
from ordertrail.web.api.auth import checked_csrf, signed_in
from ordertrail.web.console.scan_station import Advance, StationState, Tone, advance

HERE = Path(__file__).parent
_TONE = {
    ScanStatus.RECORDED: Tone.OK,
    ScanStatus.DUPLICATE: Tone.WARN,
    ScanStatus.REFUSED: Tone.ERROR,
}
Field = Annotated[str, Form(max_length=200)]


def templates() -> Jinja2Templates:
    views = Jinja2Templates(directory=HERE / "templates")
    # the templates ship with the package and change only with it (a restart): no stat of
    # each template file at every render to see whether it changed
    views.env.auto_reload = False
    # words for customers are marked `{{ _("...") }}` / `{% trans %}`: said in the language
    # the request speaks (web/public/language.py), the console's never marked (English)
    views.env.add_extension("jinja2.ext.i18n")
    views.env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=speech._, ngettext=speech.ngettext, newstyle=True
    )
    views.env.globals.update(language=speech.language, zone_words=dates.zone_words)
    views.env.filters.update(
        day_year=dates.day_year,
        short_day=dates.short_day,
        weekday_date=dates.weekday_date,
        moment=dates.moment,
        clock=dates.clock,
    )
    # an id goes into an address only through these (Shopify's `#1029` would end the path)
    views.env.filters["url_part"] = addresses.part
    views.env.globals.update(order_page=addresses.order_page, parcel_page=addresses.parcel_page)
    views.env.filters.update(carrier_name=carrier_name, place_name=place_name)
    return views


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    views = templates()

    @pages.get("/scan", response_class=HTMLResponse)
    def station(
        request: Request,
        session: Annotated[StaffSession, Depends(signed_in(Permission.RECORD_SCANS))],
        site: Annotated[str, Query(max_length=50)] = "",
        station: Annotated[str, Query(max_length=100)] = "",
    ) -> HTMLResponse:
        state = StationState(site=site, station=station)
        sites = [] if site else list_sites(request.app.state.system.uows)
        return _render(views, request, session, Advance(state, Tone.INFO, ""), sites=sites)

    @pages.post("/scan", response_class=HTMLResponse)
    async def scanned(
        request: Request,
        session: Annotated[StaffSession, Depends(checked_csrf(Permission.RECORD_SCANS))],
        code: Field,
        site: Field,
        station: Field = "",
        operator: Field = "",
        target: Field = "",
        target_name: Field = "",
        order: Field = "",
        pending_step: Field = "",
    ) -> HTMLResponse:
        if pending_step and pending_step not in {s.value for s in Step}:
            pending_step = ""
        state = StationState(site, station, operator, target, target_name, order, pending_step)
        if any("\x00" in value for value in (code, *hidden_values(state))):
            fresh = StationState(site.replace("\x00", ""), station.replace("\x00", ""))
            refusal = Advance(fresh, Tone.ERROR, "That was not a barcode; scan your badge again.")
            return _render(views, request, session, refusal)
        step = advance(state, code)
        if step.command is not None:
            command = replace(step.command, signed_in=session.user.email)
            outcome = await run_in_threadpool(request.app.state.system.handle, command)
            step = _after(step, outcome)
        return _render(views, request, session, step)

    return pages


def hidden_values(state: StationState) -> list[str]:
    return [getattr(state, f.name) for f in fields(state)]


def _after(step: Advance, outcome: ScanOutcome) -> Advance:
    """Show what the system said; a hand-off that went through ends work on that carton."""
    state = step.state
    if outcome.status is ScanStatus.RECORDED and step.command and step.command.step is Step.HANDOFF:
        state = replace(state, target="", target_name="", order="")
    return Advance(state, _TONE[outcome.status], outcome.message)


def _render(
    views: Jinja2Templates,
    request: Request,
    session: StaffSession,
    step: Advance,
    sites: Sequence[Site] = (),
) -> HTMLResponse:
    hidden = dict(zip([f.name for f in fields(step.state)], hidden_values(step.state), strict=True))
    response = views.TemplateResponse(
        request,
        "scan.html",
        {
            "state": step.state,
            "hidden": hidden,
            "tone": step.tone.value,
            "message": step.message,
            "prompt": step.state.prompt,
            "sites": sites,
            "csrf": session.csrf,
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response
