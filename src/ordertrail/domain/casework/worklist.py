"""The exception queue as a work list: the case that breaks a promise first comes first, and
many cases can be acknowledged or assigned at once, each keeping who did it and why."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from ordertrail.domain.casework.cases import Case, CaseAction, CaseClosed, CaseNote, CaseStatus
from ordertrail.domain.casework.exceptions import ExceptionKind, Team

#: How old a case must be to be shown, as the filter names it.
AGES = ("4h", "24h", "3d")
#: The most cases one bulk action may touch: a page of the queue, not the whole database.
MOST_AT_ONCE = 200


class Breaks(StrEnum):
    """What a case's first broken promise is: the customer's day, or our own deadline."""

    PROMISED_DAY = "promised_day"
    DEADLINE = "deadline"


def breaks_first(due_at: datetime, promise_ends_at: datetime | None) -> tuple[datetime, Breaks]:
    """When a case breaks a promise if nobody acts: the earlier of the end of the day the
    order was promised for and the case's own deadline."""
    if promise_ends_at is not None and promise_ends_at < due_at:
        return promise_ends_at, Breaks.PROMISED_DAY
    return due_at, Breaks.DEADLINE


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the queue shows: a kind, a team, an age, past-deadline only, open or resolved."""

    kind: ExceptionKind | None = None
    team: Team | None = None
    age: str = ""
    overdue: bool = False
    status: CaseStatus = CaseStatus.OPEN

    def __post_init__(self) -> None:
        if self.age and self.age not in AGES:
            raise ValueError(f"age: one of {', '.join(AGES)}, or none")

    def as_query(self) -> dict[str, str]:
        """The filter as the queue's address says it."""
        query = {"status": self.status.value}
        if self.kind:
            query["kind"] = self.kind.value
        if self.team:
            query["team"] = self.team.value
        if self.age:
            query["age"] = self.age
        if self.overdue:
            query["overdue"] = "true"
        return query


BULK_ACTIONS = frozenset({CaseAction.ACKNOWLEDGE, CaseAction.ASSIGN})


def worked_in_bulk(
    case: Case, action: CaseAction, by: str, why: str, now: datetime, assignee: str = ""
) -> Case:
    """One case of a bulk action: acknowledged (or assigned to `assignee`) by `by`, with why
    in its history, as if it had been done on its own row."""
    why = why.strip()
    if action not in BULK_ACTIONS:
        raise ValueError("action: only acknowledge or assign work on many cases at once")
    if not why:
        raise ValueError("why: say why these cases are worked together")
    if case.status is CaseStatus.RESOLVED:
        raise CaseClosed(f"case {case.id} is resolved; only a note can be added")
    if action is CaseAction.ACKNOWLEDGE:
        changed, what = replace(case, acknowledged_by=by), f"acknowledged with others: {why}"
    else:
        if not assignee:
            raise ValueError("assign to: choose who takes the cases")
        changed = replace(case, assigned_to=assignee)
        what = f"assigned to {assignee} with others: {why}"
    return replace(changed, history=(*changed.history, CaseNote(now, what, by)))
