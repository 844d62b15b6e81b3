"""The event log and the orders read out in bulk, in batches, for `ordertrail export`.

Reads run in one read transaction, so an export taken while the app ingests is one consistent
moment (WAL on SQLite, a REPEATABLE READ snapshot on PostgreSQL); they never take the write
lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select

from ordertrail.domain.model import Order, Shipment, TrackingEvent
from ordertrail.store.codec import event_from_row, order_from_row, shipment_from_row
from ordertrail.store.tables import events, orders, shipments

BATCH = 1000


def read_snapshot(engine: Engine) -> Connection:
    """A connection in a read transaction that sees one moment of the database."""
    options: dict[str, str] = {"sqlite_begin": "DEFERRED"}
    if engine.dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": "true"}
    return engine.connect().execution_options(**options)


def count_events(connection: Connection, since: datetime | None = None) -> int:
    query = select(func.count()).select_from(events)
    if since is not None:
        query = query.where(events.c.received_at >= since)
    return int(connection.execute(query).scalar_one())


def logged_events(connection: Connection, since: datetime | None = None) -> Iterator[TrackingEvent]:
    """Every event in the order it was logged (received at `since` or later)."""
    last = 0
    while True:
        query = select(events).where(events.c.seq > last).order_by(events.c.seq).limit(BATCH)
        if since is not None:
            query = query.where(events.c.received_at >= since)
        rows = connection.execute(query).all()
        if not rows:
            return
        last = rows[-1].seq
        yield from (event_from_row(row) for row in rows)


def count_orders(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(orders)).scalar_one())


def all_orders(connection: Connection) -> Iterator[Order]:
    """Every order with its parcels, by id."""
    after = ""
    while True:
        rows = connection.execute(
            select(orders).where(orders.c.id > after).order_by(orders.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        after = rows[-1].id
        parcels: dict[str, list[Shipment]] = {row.id: [] for row in rows}
        for row in connection.execute(
            select(shipments)
            .where(shipments.c.order_id.in_(list(parcels)))
            .order_by(shipments.c.id)
        ):
            parcels[row.order_id].append(shipment_from_row(row))
        yield from (order_from_row(row, parcels[row.id]) for row in rows)
