"""Saved queue filters in the `saved_filters` table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, select

from ordertrail.domain.casework.cases import CaseStatus
from ordertrail.domain.casework.exceptions import ExceptionKind, Team
from ordertrail.domain.casework.saved_filters import SavedFilter
from ordertrail.domain.casework.worklist import QueueFilter
from ordertrail.store.tables import saved_filters


class SqlSavedFilters:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def of_teams(self, teams: Iterable[Team]) -> list[SavedFilter]:
        wanted = sorted(team.value for team in teams)
        query = (
            select(saved_filters)
            .where(saved_filters.c.team.in_(wanted))
            .order_by(saved_filters.c.team, saved_filters.c.name)
        )
        return [_saved(row) for row in self._conn.execute(query)]

    def keep(self, saved: SavedFilter) -> SavedFilter:
        # the same name for the same team is the same filter, changed: replaced in place
        self._conn.execute(
            delete(saved_filters).where(
                saved_filters.c.team == saved.team.value, saved_filters.c.name == saved.name
            )
        )
        statement = saved_filters.insert().returning(saved_filters.c.id)
        new_id = self._conn.execute(statement, _row(saved)).scalar_one()
        found = self.get(new_id)
        assert found is not None
        return found

    def get(self, filter_id: int) -> SavedFilter | None:
        row = self._conn.execute(
            select(saved_filters).where(saved_filters.c.id == filter_id)
        ).first()
        return _saved(row) if row is not None else None

    def forget(self, filter_id: int) -> None:
        self._conn.execute(delete(saved_filters).where(saved_filters.c.id == filter_id))


def _row(saved: SavedFilter) -> dict[str, Any]:
    shows = saved.shows
    return {
        "team": saved.team.value,
        "name": saved.name,
        "kind": shows.kind.value if shows.kind else None,
        "shows_team": shows.team.value if shows.team else None,
        "age": shows.age,
        "overdue": shows.overdue,
        "status": shows.status.value,
        "saved_by": saved.saved_by,
        "saved_at": saved.saved_at,
    }


def _saved(row: Any) -> SavedFilter:
    shows = QueueFilter(
        kind=ExceptionKind(row.kind) if row.kind else None,
        team=Team(row.shows_team) if row.shows_team else None,
        age=row.age,
        overdue=bool(row.overdue),
        status=CaseStatus(row.status),
    )
    return SavedFilter(Team(row.team), row.name, shows, row.saved_by, row.saved_at, row.id)
