"""Health checks for whatever runs the process (a container orchestrator, a load balancer,
systemd): `/livez` says the process answers, and touches nothing else (a database that is
down is no reason to restart the server); `/readyz` says it can serve now (the database
answers and its schema is current), so traffic goes elsewhere until it can. `/healthz` is
readiness under its older name."""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ordertrail.store.readiness import Readiness, readiness
from ordertrail.web.api.docs import refusals
from ordertrail.web.problems import UNAVAILABLE_RETRY_AFTER, problem

log = logging.getLogger("ordertrail.health")


class Health(BaseModel):
    status: str = "ok"


_NOT_READY = refusals(
    {503: "Not ready: `check` names what failed (`database` or `schema`) and `detail` how."}
)
_NOT_READY[503]["headers"] = {
    "Retry-After": {
        "description": "Seconds to wait before asking again.",
        "schema": {"type": "integer", "minimum": 0},
    }
}


async def _shared_check(request: Request) -> Readiness:
    """The readiness check under way, or a new one: requests that arrive while one runs share
    its answer, so a burst of health checks (every process behind a balancer, a benchmark)
    costs the database one query at a time, and nobody is answered from before they asked
    by more than one check's time."""
    state = request.app.state
    running: asyncio.Future[Readiness] | None = getattr(state, "readiness_check", None)
    if running is None or running.get_loop() is not asyncio.get_running_loop():
        engine = state.system.engine
        running = asyncio.ensure_future(run_in_threadpool(readiness, engine))
        state.readiness_check = running
        running.add_done_callback(partial(_forget, state))
    return await asyncio.shield(running)


def _forget(state: Any, done: asyncio.Future[Readiness]) -> None:
    """A finished check is forgotten, unless a newer one (another loop's) took its place."""
    if getattr(state, "readiness_check", None) is done:
        state.readiness_check = None


def router() -> APIRouter:
    routes = APIRouter(tags=["health"])

    @routes.get("/livez", response_model=Health)
    async def live() -> Health:
        """The process answers. Asks nothing of the database."""
        return Health()

    @routes.get("/readyz", response_model=Health, responses=_NOT_READY)
    async def ready(request: Request) -> Response:
        """The database answers and its schema is the one this version needs."""
        found = await _shared_check(request)
        if found.failed is None:
            return JSONResponse(Health().model_dump())
        log.warning("not ready: %s: %s %s", found.failed, found.why, found.cause)
        answer = problem(503, "Not ready", f"{found.failed}: {found.why}", check=found.failed)
        answer.headers["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
        return answer

    @routes.get("/healthz", response_model=Health, responses=_NOT_READY)
    async def healthz(request: Request) -> Response:
        """Readiness, under the name earlier versions answered to."""
        return await ready(request)

    return routes
