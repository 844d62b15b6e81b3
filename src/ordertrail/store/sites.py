"""Sites (warehouses, stores, 3PLs) and the webhook deliveries already handled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, select

from ordertrail.domain.model import Location, Site, SiteKind
from ordertrail.store.repositories import dialect_insert, dialect_insert_for
from ordertrail.store.tables import hook_deliveries, sites


class SqlSites:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def save(self, batch: Sequence[Site]) -> None:
        rows = [_row(site) for site in batch]
        if rows:
            insert = dialect_insert(self._conn, sites)
            changed = {name: insert.excluded[name] for name in rows[0] if name != "id"}
            self._conn.execute(
                insert.on_conflict_do_update(index_elements=["id"], set_=changed), rows
            )

    def get(self, site_id: str) -> Site | None:
        row = self._conn.execute(_site_named(), {"id": site_id}).first()
        return _site(row) if row else None

    def all(self) -> list[Site]:
        return [_site(row) for row in self._conn.execute(_all_sites())]


def _row(site: Site) -> dict[str, Any]:
    return {
        "id": site.id,
        "name": site.name,
        "kind": site.kind.value,
        "time_zone": site.time_zone,
        "city": site.location.city,
        "region": site.location.region,
        "country": site.location.country,
        "cutoff": site.cutoff.strftime("%H:%M") if site.cutoff else None,
    }


def _site(row: Any) -> Site:
    return Site(
        id=row.id,
        name=row.name,
        kind=SiteKind(row.kind),
        time_zone=row.time_zone,
        location=Location(city=row.city, region=row.region, country=row.country),
        cutoff=time.fromisoformat(row.cutoff) if row.cutoff else None,
    )


class SqlDeliveries:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def seen(self, source: str, delivery_id: str) -> bool:
        given = {"source": source, "delivery_id": delivery_id}
        return self._conn.execute(_seen(), given).first() is not None

    def remember(self, source: str, delivery_id: str, at: datetime) -> None:
        self.claim(source, delivery_id, at)

    def claim(self, source: str, delivery_id: str, at: datetime) -> bool:
        given = {"source": source, "delivery_id": delivery_id, "received_at": at}
        return self._conn.execute(_claim(self._conn.dialect.name), given).first() is not None


# Built once, each asked on every signed webhook or estimate (see store/statements.py for why).


@cache
def _site_named() -> Any:  # asked on every warehouse scan
    return select(sites).where(sites.c.id == bindparam("id"))


@cache
def _all_sites() -> Any:
    return select(sites).order_by(sites.c.id)


@cache
def _seen() -> Any:
    return select(hook_deliveries.c.received_at).where(
        hook_deliveries.c.source == bindparam("source"),
        hook_deliveries.c.delivery_id == bindparam("delivery_id"),
    )


@cache
def _claim(dialect: str) -> Any:
    """One statement for "new?" and "remember it": the row comes back only when inserted."""
    insert = dialect_insert_for(dialect, hook_deliveries).on_conflict_do_nothing()
    return insert.returning(hook_deliveries.c.source)
