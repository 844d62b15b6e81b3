"""What every ops console page shares: the signed-in frame, private headers, and the way a
form post returns to the page it came from."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from ordertrail.app import addresses
from ordertrail.app.casework.staff_words import (
    age_words,
    case_status_words,
    kind_words,
    kinds_in_words,
    message_words,
    team_words,
)
from ordertrail.app.staff.access_ports import StaffSession
from ordertrail.domain.access import Permission
from ordertrail.web import guard
from ordertrail.web.api.auth import as_principal
from ordertrail.web.console import display as staff_display
from ordertrail.web.console.charts import bars
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
    "bulk_acknowledge": "Cases acknowledged; each case's history says who and why.",
    "bulk_assign": "Cases assigned; each case's history says who and why.",
    "filter_saved": "Filter saved for your team.",
    "filter_forgotten": "Filter forgotten.",
    "corrected": "Status corrected; the timeline records why.",
    "mapped": "Code mapped; every parcel that saw it was read again.",
    "retried": "The message is queued again.",
    "revoked": "Key revoked: the next request with it is refused.",
    "disabled": "Locked out: their sessions ended.",
    "enabled": "They can sign in again.",
    "return_approved": "Return approved; the timeline records who and why.",
    "return_rejected": "Return rejected; the timeline records who and why.",
    "return_received": "Goods received; the timeline records what came back.",
    "return_inspected": "Line inspected; the timeline records the disposition.",
    "refund_released": "Refund released; the shop's systems are told by webhook.",
    "replacement_released": "Replacement released; the shop's systems are told by webhook.",
}


def console_templates() -> Jinja2Templates:
    views = templates()
    views.env.globals.update(bars=bars, Permission=Permission)
    views.env.globals.update(
        kind_words=kind_words, team_words=team_words, status_words=case_status_words
    )
    views.env.globals.update(age_words=age_words, kinds_in_words=kinds_in_words)
    views.env.filters.update(message_words=message_words)
    views.env.filters.update(
        when=staff_display.when, said=staff_display.said, money=staff_display.money
    )
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
            "back_to": here(request),
            **context,
        },
        status_code=status,
    )
    response.headers.update(PRIVATE)
    return response


def here(request: Request) -> str:
    """This page's address as the browser asked for it (ids still encoded, filters kept),
    without the note of a post that brought it here: where a form on it returns to."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "done"]
    return request.url.path + (f"?{urlencode(kept)}" if kept else "")


def back(to: str, done: str, *, row: str = "", **query: str) -> RedirectResponse:
    """After a post, back to a console page (post, redirect, get: a reload posts nothing),
    with its filters, scrolled to the `row` the action was taken on."""
    address = urlsplit(to)
    path = address.path
    if not path.startswith("/ops") or "//" in to or "\\" in to or address.scheme:
        path, address = "/ops", urlsplit("/ops")
    given = parse_qsl(address.query, keep_blank_values=True)
    kept = [(k, v) for k, v in given if k != "done" and k not in query]
    target = f"{quote(path, safe='/%')}?{urlencode([*kept, ('done', done), *query.items()])}"
    if row:
        target += f"#{addresses.part(row)}"
    return RedirectResponse(target, status_code=303, headers=PRIVATE)
