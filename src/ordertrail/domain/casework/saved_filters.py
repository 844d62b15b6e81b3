"""Filters a team keeps for its queue: named once, opened with one click by anyone on the
team. A team sees and changes only its own; an admin works for every team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ordertrail.domain.access import Role
from ordertrail.domain.casework.exceptions import Team
from ordertrail.domain.casework.worklist import QueueFilter
from ordertrail.domain.model import DomainError

#: The team a role works for; a role not named here (admin) works for every team.
_TEAM_OF = {Role.OPS: Team.OPERATIONS, Role.SUPPORT: Team.SUPPORT, Role.WAREHOUSE: Team.WAREHOUSE}
LONGEST_NAME = 60


def teams_of(role: Role) -> frozenset[Team]:
    """The teams whose saved filters someone in `role` sees and keeps."""
    own = _TEAM_OF.get(role)
    if own is not None:
        return frozenset({own})
    return frozenset(Team) if role is Role.ADMIN else frozenset()


@dataclass(frozen=True, slots=True)
class SavedFilter:
    team: Team
    name: str
    shows: QueueFilter
    saved_by: str
    saved_at: datetime
    id: int | None = None


def named_filter(
    role: Role, team: Team, name: str, shows: QueueFilter, by: str, at: datetime
) -> SavedFilter:
    """A filter to keep for `team`, if `role` works for it; the name as people will read it."""
    if team not in teams_of(role):
        raise DomainError("team", f"a {role.value} member keeps filters for their own team only")
    name = " ".join(name.split())
    if not name or len(name) > LONGEST_NAME:
        raise DomainError("name", f"give the filter a name of 1 to {LONGEST_NAME} characters")
    return SavedFilter(team, name, shows, by, at)
