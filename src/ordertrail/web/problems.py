"""RFC 9457 problem documents for every error the API answers."""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY

from ordertrail.app.handlers import ItemProblem
from ordertrail.app.ports import WriteConflict
from ordertrail.domain.text import LONE_SURROGATE, NUL
from ordertrail.web.body_limit import too_large

PROBLEM_JSON = "application/problem+json"
#: where programs, not people, are answered
_MACHINE_PATHS = ("/api/", "/hooks/", "/healthz", "/metrics")
_BUSY_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Busy for a moment</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Busy for a moment</h1>
<p>We could not save that just now because the system is busy. Nothing was changed: please
go back and try again in a few seconds.</p></main></body></html>
"""


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


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


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def _no_nul(request: Request, call_next: Any) -> Any:
        # No identifier contains NUL, and PostgreSQL could not even compare one that did.
        if "\x00" in request.url.path or "%00" in request.url.query.lower():
            return problem(400, "Bad request", "the address contains a NUL character")
        return await call_next(request)

    @app.exception_handler(WriteConflict)
    async def _busy(request: Request, error: WriteConflict) -> Response:
        # DatabaseBusy too: a writer waited its time for another (write_wait_seconds)
        response: Response
        if request.url.path.startswith(_MACHINE_PATHS):
            response = problem(
                503,
                "Busy",
                "other writers kept the database busy; nothing was stored, "
                "send the same request again",
            )
        else:  # a person at a page
            response = HTMLResponse(_BUSY_PAGE, status_code=503)
        response.headers["Retry-After"] = "2"
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
