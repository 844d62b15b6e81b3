"""A team's saved queue filters: kept, listed and forgotten only by the team they belong to.
Another team's filter is answered as if it did not exist (its name says what they watch)."""

from __future__ import annotations

from datetime import datetime

from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.domain.access import Role
from ordertrail.domain.casework.exceptions import Team
from ordertrail.domain.casework.saved_filters import SavedFilter, named_filter, teams_of
from ordertrail.domain.casework.worklist import QueueFilter


def team_filters(uows: UnitOfWorkFactory, role: Role) -> list[SavedFilter]:
    with uows(read_only=True) as uow:
        return uow.saved_filters.of_teams(teams_of(role))


def save_filter(
    uows: UnitOfWorkFactory,
    role: Role,
    team: Team,
    name: str,
    shows: QueueFilter,
    by: str,
    now: datetime,
) -> SavedFilter:
    """Keep `shows` as `name` for `team`; raises DomainError when the name is empty or too
    long, or the team is not the saver's."""
    saved = named_filter(role, team, name, shows, by, now)
    with uows() as uow:
        kept = uow.saved_filters.keep(saved)
        uow.commit()
    return kept


def saved_filter(uows: UnitOfWorkFactory, role: Role, filter_id: int) -> SavedFilter | None:
    """The filter, if it is one of the role's teams'."""
    with uows(read_only=True) as uow:
        found = uow.saved_filters.get(filter_id)
    return found if found is not None and found.team in teams_of(role) else None


def forget_filter(uows: UnitOfWorkFactory, role: Role, filter_id: int) -> bool:
    """Forget one of the role's teams' filters; False when there is no such filter for them."""
    with uows() as uow:
        found = uow.saved_filters.get(filter_id)
        if found is None or found.team not in teams_of(role):
            return False
        uow.saved_filters.forget(filter_id)
        uow.commit()
    return True
