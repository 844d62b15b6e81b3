"""Counts for the ops overview, made by the database rather than by reading every row."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from ordertrail.store.tables import orders, shipments


class SqlCounts:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def shipments_by_status(self) -> dict[str, int]:
        status = func.coalesce(shipments.c.status, "registered")
        query = (
            select(status, func.count()).where(shipments.c.cancelled.is_(False)).group_by(status)
        )
        return {str(name): int(count) for name, count in self._conn.execute(query)}

    def orders_needing_attention(self) -> int:
        query = select(func.count()).select_from(orders).where(orders.c.needs_attention.is_(True))
        return int(self._conn.execute(query).scalar_one())
