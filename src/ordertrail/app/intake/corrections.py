"""An ops correction: a person states a parcel's real status, with a reason, as an event.

Corrections are events like any other (the log keeps who said what and why), and the fold
lets an `ops:` source outrank every other, so the status follows the correction.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from ordertrail.app.intake.commands import EventReport, RecordEvents
from ordertrail.domain.milestones import Milestone, Reason, SourceKind
from ordertrail.domain.model import DomainError, Source


def correction(
    shipment: str,
    milestone: Milestone,
    reason: Reason | None,
    note: str,
    by: str,
    now: datetime,
) -> RecordEvents:
    """The command that records the correction; refused (DomainError) without a note."""
    note = note.strip()
    if not note:
        raise DomainError("note", "say why the status is corrected (the timeline keeps it)")
    report = EventReport(
        source=Source(SourceKind.OPS, by),
        occurred_at=now,
        milestone=milestone,
        reason=reason,
        shipment=shipment,
        key=f"ops:correction:{uuid.uuid4()}",
        data={"why": note[:2000]},
    )
    return RecordEvents([report], all_or_nothing=True)
