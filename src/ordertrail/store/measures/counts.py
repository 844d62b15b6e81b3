"""Counts for the ops overview, made by the database rather than by reading every row, and
the worker's heartbeat and the totals of its rounds."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, func, select

from ordertrail.store.orders import NEEDS_ATTENTION
from ordertrail.store.repositories import dialect_insert
from ordertrail.store.tables import events, heartbeats, orders, round_totals, shipments


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
        query = select(func.count()).select_from(orders).where(NEEDS_ATTENTION)
        return int(self._conn.execute(query).scalar_one())

    def carrier_news(self, moving: frozenset[str]) -> list[tuple[str, int, datetime | None]]:
        heard = (
            select(func.max(events.c.received_at))
            .where(
                events.c.subject_kind == "shipment",
                events.c.subject_id == shipments.c.id,
                events.c.source.like("carrier:%"),
            )
            .scalar_subquery()
        )
        on_the_move = (
            select(shipments.c.carrier, shipments.c.id, heard.label("heard"))
            .where(
                shipments.c.status.in_(sorted(moving)),
                shipments.c.cancelled.is_(False),
                shipments.c.carrier.is_not(None),
            )
            .subquery()
        )
        query = select(on_the_move.c.carrier, func.count(), func.max(on_the_move.c.heard)).group_by(
            on_the_move.c.carrier
        )
        return [(str(c), int(n), at) for c, n, at in self._conn.execute(query)]


class SqlHeartbeats:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def beat(self, name: str, at: datetime, said: str) -> None:
        insert = dialect_insert(self._conn, heartbeats)
        self._conn.execute(
            insert.on_conflict_do_update(
                index_elements=["name"],
                set_={"at": insert.excluded.at, "said": insert.excluded.said},
            ),
            {"name": name, "at": at, "said": said},
        )

    def last(self, name: str) -> tuple[datetime, str] | None:
        row = self._conn.execute(
            select(heartbeats.c.at, heartbeats.c.said).where(heartbeats.c.name == name)
        ).first()
        return (row.at, row.said) if row else None

    def add(self, name: str, figures: Mapping[str, int]) -> None:
        rows = [{"name": name, "figure": f, "total": n} for f, n in sorted(figures.items())]
        if not rows:
            return
        insert = dialect_insert(self._conn, round_totals)
        # in the database, not read-then-write: two workers finishing at once both count
        self._conn.execute(
            insert.on_conflict_do_update(
                index_elements=["name", "figure"],
                set_={"total": round_totals.c.total + insert.excluded.total},
            ),
            rows,
        )

    def totals(self, name: str) -> dict[str, int]:
        query = select(round_totals.c.figure, round_totals.c.total).where(
            round_totals.c.name == name
        )
        return {str(figure): int(total) for figure, total in self._conn.execute(query)}
