"""Sites as data: where orders ship from, kept in the database and changed by people."""

from __future__ import annotations

from collections.abc import Sequence

from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.domain.model import Site


def save_sites(uows: UnitOfWorkFactory, sites: Sequence[Site]) -> None:
    with uows() as uow:
        uow.sites.save(sites)
        uow.commit()


def list_sites(uows: UnitOfWorkFactory) -> list[Site]:
    with uows(read_only=True) as uow:
        return uow.sites.all()
