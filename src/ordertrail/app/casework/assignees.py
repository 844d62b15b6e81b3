"""Whom a case may be given to: a staff member who may work cases and is not locked out. A
name typed by hand (`ana@…`, who is nobody here) would leave the case with no one."""

from __future__ import annotations

from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.staff.access_ports import Staff, StaffUser
from ordertrail.domain.access import GRANTS, Permission


class NotAssignable(ValueError):
    """Nobody by that email may take cases; the message names the field and why."""


def takes_cases(member: StaffUser) -> bool:
    return not member.disabled and Permission.WORK_EXCEPTIONS in GRANTS[member.role]


def assignees(uows: UnitOfWorkFactory) -> list[StaffUser]:
    """Who a case may be assigned to, by name."""
    with uows(read_only=True) as uow:
        return sorted(filter(takes_cases, uow.staff.users()), key=lambda m: m.name.casefold())


def assignee(staff: Staff, email: str) -> str:
    """The staff member `email` names, if they may take cases; their email as stored."""
    wanted = email.strip().lower()
    if not wanted:
        raise NotAssignable("assign to: choose who takes the case")
    member = staff.user(wanted)
    if member is None or not takes_cases(member):
        raise NotAssignable(
            f"assign to: {email.strip()} is not a staff member who can take cases; "
            "choose one from the list"
        )
    return member.email
