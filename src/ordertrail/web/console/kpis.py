"""`/ops/kpis`: the KPI report in the console — headline figures with their counts, charts
week by week, per carrier and per site, a CSV export, and the orders behind each figure."""

from __future__ import annotations

import csv
import io
from datetime import date
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ordertrail.app.measures.kpi_ports import KpiScope
from ordertrail.app.measures.kpi_table import COLUMNS, HEADLINES, report_rows
from ordertrail.app.measures.kpis import orders_behind, report, scope_of
from ordertrail.app.staff.access_ports import StaffSession
from ordertrail.domain.access import Permission
from ordertrail.domain.measures.kpi_catalog import KPIS
from ordertrail.domain.model import DomainError
from ordertrail.web.api.auth import signed_in
from ordertrail.web.console.views import PRIVATE, console_templates, render

KpiReader = Annotated[StaffSession, Depends(signed_in(Permission.READ_KPIS))]
Filter = Annotated[str, Query(max_length=100)]


def _chosen(
    since: Filter = "",
    until: Filter = "",
    channel: Filter = "",
    carrier: Filter = "",
    site: Filter = "",
) -> dict[str, str]:
    """The report's filters as the page was asked for them (kept to fill the form again)."""
    return {"since": since, "until": until, "channel": channel, "carrier": carrier, "site": site}


#: every page of the report takes the same filters
Chosen = Annotated[dict[str, str], Depends(_chosen)]
PAGE = 100


class _BadFilter(ValueError):
    pass


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _BadFilter(f"{name}: '{value}' is not a date like 2026-11-30") from None


def _scope(request: Request, chosen: dict[str, str]) -> KpiScope:
    try:
        return scope_of(
            request.app.state.system.clock.now(),
            _day(chosen["since"], "since"),
            _day(chosen["until"], "until"),
            channel=chosen["channel"],
            carrier=chosen["carrier"],
            site=chosen["site"],
        )
    except DomainError as error:
        raise _BadFilter(f"{error.field}: {error.message}") from None


def _charts(figures: dict[str, Any]) -> list[tuple[str, list[tuple[str, int]], str]]:
    """What the page draws: (title, bars, colour); rates as whole percentages."""

    def percent(figure: Any) -> int | None:
        value = figure and figure.get("value")
        return None if value is None else round(value)

    weeks = figures["weeks"]
    on_time = [(w["week_of"], percent(w["on_time_delivery_rate"])) for w in weeks]
    carriers = figures["carriers"]
    sites = figures["sites"]
    missed = [(s["site"], percent(s["missed_scan_rate"])) for s in sites]
    late = [(s["site"], percent(s["late_handoff_rate"])) for s in sites]
    door = [(w["week_of"], w["click_to_door"]["median_hours"]) for w in weeks]
    return [
        ("Orders placed, week by week", [(w["week_of"], w["orders"]) for w in weeks], "#1b3f8b"),
        ("On time, % of deliveries, week by week", _known(on_time), "#1f6b3a"),
        ("Click to door, median hours, week by week", _known(door), "#7a4d00"),
        (
            "On time, % of parcels, per carrier",
            _known([(c["carrier"], percent(c["on_time_delivery_rate"])) for c in carriers]),
            "#1f6b3a",
        ),
        ("Parcels per carrier", [(c["carrier"], c["parcels"]) for c in carriers], "#1b3f8b"),
        ("Parcels handed off per site", [(s["site"], s["handed_off"]) for s in sites], "#1b3f8b"),
        ("Missed scans, % of hand-offs, per site", _known(missed), "#a3141f"),
        ("Late hand-offs, % after the cut-off, per site", _known(late), "#a3141f"),
    ]


def _known(items: list[tuple[str, Any]]) -> list[tuple[str, int]]:
    return [(label, round(value)) for label, value in items if value is not None]


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    views = console_templates()

    @pages.get("/ops/kpis", response_class=HTMLResponse)
    async def kpis(
        request: Request,
        session: KpiReader,
        chosen: Chosen,
    ) -> Response:
        """The report over the orders placed in a period (the last 28 days by default)."""
        try:
            scope = _scope(request, chosen)
        except _BadFilter as error:
            return render(
                views, request, "ops_kpis.html", session, 422, chosen=chosen, error=str(error)
            )
        figures = await run_in_threadpool(report, request.app.state.system.uows, scope)
        period = {
            **chosen,
            "since": figures["period"]["since"],
            "until": figures["period"]["until"],
        }
        query = urlencode({k: v for k, v in period.items() if v})
        return render(
            views,
            request,
            "ops_kpis.html",
            session,
            chosen=chosen,
            figures=figures,
            headlines=[(name, KPIS[name].definition, figures["kpis"][name]) for name in HEADLINES],
            exceptions=figures["kpis"]["exception_rate"]["by_kind"],
            charts=_charts(figures),
            query=query,
        )

    @pages.get("/ops/kpis.csv")
    async def export(
        request: Request,
        session: KpiReader,
        chosen: Chosen,
    ) -> Response:
        """Every figure of the report with its counts, as a spreadsheet."""
        try:
            scope = _scope(request, chosen)
        except _BadFilter as error:
            return Response(str(error), 422, media_type="text/plain", headers=PRIVATE)
        figures = await run_in_threadpool(report, request.app.state.system.uows, scope)
        written = io.StringIO()
        sheet = csv.DictWriter(written, COLUMNS, lineterminator="\r\n")
        sheet.writeheader()
        sheet.writerows(report_rows(figures))
        name = f"kpis-{figures['period']['since']}-{figures['period']['until']}.csv"
        return Response(
            written.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{name}"'},
        )

    @pages.get("/ops/kpis/{name}", response_class=HTMLResponse)
    async def behind(
        request: Request,
        session: KpiReader,
        name: Annotated[str, Path(max_length=100)],
        chosen: Chosen,
        outcome: Filter = "",
        after: Filter = "",
    ) -> Response:
        """The orders behind one figure, by order id, a page at a time."""
        kpi = KPIS.get(name)
        if kpi is None:
            return render(
                views,
                request,
                "ops_kpi_orders.html",
                session,
                404,
                kpi=None,
                kpi_name=name,
                chosen=chosen,
                error=f"No KPI is named '{name}'.",
            )
        try:
            scope = _scope(request, chosen)
        except _BadFilter as error:
            return render(
                views,
                request,
                "ops_kpi_orders.html",
                session,
                422,
                kpi=kpi,
                kpi_name=name,
                chosen=chosen,
                error=str(error),
            )
        listing = partial(
            orders_behind,
            request.app.state.system.uows,
            name,
            scope,
            outcome=outcome or None,
            after=after or None,
            limit=PAGE + 1,
        )
        found = await run_in_threadpool(listing)
        kept = {k: v for k, v in {**chosen, "outcome": outcome}.items() if v}
        following = None
        if len(found) > PAGE:
            following = f"/ops/kpis/{name}?" + urlencode(
                {**kept, "after": found[PAGE - 1].order_id}
            )
        return render(
            views,
            request,
            "ops_kpi_orders.html",
            session,
            kpi=kpi,
            kpi_name=name,
            chosen=chosen,
            outcome=outcome,
            found=found[:PAGE],
            following=following,
            report=f"/ops/kpis?{urlencode({k: v for k, v in chosen.items() if v})}",
        )

    return pages
