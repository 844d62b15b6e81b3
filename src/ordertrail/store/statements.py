"""The statements of the write path, each built once on first use and reused.

Building a SQLAlchemy statement costs more than running a small one on SQLite; the ingest path
runs a handful per transaction, so they are made once. Statements over a list of ids come in
two shapes, picked by `ids_given`: `= :id` for one id (a webhook's one parcel: the common case)
and an expanding `IN :ids` for more — SQLAlchemy rewrites an expanding IN's SQL on every
execution, which costs twice the query itself on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from ordertrail.store.tables import events, orders, returns, shipment_aliases, shipments

# Rows are held FOR NO KEY UPDATE (key_share=True): projections never change keys, and this
# lock does not collide with the KEY SHARE lock that inserting a child row (a return, a
# shipment) takes on its order; a plain FOR UPDATE deadlocks against such inserts.

IDS = "ids"
ID = "id"
_ids: Any = bindparam(IDS, expanding=True)
_id: Any = bindparam(ID)


def ids_given(chunk: Sequence[str]) -> tuple[bool, dict[str, Any]]:
    """Which shape of statement a chunk of ids takes (`one`), and its parameters."""
    return (True, {ID: chunk[0]}) if len(chunk) == 1 else (False, {IDS: list(chunk)})


def among_ids(column: Any, one: bool) -> Any:
    """`column = :id`, or `column IN :ids`: the condition of a statement `ids_given` feeds."""
    return column == _id if one else column.in_(_ids)


@cache
def ids_in(table: Table, one: bool = False) -> Select[Any]:
    return select(table.c.id).where(among_ids(table.c.id, one))


@cache
def shipments_named(hold: bool, one: bool = False) -> Select[Any]:
    """Shipments whose id or tracking number is among `ids`; held with their fold state."""
    columns = [shipments.c.id, shipments.c.tracking_number, shipments.c.order_id]
    named = or_(among_ids(shipments.c.id, one), among_ids(shipments.c.tracking_number, one))
    if not hold:
        return select(*columns).where(named)
    query = select(*columns, shipments.c.fold_state).where(named).order_by(shipments.c.id)
    return query.with_for_update(key_share=True)


@cache
def aliases_named(one: bool = False) -> Select[Any]:
    """The shipments that answer to old names (a relabelled parcel's): asked whenever a name
    is not a shipment's id or tracking number, as an order's pick scan."""
    return select(shipment_aliases.c.name, shipment_aliases.c.shipment_id).where(
        among_ids(shipment_aliases.c.name, one)
    )


@cache
def returns_named(one: bool = False) -> Select[Any]:
    return select(returns.c.id, returns.c.order_id).where(among_ids(returns.c.id, one))


@cache
def fold_states(table: Table, one: bool = False) -> Select[Any]:
    return (
        select(table.c.id, table.c.fold_state)
        .where(among_ids(table.c.id, one))
        .order_by(table.c.id)
        .with_for_update(key_share=True)
    )


@cache
def known_keys(one: bool = False) -> Select[Any]:
    return select(events.c.key).where(among_ids(events.c.key, one))


@cache
def events_keyed(one: bool = False) -> Select[Any]:
    return select(events).where(among_ids(events.c.key, one))


@cache
def insert_events(dialect: str, returning: bool = False) -> Any:
    """INSERT ... ON CONFLICT (key) DO NOTHING, optionally RETURNING the keys it stored."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(events).on_conflict_do_nothing(index_elements=["key"])
    return statement.returning(events.c.key) if returning else statement


@cache
def events_of(one: bool = False) -> Select[Any]:
    """Every event of the subjects of one `kind` whose ids are among `ids`."""
    return select(events).where(
        events.c.subject_kind == bindparam("kind"), among_ids(events.c.subject_id, one)
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
def orders_for_status(lock: bool, one: bool = False) -> Select[Any]:
    query = (
        select(
            orders.c.id,
            orders.c.lines,
            orders.c.fold_state,
            orders.c.status,
            orders.c.needs_attention,
        )
        .where(among_ids(orders.c.id, one))
        .order_by(orders.c.id)
    )
    return query.with_for_update(key_share=True) if lock else query


@cache
def children_for_status(one: bool = False) -> Any:
    """Each order's shipments and returns, as much as its status needs, in one query."""
    parcels = select(
        shipments.c.order_id,
        literal("shipment").label("kind"),
        shipments.c.status,
        shipments.c.shipped_at.is_not(None).label("shipped"),
        shipments.c.lines,
        shipments.c.id,
    ).where(among_ids(shipments.c.order_id, one), shipments.c.cancelled.is_(False))
    reverse = select(
        returns.c.order_id,
        literal("return").label("kind"),
        returns.c.status,
        literal(False).label("shipped"),
        returns.c.lines,
        returns.c.id,
    ).where(among_ids(returns.c.order_id, one))
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
