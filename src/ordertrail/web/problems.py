"""RFC 9457 problem documents for every error the API answers, and the answer everyone gets
while the database cannot be used: 503 with Retry-After, as a problem document for programs
and as a page, in the brand's look, for people."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.types import ASGIApp, Receive, Scope, Send

from ordertrail.app.intake.handlers import ItemProblem
from ordertrail.app.ports import DatabaseUnavailable, WriteConflict
from ordertrail.domain.text import LONE_SURROGATE, NUL
from ordertrail.web.body_limit import too_large
from ordertrail.web.pages import templates
from ordertrail.web.public.language import speak_for, varies

PROBLEM_JSON = "application/problem+json"
#: where programs, not people, are answered
_MACHINE_PATHS = ("/api/", "/hooks/", "/healthz", "/livez", "/readyz", "/metrics")
#: where staff, not customers, are answered
_STAFF_PATHS = ("/ops", "/scan")
#: Seconds to wait: another writer is done in a moment; a database that is away, less soon.
BUSY_RETRY_AFTER, UNAVAILABLE_RETRY_AFTER = 2, 10
log = logging.getLogger("ordertrail.database")


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def unavailable_problem(busy: bool = False) -> JSONResponse:
    """503: the request could not be served now; the same request later can be."""
    if busy:
        return problem(
            503,
            "Busy",
            "other writers kept the database busy; nothing was stored, send the same request again",
        )
    return problem(
        503,
        "Unavailable",
        "the database is unavailable just now; whatever this request was writing was not "
        "stored, send the same request again",
    )


def _unavailable_page(views: Jinja2Templates, request: Request, busy: bool) -> HTMLResponse:
    staff = request.url.path.startswith(_STAFF_PATHS)
    posted = request.method not in {"GET", "HEAD"}
    if posted:  # a form's answer: its page, not the post, is what to open again
        again = "/ops" if staff else "/track"
    else:
        again = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not staff:  # a customer reads it in their browser's language; the console is English
        speak_for(request)
    context = {
        "layout": "ops_base.html" if staff else "track_base.html",
        "staff": staff,
        "brand": None if staff else request.app.state.brands.pick(request.url.hostname),
        "busy": busy,
        "posted": posted,
        "again": again,
    }
    response = views.TemplateResponse(request, "unavailable.html", context, status_code=503)
    response.headers["Cache-Control"] = "no-store"  # never kept in place of the real page
    return response if staff else varies(response)


def item_errors(problems: Sequence[ItemProblem]) -> list[dict[str, Any]]:
    return [{"index": p.index, "field": p.field, "message": p.message} for p in problems]


def _said(error: dict[str, Any]) -> str:
    """Pydantic's message, or plain words where it speaks of regular expressions and raw
    data."""
    if error["type"] == "string_unicode":
        return LONE_SURROGATE
    pattern = str(error.get("ctx", {}).get("pattern", ""))
    if "\\x00-\\x1f" in pattern:
        return "must not contain NUL or other control characters (tab, newline, ...)"
    if "\\x00" in pattern:
        return NUL
    return str(error["msg"])


class NoNul:
    """An address with NUL in it is answered 400 before routing: no identifier contains NUL,
    and PostgreSQL could not even compare one that did. Plain ASGI, as every request passes
    here (`@app.middleware` would wrap each answer in a task and a stream)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            "\x00" in scope.get("root_path", "") + scope["path"]
            or b"%00" in scope.get("query_string", b"").lower()
        ):
            answer = problem(400, "Bad request", "the address contains a NUL character")
            await answer(scope, receive, send)
            return
        await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    views = templates()

    app.add_middleware(NoNul)

    @app.exception_handler(WriteConflict)
    @app.exception_handler(DatabaseUnavailable)
    async def _not_now(request: Request, error: Exception) -> Response:
        busy = isinstance(error, WriteConflict)  # DatabaseBusy is both: another writer's
        if not busy:
            log.warning("database unavailable: %s", error)
        response: Response
        if request.url.path.startswith(_MACHINE_PATHS):
            response = unavailable_problem(busy)
        else:  # a person at a page
            response = _unavailable_page(views, request, busy)
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER if busy else UNAVAILABLE_RETRY_AFTER)
        return response

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> JSONResponse:
        titles = {
            400: "Bad request",
            401: "Unauthorized",
            403: "Forbidden",
            404: "Not found",
            405: "Method not allowed",
            413: "Too large",
        }
        detail = str(error.detail)
        limit = request.scope.get(MAX_BODY_SIZE_SCOPE_KEY)
        if error.status_code == 413 and isinstance(limit, int):  # FastAPI's body limit, counted
            detail = too_large(limit)
        title = titles.get(error.status_code, HTTPStatus(error.status_code).phrase)
        answer = problem(error.status_code, title, detail)
        answer.headers.update(error.headers or {})
        return answer

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "message": _said(e)}
            for e in error.errors()
        ]
        return problem(
            422, "Invalid request", "the request does not have the expected shape", errors=errors
        )
