"""Parcels whose next scan is overdue: packed but never handed off, labelled but never taken
in by the carrier. The exception rules open cases from this list; ops can read it as is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ordertrail.app.ports import UnitOfWorkFactory, WaitingParcel
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.warehouse import HandOffPromise, MissingScan, missing_scan


@dataclass(frozen=True, slots=True)
class MissingScanReport:
    parcel: WaitingParcel
    missing: MissingScan


def missing_scans(
    uows: UnitOfWorkFactory,
    now: datetime,
    promise: HandOffPromise = HandOffPromise(),
    limit: int = 1000,
) -> list[MissingScanReport]:
    """Oldest first; read through the (status, status_at) index, so the cost follows the
    parcels that are waiting, not every parcel ever stored."""
    found: list[MissingScanReport] = []
    with uows(read_only=True) as uow:
        for status in (Milestone.PACKED, Milestone.LABEL_CREATED):
            wait = promise.wait_for(status)
            assert wait is not None
            for parcel in uow.projections.waiting_since(status, now - wait, limit):
                missing = missing_scan(parcel.status, parcel.since, now, promise)
                if missing is not None:
                    found.append(MissingScanReport(parcel, missing))
    found.sort(key=lambda report: report.parcel.since)
    return found[:limit]
