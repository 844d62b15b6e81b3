"""Costs recorded, and tracking-page views counted per order and day."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, select

from ordertrail.domain.measures.costs import Cost
from ordertrail.store.repositories import chunks, dialect_insert, dialect_insert_for
from ordertrail.store.tables import costs, orders, page_views, returns, shipments

_TABLES = {"order": orders, "shipment": shipments, "return": returns}


class SqlCosts:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, batch: Sequence[Cost], recorded_at: datetime) -> int:
        owners = self.orders_of([(c.target.value, c.target_id) for c in batch])
        rows: dict[str, dict[str, Any]] = {}
        for cost in batch:
            rows.setdefault(cost.key, _row(cost, owners, recorded_at))
        if not rows:
            return 0
        known: set[str] = set()
        for chunk in chunks(rows):
            known.update(self._conn.scalars(select(costs.c.key).where(costs.c.key.in_(chunk))))
        new = [row for key, row in rows.items() if key not in known]
        if new:
            insert = dialect_insert(self._conn, costs).on_conflict_do_nothing(
                index_elements=["key"]
            )
            self._conn.execute(insert, new)
        return len(new)

    def orders_of(self, targets: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        found: dict[tuple[str, str], str] = {}
        for kind, table in _TABLES.items():
            ids = [target_id for target, target_id in targets if target == kind]
            owner = table.c.id if table is orders else table.c.order_id
            for chunk in chunks(ids):
                query = select(table.c.id, owner.label("order_id")).where(table.c.id.in_(chunk))
                found.update({(kind, row.id): row.order_id for row in self._conn.execute(query)})
            if kind == "shipment":  # a parcel is named by its tracking number as often
                for chunk in chunks(ids):
                    query = select(shipments.c.tracking_number, shipments.c.order_id).where(
                        shipments.c.tracking_number.in_(chunk)
                    )
                    for number, order_id in self._conn.execute(query):
                        found.setdefault((kind, number), order_id)
        return found

    def listed(self, order_id: str) -> list[tuple[str, str, int, str, date]]:
        query = (
            select(costs.c.kind, costs.c.target_id, costs.c.amount, costs.c.currency)
            .add_columns(costs.c.incurred_on)
            .where(costs.c.order_id == order_id)
            .order_by(costs.c.incurred_on, costs.c.id)
        )
        return [(r[0], r[1], int(r[2]), r[3], r[4]) for r in self._conn.execute(query)]


def _row(cost: Cost, owners: dict[tuple[str, str], str], at: datetime) -> dict[str, Any]:
    target = cost.target.value
    return {
        "key": cost.key,
        "target": target,
        "target_id": cost.target_id,
        "order_id": None if target == "site" else owners[(target, cost.target_id)],
        "site": cost.target_id if target == "site" else None,
        "kind": cost.kind.value,
        "amount": cost.money.amount,
        "currency": cost.money.currency,
        "incurred_on": cost.incurred_on,
        "source": cost.source,
        "recorded_at": at,
    }


class SqlPageViews:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_many(self, views: Mapping[tuple[str, date], int]) -> None:
        rows = [
            {"order_id": order_id, "day": day, "views": n} for (order_id, day), n in views.items()
        ]
        if rows:  # one statement, its rows sent together
            self._conn.execute(_add_views(self._conn.dialect.name), rows)


@cache
def _add_views(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (order_id, day) DO UPDATE adding the views: built once."""
    insert = dialect_insert_for(dialect, page_views)
    return insert.on_conflict_do_update(
        index_elements=["order_id", "day"],
        set_={"views": page_views.c.views + insert.excluded.views},
    )
