"""The statements of the write path, each built once on first use and reused.

Building a SQLAlchemy statement costs more than running a small one on SQLite; the ingest path
runs a handful per transaction, so they are made once, with expanding `ids` parameters.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    Table,
    Update,
    bindparam,
    literal,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from ordertrail.store.measures.kpi_rollups import rollups
from ordertrail.store.tables import events, orders, returns, shipments

# Rows are held FOR NO KEY UPDATE (key_share=True): projections never change keys, and this
# lock does not collide with the KEY SHARE lock that inserting a child row (a return, a
# shipment) takes on its order; a plain FOR UPDATE deadlocks against such inserts.

IDS = "ids"
_ids: Any = bindparam(IDS, expanding=True)


@cache
def ids_in(table: Table) -> Select[Any]:
    return select(table.c.id).where(table.c.id.in_(_ids))


@cache
def shipments_named(hold: bool) -> Select[Any]:
    """Shipments whose id or tracking number is among `ids`; held with their fold state."""
    columns = [shipments.c.id, shipments.c.tracking_number, shipments.c.order_id]
    named = or_(shipments.c.id.in_(_ids), shipments.c.tracking_number.in_(_ids))
    if not hold:
        return select(*columns).where(named)
    query = select(*columns, shipments.c.fold_state).where(named).order_by(shipments.c.id)
    return query.with_for_update(key_share=True)


@cache
def returns_named() -> Select[Any]:
    return select(returns.c.id, returns.c.order_id).where(returns.c.id.in_(_ids))


@cache
def fold_states(table: Table) -> Select[Any]:
    return (
        select(table.c.id, table.c.fold_state)
        .where(table.c.id.in_(_ids))
        .order_by(table.c.id)
        .with_for_update(key_share=True)
    )


@cache
def known_keys() -> Select[Any]:
    return select(events.c.key).where(events.c.key.in_(_ids))


@cache
def events_keyed() -> Select[Any]:
    return select(events).where(events.c.key.in_(_ids))


@cache
def insert_events(dialect: str, returning: bool = False) -> Any:
    """INSERT ... ON CONFLICT (key) DO NOTHING, optionally RETURNING the keys it stored."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(events).on_conflict_do_nothing(index_elements=["key"])
    return statement.returning(events.c.key) if returning else statement


@cache
def events_of() -> Select[Any]:
    """Every event of the subjects of one `kind` whose ids are among `ids`."""
    return select(events).where(
        events.c.subject_kind == bindparam("kind"), events.c.subject_id.in_(_ids)
    )


@cache
def events_of_order() -> Select[Any]:
    """Every event of the order `order_id`, its parcels and returns, in the order stored."""
    return select(events).where(events.c.order_id == bindparam("order_id")).order_by(events.c.seq)


@cache
def save_projection(table: Table, columns: tuple[str, ...]) -> Update:
    values: dict[str, Any] = {name: bindparam(name) for name in columns}
    values.update(rollups(table))  # read from the log the events were just appended to
    return update(table).where(table.c.id == bindparam("b_id")).values(values)


@cache
def orders_for_status(lock: bool) -> Select[Any]:
    query = (
        select(
            orders.c.id,
            orders.c.lines,
            orders.c.fold_state,
            orders.c.status,
            orders.c.needs_attention,
        )
        .where(orders.c.id.in_(_ids))
        .order_by(orders.c.id)
    )
    return query.with_for_update(key_share=True) if lock else query


@cache
def children_for_status() -> Any:
    """Each order's shipments and returns, as much as its status needs, in one query."""
    parcels = select(
        shipments.c.order_id,
        literal("shipment").label("kind"),
        shipments.c.status,
        shipments.c.shipped_at.is_not(None).label("shipped"),
        shipments.c.lines,
        shipments.c.id,
    ).where(shipments.c.order_id.in_(_ids), shipments.c.cancelled.is_(False))
    reverse = select(
        returns.c.order_id,
        literal("return").label("kind"),
        returns.c.status,
        literal(False).label("shipped"),
        returns.c.lines,
        returns.c.id,
    ).where(returns.c.order_id.in_(_ids))
    return union_all(parcels, reverse).order_by("order_id", "kind", "id")


@cache
def save_summary() -> Update:
    return (
        update(orders)
        .where(orders.c.id == bindparam("b_id"))
        .values(status=bindparam("b_status"), needs_attention=bindparam("b_attention"))
    )


def upsert(conn: Connection, table: Table, keys: list[str]) -> Any:
    """INSERT ... ON CONFLICT (keys) DO UPDATE every other column, on either database."""
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)
    changed = {c.name: insert.excluded[c.name] for c in table.c if c.name not in keys}
    return insert.on_conflict_do_update(index_elements=keys, set_=changed)


@cache
def claim_names() -> Any:
    """PostgreSQL: lock each name of `names` for the rest of the transaction, in order."""
    return text(
        "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(n, 0) AS k"
        " FROM unnest(CAST(:names AS text[])) AS n ORDER BY k) AS claimed"
    )
