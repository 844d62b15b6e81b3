"""An order's subscriptions: the customer's number for texts and the stop to its emails."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, delete, select, update

from ordertrail.app.messages.subscriptions_ports import Subscription
from ordertrail.store.repositories import dialect_insert
from ordertrail.store.statements import among_ids, ids_given
from ordertrail.store.tables import order_subscriptions

_CHUNK = 500


class SqlSubscriptions:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def of_orders(self, order_ids: Iterable[str]) -> dict[str, Subscription]:
        ids = sorted(set(order_ids))
        found: dict[str, Subscription] = {}
        for start in range(0, len(ids), _CHUNK):
            one, given = ids_given(ids[start : start + _CHUNK])
            for row in self._conn.execute(_subscriptions_of(one), given):
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


@cache
def _subscriptions_of(one: bool) -> Any:
    """Built once (see store/statements.py): every order page asks it of its one order."""
    table = order_subscriptions
    return select(table).where(among_ids(table.c.order_id, one))
