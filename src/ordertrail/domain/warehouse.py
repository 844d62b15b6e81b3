"""The warehouse's steps, and the scans a parcel should have had by now.

Pick, pack, label and hand-off are scanned at stations; each records a milestone. A carton
packed but never handed to the carrier, or labelled but never taken in by the carrier, is a
missing scan somewhere: the rules that open exception cases start from `missing_scan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ordertrail.domain.milestones import Milestone


class Step(StrEnum):
    PICK = "pick"
    PACK = "pack"
    LABEL = "label"
    HANDOFF = "handoff"
    RELABEL = "relabel"

    @property
    def milestone(self) -> Milestone:
        return _MILESTONE[self]

    @property
    def needs_carton(self) -> bool:
        """Labels and hand-offs are about one physical parcel, never a whole order."""
        return self in (Step.LABEL, Step.RELABEL, Step.HANDOFF)


_MILESTONE = {
    Step.PICK: Milestone.PICKED,
    Step.PACK: Milestone.PACKED,
    Step.LABEL: Milestone.LABEL_CREATED,
    Step.RELABEL: Milestone.LABEL_CREATED,  # a new label on the same carton
    Step.HANDOFF: Milestone.CARRIER_ACCEPTED,
}


class MissingScan(StrEnum):
    NOT_HANDED_OFF = "packed_not_handed_off"
    NOT_ACCEPTED = "labelled_not_accepted"


@dataclass(frozen=True, slots=True)
class HandOffPromise:
    """How long a parcel may wait in each state before a scan is missing."""

    packed_within: timedelta = timedelta(hours=8)
    labelled_within: timedelta = timedelta(hours=24)

    @classmethod
    def of_hours(cls, packed: float, labelled: float) -> HandOffPromise:
        return cls(timedelta(hours=packed), timedelta(hours=labelled))

    def wait_for(self, status: Milestone) -> timedelta | None:
        if status is Milestone.PACKED:
            return self.packed_within
        if status is Milestone.LABEL_CREATED:
            return self.labelled_within
        return None


def missing_scan(
    status: Milestone | None,
    since: datetime | None,
    now: datetime,
    promise: HandOffPromise = HandOffPromise(),
) -> MissingScan | None:
    """Which scan is overdue for a parcel that has been in `status` since `since`, if any."""
    if status is None or since is None:
        return None
    wait = promise.wait_for(status)
    if wait is None or now - since < wait:
        return None
    return MissingScan.NOT_HANDED_OFF if status is Milestone.PACKED else MissingScan.NOT_ACCEPTED
