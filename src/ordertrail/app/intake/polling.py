"""Ask carriers without webhooks about the parcels that are due, and record what they say.

The carrier is asked outside any transaction: a slow or dead carrier API holds no lock and
never stands in the way of webhooks, scans or imports. Due parcels are claimed with a lease
first, so two workers never ask about the same parcel at once, and one that dies mid-round
leaves its parcels to be asked again when the lease runs out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from ordertrail.app.intake.commands import EventReport, RecordEvents
from ordertrail.app.intake.handlers import handle
from ordertrail.app.ports import Clock, DueParcel, UnitOfWorkFactory
from ordertrail.domain.fold import SubjectState
from ordertrail.domain.model import Subject, SubjectKind
from ordertrail.domain.polling import next_poll


class CarrierUnavailable(Exception):
    """The carrier cannot answer now: down, too slow, unreadable, or asking us to wait."""

    def __init__(self, why: str, retry_after: timedelta | None = None) -> None:
        super().__init__(why)
        self.retry_after = retry_after


class CarrierTracker(Protocol):
    def fetch(self, tracking_number: str) -> list[EventReport]:
        """The carrier's events for one parcel, or CarrierUnavailable; nothing else."""
        ...


@dataclass(slots=True)
class PollSummary:
    asked: int = 0
    events: int = 0
    failed: int = 0
    rate_limited: int = 0
    put_off: int = 0  # not asked: their carrier had just asked us to wait


def poll_due(
    uows: UnitOfWorkFactory,
    clock: Clock,
    trackers: Mapping[str, CarrierTracker],
    *,
    limit: int = 100,
    lease: timedelta = timedelta(minutes=10),
    jitter: Callable[[], float] = lambda: 0.0,
) -> PollSummary:
    """One round: claim what is due, ask each carrier, record, schedule the next question."""
    with uows() as uow:
        due = uow.polls.claim_due(clock.now(), trackers, limit, lease)
        uow.commit()
    summary = PollSummary()
    waits: dict[str, timedelta] = {}  # carriers that asked us to wait, and for how long
    for parcel in due:
        if parcel.carrier in waits:
            summary.put_off += 1
            _schedule(uows, clock, parcel, parcel.failures, waits[parcel.carrier], 0.0)
            continue
        summary.asked += 1
        try:
            reports = _ask(trackers[parcel.carrier], parcel.tracking_number)
        except CarrierUnavailable as unavailable:
            if unavailable.retry_after is not None:
                summary.rate_limited += 1
                waits[parcel.carrier] = unavailable.retry_after
                failures = parcel.failures  # being told to wait is not a failure
            else:
                summary.failed += 1
                failures = parcel.failures + 1
            _schedule(uows, clock, parcel, failures, unavailable.retry_after, jitter())
            continue
        result = handle(RecordEvents(reports), uows, clock)
        summary.events += result.accepted
        _schedule(uows, clock, parcel, 0, None, jitter())
    return summary


def _ask(tracker: CarrierTracker, tracking_number: str) -> list[EventReport]:
    """The tracker's answer; a tracker that breaks its contract costs this parcel a failure,
    never the worker its life (the next parcels are still asked)."""
    try:
        return tracker.fetch(tracking_number)
    except CarrierUnavailable:
        raise
    except Exception as error:
        raise CarrierUnavailable(f"tracker failed: {type(error).__name__}: {error}") from error


def _schedule(
    uows: UnitOfWorkFactory,
    clock: Clock,
    parcel: DueParcel,
    failures: int,
    retry_after: timedelta | None,
    jitter: float,
) -> None:
    subject = Subject(SubjectKind.SHIPMENT, parcel.shipment_id)
    with uows() as uow:
        state = uow.projections.lock([subject]).get(subject, SubjectState())
        when = next_poll(
            clock.now(), state, failures=failures, retry_after=retry_after, jitter=jitter
        )
        uow.polls.schedule(parcel.shipment_id, when, failures)
        uow.commit()
