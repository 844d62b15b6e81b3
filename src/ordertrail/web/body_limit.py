"""How large a request body may be, by the kind of route it is sent to.

Routes read bodies whole (`await request.body()`, form parsing), so a limit checked after
reading is no limit: a chunked upload without Content-Length would be held in memory to its
end first. FastAPI's own request body limit (`max_body_size`, Starlette's
RequestBodyLimitMiddleware) counts the bytes as `receive()` hands them over and answers 413
the moment the count passes the limit; a Content-Length above it is refused before a byte
of the body is read. These are the limits it is given.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

#: The JSON API: a batch of 1,000 events fits many times over.
API_BYTES = 8 * 1024 * 1024
#: One signed webhook delivery (a store's order with hundreds of lines is ~200 KB).
HOOK_BYTES = 2 * 1024 * 1024
#: A driver's action at a stop: a phone's photo (at most 8 MB is kept) and a signature.
DRIVER_BYTES = 10 * 1024 * 1024
#: Everything else: form posts from the pages, a few short fields each.
FORM_BYTES = 64 * 1024


def limit_for(prefix: str) -> int:
    """The most bytes a request body may have on the routes under `prefix`."""
    if prefix.startswith("/hooks"):
        return HOOK_BYTES
    if prefix.startswith("/api/"):
        return API_BYTES
    if prefix.startswith("/driver"):
        return DRIVER_BYTES
    return FORM_BYTES


def too_large(limit: int) -> str:
    return f"the body is larger than {limit:,} bytes"


class DeclaredLength:
    """A request whose Content-Length is over its route's limit is answered 413 (a problem
    document) before routing: no dependency runs and not a byte of the body is read. Bodies
    without a length are counted by FastAPI's limit as they arrive."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            limit = limit_for(scope["path"])
            declared = Headers(scope=scope).get("content-length", "").strip()
            if declared.isdigit() and int(declared) > limit:
                body = {"type": "about:blank", "title": "Too large", "status": 413}
                answer = JSONResponse(
                    body | {"detail": too_large(limit)},
                    status_code=413,
                    media_type="application/problem+json",
                    headers={"Connection": "close"},  # the body is never read
                )
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)
