"""`/proof/{reference}`: a delivery's photo or signature, opened only through the signed,
expiring link the tracking page made; never cached, never indexed, never run as a page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ordertrail.app.fleet.proof_links import link_opens
from ordertrail.web.guard import PRIVATE


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/proof/{reference}")
    async def proof_file(
        request: Request,
        reference: Annotated[str, Path(max_length=80)],
        until: Annotated[int, Query(ge=0, le=2**40)] = 0,
        sig: Annotated[str, Query(max_length=64)] = "",
    ) -> Response:
        system = request.app.state.system
        secret = await run_in_threadpool(system.uows.link_secret)
        if not link_opens(secret, reference, until, sig, system.clock.now()):
            return Response("This link has expired: open the tracking page again.", 410, PRIVATE)
        found = await run_in_threadpool(system.proof_files().get, reference)
        if found is None:
            return Response("Not found", 404, PRIVATE)
        content, media_type = found
        headers = {
            **PRIVATE,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Content-Disposition": "inline",
        }
        return Response(content, media_type=media_type, headers=headers)

    return pages
