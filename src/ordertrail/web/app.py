"""The web application: `create_app(system)` wires routes to an already built system."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

import ordertrail
from ordertrail.app.intake.group_commit import GroupCommit
from ordertrail.bootstrap import System, build
from ordertrail.sources.canonical import EventIn, OrderIn
from ordertrail.web import body_limit, branding, guard, health, pages, problems
from ordertrail.web.api import cases as cases_api
from ordertrail.web.api import fleet_routes as fleet_api
from ordertrail.web.api import keys as keys_api
from ordertrail.web.api import kpis as kpis_api
from ordertrail.web.api import mappings as mappings_api
from ordertrail.web.api import metrics
from ordertrail.web.api import outbox as outbox_api
from ordertrail.web.api import records as api
from ordertrail.web.api import returns as returns_api
from ordertrail.web.api import scans as scans_api
from ordertrail.web.api.docs import ProblemDetails
from ordertrail.web.console import admin as console_admin
from ordertrail.web.console import auth as console_auth
from ordertrail.web.console import case_page as console_case
from ordertrail.web.console import home as console
from ordertrail.web.console import kpis as console_kpis
from ordertrail.web.console import privacy as console_privacy
from ordertrail.web.console import returns as console_returns
from ordertrail.web.console import work as console_work
from ordertrail.web.console import worklist as console_worklist
from ordertrail.web.driver import actions as driver_actions
from ordertrail.web.driver import pages as driver_pages
from ordertrail.web.hooks import deliveries as hooks
from ordertrail.web.public import proof as proof_files
from ordertrail.web.public import reroute as reroute_pages
from ordertrail.web.public import returns as return_pages
from ordertrail.web.public import subscribe as subscribe_pages
from ordertrail.web.public import track as track_pages
from ordertrail.web.request_log import RequestLog


def routers() -> list[APIRouter]:
    """Every router the app serves, in the order they are tried: FastAPI tries them one by
    one (about 10 µs each, and a page behind 23 of them paid 150-270 µs before its own code
    ran), so the paths asked most under load come first: health checks (a load balancer),
    carriers' webhooks, the customers' tracking pages, the API. Routers of different first
    path segments never match one path, so only the order among those of one segment (kept
    here) could change an answer; tests/integration/web/test_routing.py asks every route's path."""
    return [
        health.router(),
        hooks.router(),
        track_pages.router(),
        reroute_pages.router(),
        subscribe_pages.router(),
        api.router(),
        mappings_api.router(),
        mappings_api.held_router(),
        scans_api.router(),
        cases_api.router(),
        returns_api.router(),
        outbox_api.router(),
        keys_api.router(),
        kpis_api.router(),
        fleet_api.router(),
        metrics.router(),
        console_auth.router(),
        console.router(),
        console_worklist.router(),
        console_case.router(),
        console_work.router(),
        console_admin.router(),
        console_privacy.router(),
        console_returns.router(),
        console_kpis.router(),
        pages.router(),
        return_pages.router(),
        proof_files.router(),
        driver_pages.router(),
        driver_actions.router(),
    ]


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # as many request threads as pooled connections: a thread never waits for a connection,
    # and the pool never opens one per request (store/engine.py)
    threads = app.state.system.settings.request_threads
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads
    views = app.state.system.views
    views.start()  # tracking-page views are stored each second, not by each page
    try:
        yield
    finally:
        views.stop()  # and what was counted last, as the app stops


def create_app(system: System) -> FastAPI:
    app = FastAPI(
        title="OrderTrail",
        version=ordertrail.__version__,
        description="One trusted timeline for every order.",
        lifespan=_lifespan,
    )
    app.state.system = system
    # webhook deliveries and API events that arrive together share one durable commit
    app.state.commits = GroupCommit(system.uows, system.clock)
    app.state.rate_window = guard.rate_window(
        system.settings.rate_limit_storage, system.shared_rate_counters
    )
    app.state.brands = branding.brands_of(system.settings)
    problems.install(app)
    console_auth.install(app)
    for routes in routers():
        # counted as the bytes arrive, by the limit of the routes' kind
        app.include_router(routes, max_body_size=body_limit.limit_for(routes.prefix))
    app.mount("/static", StaticFiles(directory=pages.HERE / "static"), name="static")
    app.add_middleware(body_limit.DeclaredLength)
    app.add_middleware(RequestLog, meter=system.meter)  # added last: runs first, logs every answer

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        """Browsers ask for it on a first visit, whatever the page says: not a 404 each time."""
        return FileResponse(pages.HERE / "static" / "favicon.svg", media_type="image/svg+xml")

    def openapi() -> dict[str, Any]:
        # The event and order bodies are parsed item by item (so one bad item cannot sink the
        # rest), hence declared here rather than inferred from the route signatures.
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (EventIn, OrderIn, ProblemDetails):
                found = model.model_json_schema(
                    ref_template="#/components/schemas/{model}", by_alias=True
                )
                components.update(found.pop("$defs", {}))
                components[model.__name__] = found
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def from_environment() -> FastAPI:
    """The uvicorn factory for `ordertrail serve`: settings from the environment. A database
    that is not set up stops start-up (every call would fail on a missing table)."""
    system = build(metered=True)
    unready = system.unready()
    if unready:
        system.close()
        raise RuntimeError(unready)
    return create_app(system)
