"""Health checks for whatever runs the process (a container orchestrator, a load balancer,
systemd): `/livez` says the process answers, and touches nothing else (a database that is
down is no reason to restart the server); `/readyz` says it can serve now (the database
answers and its schema is current), so traffic goes elsewhere until it can. `/healthz` is
readiness under its older name."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ordertrail.store.readiness import readiness
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


def router() -> APIRouter:
    routes = APIRouter(tags=["health"])

    @routes.get("/livez", response_model=Health)
    async def live() -> Health:
        """The process answers. Asks nothing of the database."""
        return Health()

    @routes.get("/readyz", response_model=Health, responses=_NOT_READY)
    async def ready(request: Request) -> Response:
        """The database answers and its schema is the one this version needs."""
        found = await run_in_threadpool(readiness, request.app.state.system.engine)
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
