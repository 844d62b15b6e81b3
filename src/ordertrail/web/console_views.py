"""What every ops console page shares: the signed-in frame, private headers, and the way a
form post returns to the page it came from."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from ordertrail.app.access_ports import StaffSession
from ordertrail.domain.access import Permission
from ordertrail.web import guard
from ordertrail.web.auth import as_principal
from ordertrail.web.charts import bars
from ordertrail.web.pages import templates

PRIVATE = {
    **guard.PRIVATE,
    "X-Frame-Options": "DENY",  # no page of another site can frame a console button
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
}


#: What a finished form post says; a code in the address, never free text from it.
DONE = {
    "acknowledge": "Acknowledged.",
    "assign": "Assigned.",
    "note": "Note added.",
    "resolve": "Resolved.",
    "corrected": "Status corrected; the timeline records why.",
    "mapped": "Code mapped; every parcel that saw it was read again.",
    "retried": "The message is queued again.",
    "revoked": "Key revoked: the next request with it is refused.",
    "disabled": "Locked out: their sessions ended.",
    "enabled": "They can sign in again.",
}


def console_templates() -> Jinja2Templates:
    views = templates()
    views.env.globals.update(bars=bars, Permission=Permission)
    return views


def render(
    views: Jinja2Templates,
    request: Request,
    name: str,
    session: StaffSession | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    who = as_principal(session) if session else None
    response = views.TemplateResponse(
        request,
        name,
        {
            "session": session,
            "may": (lambda p: who is not None and who.may(p)),
            "done": DONE.get(request.query_params.get("done", "")),
            **context,
        },
        status_code=status,
    )
    response.headers.update(PRIVATE)
    return response


def back(path: str, done: str, **query: str) -> RedirectResponse:
    """After a post, back to a console page (post, redirect, get: a reload posts nothing)."""
    if not path.startswith("/ops") or "//" in path or "\\" in path:
        path = "/ops"
    return RedirectResponse(
        f"{path}?{urlencode({'done': done, **query})}", status_code=303, headers=PRIVATE
    )
