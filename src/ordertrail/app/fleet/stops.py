"""What a driver does at a stop (or to the whole route, when it leaves the depot), with its
proof. Everything is checked before anything is kept: the route is the driver's, the stop is
on it, the action has what it needs, the uploads are images of a sane size; only then are the
files kept and the events recorded, all or none. Each action carries the phone's own
idempotency key: sent again (a queue replayed after a dead spot), it is a duplicate."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ordertrail.app.fleet.ports import Driver, ProofFiles
from ordertrail.app.fleet.reports import Record, stop_reports
from ordertrail.app.fleet.uploads import PHOTO_BYTES, SIGNATURE_BYTES, checked
from ordertrail.app.intake.commands import RecordEvents
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.domain.fleet import GpsFix, Handoff, Proof, StopAction, attempt_reason
from ordertrail.domain.model import DomainError, require_aware, require_real_offset

KEY = re.compile(r"^[A-Za-z0-9_-]{8,100}$")
#: A phone's clock may run a little ahead; an action from further ahead is a wrong clock.
CLOCK_SLACK = timedelta(minutes=10)


class Refusal(StrEnum):
    NOT_ON_ROUTE = "not_on_route"  # no such route, or no such stop on it
    NOT_YOURS = "not_yours"  # another driver's route


class StopRefused(Exception):
    def __init__(self, why: Refusal, message: str) -> None:
        super().__init__(message)
        self.why, self.message = why, message


@dataclass(frozen=True, slots=True)
class StopReport:
    """An action as the phone sends it; `stop` is None for `started` (the whole route)."""

    route_id: str
    stop: int | None
    action: StopAction
    key: str
    occurred_at: datetime
    reason: str | None = None
    handoff: Handoff | None = None
    where: str | None = None
    signed_by: str | None = None
    gps: GpsFix | None = None
    photo: bytes | None = None
    signature: bytes | None = None


@dataclass(frozen=True, slots=True)
class StopOutcome:
    recorded: int  # events newly kept
    duplicates: int  # events already kept: the action was sent before


DRIVER_ACTIONS = frozenset(StopAction) - {StopAction.ASSIGNED}


def report_at_stop(
    uows: UnitOfWorkFactory,
    files: ProofFiles,
    record: Record,
    driver: Driver,
    report: StopReport,
    now: datetime,
) -> StopOutcome:
    """Check, keep the proof, record: StopRefused for the wrong route or stop, DomainError
    (or ProofRefused) for what the action lacks."""
    _check_basics(report, now)
    with uows(read_only=True) as uow:
        route = uow.fleet.route(report.route_id)
    if route is None:
        raise StopRefused(Refusal.NOT_ON_ROUTE, f"there is no route '{report.route_id}'")
    if route.driver != driver.name:
        raise StopRefused(Refusal.NOT_YOURS, f"route '{route.id}' is another driver's")
    stops = route.stops
    if report.action is not StopAction.STARTED:
        stop = route.stop(report.stop or 0)
        if stop is None:
            raise StopRefused(Refusal.NOT_ON_ROUTE, f"route '{route.id}' has no stop {report.stop}")
        stops = (stop,)
    reason = attempt_reason(report.reason) if report.action is StopAction.ATTEMPTED else None
    proof = _proof(files, report) if report.action is StopAction.DELIVERED else None
    reports = stop_reports(
        route,
        stops,
        report.action,
        report.occurred_at,
        report.key,
        driver=driver.name,
        reason=reason,
        proof=proof,
        gps=report.gps,
    )
    result = record(RecordEvents(reports, all_or_nothing=True))
    if result.problems:
        problem = result.problems[0]
        raise DomainError(problem.field, problem.message)
    return StopOutcome(result.accepted, result.duplicates)


def _check_basics(report: StopReport, now: datetime) -> None:
    if not KEY.fullmatch(report.key):
        raise DomainError("key", "an idempotency key is 8–100 letters, digits, '-' or '_'")
    if report.action not in DRIVER_ACTIONS:
        raise DomainError("action", f"'{report.action}' is not something a driver does")
    require_real_offset("occurred_at", require_aware("occurred_at", report.occurred_at))
    if report.occurred_at > now + CLOCK_SLACK:
        raise DomainError("occurred_at", "is in the future: is the phone's clock right?")
    if report.action is not StopAction.DELIVERED and (report.photo or report.signature):
        raise DomainError("photo", "a photo or signature belongs to a delivery")


def _proof(files: ProofFiles, report: StopReport) -> Proof:
    """The delivery's proof, its images checked first and kept last (a refused delivery
    leaves no file behind)."""
    if report.handoff is None:
        raise DomainError("handoff", "say whether it was handed to someone or left somewhere")
    if report.photo is None and report.signature is None and report.gps is None:
        raise DomainError("proof", "a delivery needs a photo, a signature or a GPS position")
    photo_type = checked("photo", report.photo, PHOTO_BYTES) if report.photo else None
    signature_type = (
        checked("signature", report.signature, SIGNATURE_BYTES, only="image/png")
        if report.signature
        else None
    )
    proof = Proof(report.handoff, (report.where or "").strip(), _name(report.signed_by))
    photo = files.put(report.photo, photo_type) if report.photo and photo_type else None
    signature = (
        files.put(report.signature, signature_type) if report.signature and signature_type else None
    )
    return Proof(proof.handoff, proof.where, proof.signed_by, photo, signature)


def _name(text: str | None) -> str | None:
    return text.strip() or None if text else None
