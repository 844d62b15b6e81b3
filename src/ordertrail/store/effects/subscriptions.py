"""An order's subscriptions: the customer's number for texts and the stop to its emails."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, delete, select, update

from ordertrail.app.messages.subscriptions_ports import Subscription
from ordertrail.store.repositories import dialect_insert
from ordertrail.store.tables import order_subscriptions

_CHUNK = 500


class SqlSubscriptions:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def of_orders(self, order_ids: Iterable[str]) -> dict[str, Subscription]:
        ids = sorted(set(order_ids))
        found: dict[str, Subscription] = {}
        table = order_subscriptions
        for start in range(0, len(ids), _CHUNK):
            query = select(table).where(table.c.order_id.in_(ids[start : start + _CHUNK]))
            for row in self._conn.execute(query):
                found[row.order_id] = Subscription(
                    row.order_id, row.sms_number, row.sms_added_at, row.email_stopped_at
                )
        return found

    def add_sms(self, order_id: str, number: str, now: datetime) -> None:
        insert = dialect_insert(self._conn, order_subscriptions).values(
            order_id=order_id, sms_number=number, sms_added_at=now
        )
        self._conn.execute(
            insert.on_conflict_do_update(
                index_elements=["order_id"], set_={"sms_number": number, "sms_added_at": now}
            )
        )

    def stop_email(self, order_id: str, now: datetime) -> datetime | None:
        table = order_subscriptions
        insert = dialect_insert(self._conn, table).values(order_id=order_id, email_stopped_at=now)
        self._conn.execute(insert.on_conflict_do_nothing())
        before = self._conn.execute(
            select(table.c.email_stopped_at).where(table.c.order_id == order_id)
        ).scalar_one()
        if before is not None and before != now:
            return before  # type: ignore[no-any-return]
        self._conn.execute(
            update(table).where(table.c.order_id == order_id).values(email_stopped_at=now)
        )
        return None

    def forget(self, order_id: str) -> int:
        table = order_subscriptions
        gone = self._conn.execute(delete(table).where(table.c.order_id == order_id))
        return gone.rowcount or 0
