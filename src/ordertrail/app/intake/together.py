"""The events of a group commit's writes derived together, once, before the group commits.

Every accepted event is derived from (its parcel's state, cases, estimate, messages, order):
per write, that was some seven statements and the derivation's own work for each delivery,
most of it the same queries asked again for another parcel. Here each write stores its
events at once (its answer needs to know what was stored) and leaves deriving to the group:
one fold, one save, one review, one estimate and one order refresh for all of them.

Writes are derived together only while their events are about different subjects, so each
subject still goes from the state before its write to the state after it, exactly as when
each write derived its own: a write about a subject already waiting first has the waiting
ones derived, then reads that subject's state again. Two parcels of one order may be derived
together: what is derived of an order (its status) is read from all its parcels at the end,
as the second write would have read it. Whatever a write does besides recording events
(registering orders or parcels reads states) also waits for the derivation of those before
it (`derive`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from ordertrail.app.intake.derive import Appended, append, derive
from ordertrail.app.ports import UnitOfWork
from ordertrail.domain.fold import SubjectState
from ordertrail.domain.model import Return, Subject, TrackingEvent


class Together:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._waiting: list[Appended] = []
        self._touched: set[Subject] = set()
        self._now: datetime | None = None

    def append_and_derive(
        self,
        events: Sequence[TrackingEvent],
        held: Mapping[Subject, SubjectState],
        new_returns: Mapping[str, Return],
        *,
        now: datetime,
    ) -> list[TrackingEvent]:
        """`derive.append_and_derive`, deriving with the group: the events stored."""
        if not events:
            return []
        touched = {e.subject for e in events}
        if touched & self._touched:
            # those subjects' saved states are the waiting writes' to change first; then
            # their states are read again, as a write after those would have read them
            stale = self._touched
            self.derive()
            held = {subject: state for subject, state in held.items() if subject not in stale}
        appended = append(self._uow, events, held, new_returns)
        if appended.stored:
            self._waiting.append(appended)
            self._touched |= touched
            self._now = now if self._now is None else max(self._now, now)
        return appended.stored

    def derive(self) -> None:
        """Derive what the waiting writes stored, all at once."""
        if not self._waiting:
            return
        saved: dict[Subject, SubjectState] = {}
        fresh: dict[Subject, list[TrackingEvent]] = {}
        stored: list[TrackingEvent] = []
        for appended in self._waiting:
            for subject, state in appended.saved.items():
                saved.setdefault(subject, state)  # the first write's read is the one before
            fresh.update(appended.fresh)  # no two waiting writes share a subject
            stored += appended.stored
        assert self._now is not None
        now = self._now
        self._waiting, self._touched, self._now = [], set(), None
        derive(self._uow, Appended(saved, fresh, stored), now=now)
