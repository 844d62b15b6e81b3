"""The work list's rules on their own: which promise a case breaks first, what a bulk action
writes into each case, and whose saved filters are whose (kept in memory, as the port says)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ordertrail.app.casework.saved_filters import (
    forget_filter,
    save_filter,
    saved_filter,
    team_filters,
)
from ordertrail.domain.access import Role
from ordertrail.domain.casework.cases import Case, CaseAction, CaseClosed, CaseNote, CaseStatus
from ordertrail.domain.casework.exceptions import ExceptionKind, Team
from ordertrail.domain.casework.saved_filters import teams_of
from ordertrail.domain.casework.worklist import Breaks, QueueFilter, breaks_first, worked_in_bulk
from ordertrail.domain.model import DomainError, Subject, SubjectKind
from tests.unit.fakes import MemoryUnitOfWorkFactory

NOON = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _case(status: CaseStatus = CaseStatus.OPEN) -> Case:
    return Case(
        subject=Subject(SubjectKind.SHIPMENT, "JD00000001"),
        order_id="ORD-1",
        kind=ExceptionKind.FAILED_ATTEMPT,
        cause="attempt:1",
        opened_at=NOON,
        due_at=NOON + timedelta(hours=8),
        detail="delivery_attempted (recipient_unavailable)",
        status=status,
        history=(CaseNote(NOON, "opened"),),
        id=7,
    )


def test_a_case_breaks_the_earlier_of_the_promised_day_and_its_deadline() -> None:
    due = NOON + timedelta(hours=8)
    assert breaks_first(due, None) == (due, Breaks.DEADLINE)
    assert breaks_first(due, NOON) == (NOON, Breaks.PROMISED_DAY)
    assert breaks_first(due, due + timedelta(days=1)) == (due, Breaks.DEADLINE)


def test_a_bulk_action_says_who_and_why_in_each_case() -> None:
    later = NOON + timedelta(hours=1)
    seen = worked_in_bulk(_case(), CaseAction.ACKNOWLEDGE, "ops:staff:a@x", " outage ", later)
    assert seen.acknowledged_by == "ops:staff:a@x"
    assert seen.history[-1] == CaseNote(later, "acknowledged with others: outage", "ops:staff:a@x")
    given = worked_in_bulk(_case(), CaseAction.ASSIGN, "ops:staff:a@x", "depot", later, "s@x")
    assert given.assigned_to == "s@x" and "assigned to s@x" in given.history[-1].what


@pytest.mark.parametrize(
    ("action", "why", "to", "says"),
    [
        (CaseAction.RESOLVE, "done", "", "only acknowledge or assign"),
        (CaseAction.NOTE, "done", "", "only acknowledge or assign"),
        (CaseAction.ACKNOWLEDGE, "   ", "", "why:"),
        (CaseAction.ASSIGN, "depot", "", "assign to:"),
    ],
)
def test_a_bulk_action_refuses_what_it_cannot_do(
    action: CaseAction, why: str, to: str, says: str
) -> None:
    with pytest.raises(ValueError, match=says):
        worked_in_bulk(_case(), action, "ops:staff:a@x", why, NOON, to)


def test_a_resolved_case_is_not_worked_in_bulk() -> None:
    with pytest.raises(CaseClosed):
        worked_in_bulk(_case(CaseStatus.RESOLVED), CaseAction.ACKNOWLEDGE, "x", "why", NOON)


def test_a_filter_knows_only_the_ages_it_offers() -> None:
    assert QueueFilter(age="24h").as_query() == {"status": "open", "age": "24h"}
    with pytest.raises(ValueError, match="age"):
        QueueFilter(age="1y")


def test_each_role_keeps_its_own_teams_filters() -> None:
    assert teams_of(Role.SUPPORT) == {Team.SUPPORT}
    assert teams_of(Role.ADMIN) == set(Team)
    assert teams_of(Role.METRICS) == set()
    uows = MemoryUnitOfWorkFactory()
    shows = QueueFilter(kind=ExceptionKind.LOST)
    kept = save_filter(uows, Role.OPS, Team.OPERATIONS, "Lost  parcels", shows, "o@x", NOON)
    assert kept.name == "Lost parcels" and kept.id is not None
    assert [f.name for f in team_filters(uows, Role.OPS)] == ["Lost parcels"]
    assert team_filters(uows, Role.SUPPORT) == []
    assert saved_filter(uows, Role.SUPPORT, kept.id) is None
    assert not forget_filter(uows, Role.SUPPORT, kept.id)
    with pytest.raises(DomainError, match="team"):
        save_filter(uows, Role.SUPPORT, Team.OPERATIONS, "Theirs", shows, "s@x", NOON)
    with pytest.raises(DomainError, match="name"):
        save_filter(uows, Role.OPS, Team.OPERATIONS, "x" * 61, shows, "o@x", NOON)
    assert forget_filter(uows, Role.ADMIN, kept.id)
    assert team_filters(uows, Role.OPS) == []


def test_every_kind_of_case_and_team_has_words_for_staff() -> None:
    from ordertrail.app.casework.staff_words import kind_words, team_words
    from ordertrail.domain.casework.exceptions import ExceptionKind, Team

    for kind in ExceptionKind:  # a new kind without words would break the queue's page
        assert kind_words(kind) and "_" not in kind_words(kind)
    for team in Team:
        assert team_words(team)
