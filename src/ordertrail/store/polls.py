"""The polling schedule on the shipments table."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Connection, or_, select, update

from ordertrail.app.ports import DueParcel
from ordertrail.store.tables import shipments


class SqlPolls:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def claim_due(
        self, now: datetime, carriers: Iterable[str], limit: int, lease: timedelta
    ) -> list[DueParcel]:
        wanted = sorted(set(carriers))
        if not wanted:
            return []
        query = (
            select(
                shipments.c.id,
                shipments.c.tracking_number,
                shipments.c.carrier,
                shipments.c.poll_failures,
            )
            .where(
                shipments.c.carrier.in_(wanted),
                shipments.c.tracking_number.is_not(None),
                shipments.c.polling_done.is_(False),
                or_(shipments.c.next_poll_at.is_(None), shipments.c.next_poll_at <= now),
            )
            .order_by(
                shipments.c.next_poll_at.is_not(None), shipments.c.next_poll_at, shipments.c.id
            )
            .limit(limit)
            .with_for_update(skip_locked=True, key_share=True)
        )
        due = [
            DueParcel(r.id, r.tracking_number, r.carrier, r.poll_failures)
            for r in self._conn.execute(query)
        ]
        if due:
            self._conn.execute(
                update(shipments)
                .where(shipments.c.id.in_([parcel.shipment_id for parcel in due]))
                .values(next_poll_at=now + lease)
            )
        return due

    def schedule(self, shipment_id: str, next_at: datetime | None, failures: int) -> None:
        self._conn.execute(
            update(shipments)
            .where(shipments.c.id == shipment_id)
            .values(next_poll_at=next_at, poll_failures=failures, polling_done=next_at is None)
        )
