"""`POST /driver/actions`: one action at a stop, as the phone's queue sends it (a multipart
form: the fields, and the photo and signature as files). Answers are problem documents the
queue reads: 201 recorded, 200 a duplicate (sent before), 401 signed out, 403 another
driver's route, 404 no such route or stop, 413 a file too large, 422 anything else wrong.
Only 401 and 5xx are worth sending again; any refusal stores nothing."""

from __future__ import annotations

import hmac
import math
from datetime import datetime
from functools import partial
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from ordertrail.app.fleet.ports import ProofRefused
from ordertrail.app.fleet.stops import Refusal, StopRefused, StopReport, report_at_stop
from ordertrail.app.fleet.uploads import PHOTO_BYTES
from ordertrail.domain.fleet import GpsFix, Handoff, StopAction
from ordertrail.domain.model import DomainError
from ordertrail.web.driver.session import CSRF_HEADER, driver_session
from ordertrail.web.problems import problem

_Choice = TypeVar("_Choice", StopAction, Handoff)
_STATUS = {Refusal.NOT_ON_ROUTE: 404, Refusal.NOT_YOURS: 403}


def router() -> APIRouter:
    actions = APIRouter(prefix="/driver", include_in_schema=False)

    @actions.post("/actions")
    async def act(request: Request) -> Response:
        session = await driver_session(request)
        if session is None:
            return problem(401, "Unauthorized", "sign in again: the action is kept on the phone")
        given = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(given.encode(), session.csrf.encode()):
            return problem(403, "Forbidden", f"the {CSRF_HEADER} header does not match")
        # a file one byte over the photo's limit is still read to say so; more is cut short
        form = await request.form(max_files=2, max_fields=20, max_part_size=64 * 1024)
        try:
            report = await _report(form)
        except DomainError as error:
            return problem(422, "Action refused", f"{error.field}: {error.message}")
        except ProofRefused as error:
            return _proof_refused(error)
        system = request.app.state.system
        doing = partial(
            report_at_stop,
            system.uows,
            system.proof_files(),
            system.handle,
            session.driver,
            report,
            system.clock.now(),
        )
        try:
            outcome = await run_in_threadpool(doing)
        except StopRefused as refused:
            return problem(_STATUS[refused.why], "Action refused", refused.message)
        except ProofRefused as error:
            return _proof_refused(error)
        except DomainError as error:
            return problem(422, "Action refused", f"{error.field}: {error.message}")
        body = {"recorded": outcome.recorded, "duplicates": outcome.duplicates}
        return JSONResponse(body, status_code=201 if outcome.recorded else 200)

    return actions


def _proof_refused(error: ProofRefused) -> Response:
    status = 413 if error.too_large else 422
    return problem(status, "Proof refused", f"{error.field}: {error.message}")


async def _report(form: FormData) -> StopReport:
    action = _choice(StopAction, "action", _text(form, "action"))
    stop = _text(form, "stop")
    handoff = _text(form, "handoff")
    return StopReport(
        route_id=_text(form, "route") or "",
        stop=_number(stop, "stop") if stop else None,
        action=action,
        key=_text(form, "key") or "",
        occurred_at=_moment(_text(form, "occurred_at")),
        reason=_text(form, "reason"),
        handoff=_choice(Handoff, "handoff", handoff) if handoff else None,
        where=_text(form, "where"),
        signed_by=_text(form, "signed_by"),
        gps=GpsFix.given(
            _float(form, "latitude"), _float(form, "longitude"), _float(form, "accuracy")
        ),
        photo=await _file(form, "photo"),
        signature=await _file(form, "signature"),
    )


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or "\x00" in value or len(value) > 300:
        raise DomainError(name, "must be plain text of at most 300 characters")
    return value


def _choice(kind: type[_Choice], name: str, text: str | None) -> _Choice:
    try:
        return kind(text or "")
    except ValueError:
        raise DomainError(name, f"must be one of {', '.join(kind)}") from None


def _number(text: str, name: str) -> int:
    if not text.isdigit() or len(text) > 6:
        raise DomainError(name, "must be a stop's number")
    return int(text)


def _float(form: FormData, name: str) -> float | None:
    text = _text(form, name)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise DomainError(f"gps.{name}", "must be a number") from None
    if not math.isfinite(value):
        raise DomainError(f"gps.{name}", "must be a finite number")
    return value


def _moment(text: str | None) -> datetime:
    try:
        return datetime.fromisoformat(text or "")
    except ValueError:
        raise DomainError("occurred_at", "must be a time like 2026-11-25T14:02:00Z") from None


async def _file(form: FormData, name: str) -> bytes | None:
    value = form.get(name)
    if value is None or isinstance(value, str):
        return None
    assert isinstance(value, UploadFile)
    content = await value.read(PHOTO_BYTES + 1)  # enough to tell it is too large
    return content or None
