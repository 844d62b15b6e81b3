"""Acknowledge or assign many cases at once: all of them or none (a typo in one id must not
leave half a page worked), each recorded as the staff member who did it, with why."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ordertrail.app.casework.assignees import assignee
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.domain.casework.cases import Case, CaseAction, CaseChanges
from ordertrail.domain.casework.worklist import MOST_AT_ONCE, worked_in_bulk


class UnknownCases(ValueError):
    """Some ids name no case; the message lists them."""


def staff_actor(email: str) -> str:
    """How a person at the console is named in a case's history when acting on many."""
    return f"ops:staff:{email}"


def work_many(
    uows: UnitOfWorkFactory,
    case_ids: Iterable[int],
    action: CaseAction,
    email: str,
    why: str,
    now: datetime,
    to: str = "",
) -> list[Case]:
    """The cases acknowledged, or assigned `to` a staff member who takes cases. Raises
    UnknownCases, CaseClosed or ValueError (with the field and why) and changes nothing."""
    wanted = sorted(set(case_ids))
    if not wanted:
        raise ValueError("cases: choose at least one case")
    if len(wanted) > MOST_AT_ONCE:
        raise ValueError(f"cases: at most {MOST_AT_ONCE} at once")
    with uows() as uow:
        found: list[Case] = []
        for case_id in wanted:
            found += uow.cases.find(CaseQuery(status=None, case_id=case_id, limit=1))
        missing = sorted(set(wanted) - {case.id for case in found if case.id is not None})
        if missing:
            raise UnknownCases("cases: there is no case " + ", ".join(f"#{i}" for i in missing))
        taker = assignee(uow.staff, to) if action is CaseAction.ASSIGN else ""
        by = staff_actor(email)
        changed = [worked_in_bulk(case, action, by, why, now, taker) for case in found]
        uow.cases.save(CaseChanges(updated=changed))
        uow.commit()
    return changed
