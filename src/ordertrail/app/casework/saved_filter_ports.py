"""Where saved queue filters are kept (store/effects/saved_filters.py; a dict in the unit tests)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ordertrail.domain.casework.exceptions import Team
from ordertrail.domain.casework.saved_filters import SavedFilter


class SavedFilters(Protocol):
    def of_teams(self, teams: Iterable[Team]) -> list[SavedFilter]:
        """The filters of these teams, by team then name."""
        ...

    def keep(self, saved: SavedFilter) -> SavedFilter:
        """Store it (a team's filter of the same name is replaced); as stored, with its id."""
        ...

    def get(self, filter_id: int) -> SavedFilter | None: ...

    def forget(self, filter_id: int) -> None: ...
