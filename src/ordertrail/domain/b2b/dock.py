"""A B2B delivery's dock appointment at the receiving site, folded from the order's events.

The freight carrier (or the buyer's portal, or an account manager) books a time at the dock:
requested → scheduled (a window) → moved (a new window, any number of times) → checked in →
unloaded. A truck that does not come in its window is `dock_appointment_missed`: the load
waits for a new slot, often days, and the account's team must know first. The events are
said of the order (subject `order`) and carry what is their own in `data`:

- `window_start`, `window_end`: the booked window (ISO instants with offsets), when
  scheduled or moved
- `dock`: which door, when the site said
- `damaged`: on `unloaded`, the units the receiving site found damaged, as
  `[{"sku": ..., "quantity": ...}]` (what goes on the bill of lading as an exception)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ordertrail.domain.casework.exceptions import ExceptionKind, Finding
from ordertrail.domain.fold import ordered
from ordertrail.domain.milestones import Milestone, Phase
from ordertrail.domain.model import DomainError, TrackingEvent, require_aware

#: A dock window longer than a day books nothing a receiving clerk can plan a door around.
LONGEST_WINDOW = timedelta(hours=24)


class AppointmentState(StrEnum):
    REQUESTED = "requested"
    SCHEDULED = "scheduled"
    MISSED = "missed"
    CHECKED_IN = "checked_in"
    UNLOADED = "unloaded"


_STATE_OF = {
    Milestone.DOCK_APPOINTMENT_REQUESTED: AppointmentState.REQUESTED,
    Milestone.DOCK_APPOINTMENT_SCHEDULED: AppointmentState.SCHEDULED,
    Milestone.DOCK_APPOINTMENT_MOVED: AppointmentState.SCHEDULED,
    Milestone.DOCK_APPOINTMENT_MISSED: AppointmentState.MISSED,
    Milestone.DOCK_CHECKED_IN: AppointmentState.CHECKED_IN,
    Milestone.UNLOADED: AppointmentState.UNLOADED,
}


@dataclass(frozen=True, slots=True)
class DockWindow:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        require_aware("window_start", self.start)
        require_aware("window_end", self.end)
        if self.end <= self.start:
            raise DomainError("window_end", "the dock window ends before it starts")
        if self.end - self.start > LONGEST_WINDOW:
            raise DomainError("window_end", "a dock window is at most 24 hours long")


@dataclass(frozen=True, slots=True)
class Appointment:
    """Where an order's dock appointment stands, and how it got there."""

    state: AppointmentState
    window: DockWindow | None = None
    dock: str | None = None
    #: how many times the window was moved after it was first scheduled
    moves: int = 0
    #: when it was last missed, and the event that said so (what the case points at)
    missed_at: datetime | None = None
    missed_key: str | None = None
    #: units the receiving site found damaged at unloading, by SKU
    damaged: tuple[tuple[str, int], ...] = ()

    @property
    def damaged_units(self) -> Counter[str]:
        return Counter(dict(self.damaged))


def window_of(data: Any) -> DockWindow | None:
    """The window an appointment event books (None when it names none); a window that is
    given but wrong is an error for the sender, not silently dropped."""
    if not isinstance(data, dict) or not (data.get("window_start") or data.get("window_end")):
        return None
    try:
        start = datetime.fromisoformat(str(data.get("window_start")))
        end = datetime.fromisoformat(str(data.get("window_end")))
    except ValueError:
        raise DomainError(
            "data", "window_start and window_end are ISO instants with offsets"
        ) from None
    return DockWindow(start, end)


def damaged_of(data: Any) -> Counter[str]:
    """The damaged units an `unloaded` event reports (refusing a malformed list)."""
    listed = data.get("damaged") if isinstance(data, dict) else None
    if listed is None:
        return Counter()
    if not isinstance(listed, list):
        raise DomainError("data", "damaged is a list of {sku, quantity}")
    found = Counter[str]()
    for item in listed:
        sku = item.get("sku") if isinstance(item, dict) else None
        quantity = item.get("quantity") if isinstance(item, dict) else None
        if (
            not isinstance(sku, str)
            or not sku.strip()
            or not isinstance(quantity, int)
            or isinstance(quantity, bool)
            or quantity < 1
        ):
            raise DomainError("data", "each damaged item has a sku and a quantity of at least 1")
        found[sku] += quantity
    return found


def check_report(milestone: Milestone, data: Any) -> None:
    """Refuse an appointment report that cannot be read, before anything is stored."""
    window = window_of(data)
    booking = (Milestone.DOCK_APPOINTMENT_SCHEDULED, Milestone.DOCK_APPOINTMENT_MOVED)
    if milestone in booking and window is None:
        raise DomainError("data", f"'{milestone}' gives the window: window_start and window_end")
    if milestone is Milestone.UNLOADED:
        damaged_of(data)


def fold_appointment(events: Iterable[TrackingEvent]) -> Appointment | None:
    """The order's appointment after its events (None: it never had one). Events that do not
    read (a window in a wrong form, stored before this module knew them) are passed over."""
    current: Appointment | None = None
    for event, duplicate in ordered(events):
        milestone = event.milestone
        if duplicate or milestone is None or milestone.spec.phase is not Phase.APPOINTMENT:
            continue
        if event.conflict:
            continue
        try:
            current = _step(current, milestone, event)
        except DomainError:
            continue
    return current


def _step(current: Appointment | None, milestone: Milestone, event: TrackingEvent) -> Appointment:
    before = current or Appointment(AppointmentState.REQUESTED)
    state = _STATE_OF[milestone]
    window = window_of(event.data) or before.window
    dock = event.data.get("dock") if isinstance(event.data.get("dock"), str) else before.dock
    moves = before.moves + (
        milestone is Milestone.DOCK_APPOINTMENT_MOVED
        or (
            milestone is Milestone.DOCK_APPOINTMENT_SCHEDULED
            and before.window is not None
            and window != before.window
        )
    )
    missed_at, missed_key = before.missed_at, before.missed_key
    if milestone is Milestone.DOCK_APPOINTMENT_MISSED:
        missed_at, missed_key = event.occurred_at, event.key
    damaged = before.damaged
    if milestone is Milestone.UNLOADED:
        damaged = tuple(sorted(damaged_of(event.data).items()))
    return Appointment(state, window, dock, moves, missed_at, missed_key, damaged)


def appointment_findings(appointment: Appointment | None) -> list[Finding]:
    """A missed appointment is trouble until the truck is booked again or checks in."""
    if appointment is None or appointment.state is not AppointmentState.MISSED:
        return []
    assert appointment.missed_at is not None and appointment.missed_key is not None
    window = appointment.window
    when = f" (window {window.start.isoformat()}–{window.end.isoformat()})" if window else ""
    detail = f"dock appointment missed{when}; the load needs a new slot"
    return [
        Finding(
            ExceptionKind.DOCK_APPOINTMENT_MISSED,
            appointment.missed_key,
            appointment.missed_at,
            detail,
        )
    ]
