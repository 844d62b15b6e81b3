"""Orders and their parcels as registered, and what an order's status is read from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Table,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
)

from ordertrail.app.ports import OrderFacts, OrderListing, StatusInputs
from ordertrail.domain.fold import SubjectState
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import Customer, Order, Return, Shipment
from ordertrail.domain.order_status import OrderStatus, OrderSummary, ParcelView
from ordertrail.store import codec
from ordertrail.store import statements as sql
from ordertrail.store.repositories import chunks, dialect_insert, dialect_insert_for
from ordertrail.store.tables import exception_cases, orders, returns, shipment_aliases, shipments

#: An order needs attention while a parcel is in trouble (the fold's flag) or a case about it
#: is open: a stall or a missing scan is found by the sweep, when nothing happens at all.
NEEDS_ATTENTION = or_(
    orders.c.needs_attention,
    exists().where(exception_cases.c.order_id == orders.c.id, exception_cases.c.status == "open"),
)

#: What a list of orders shows of each (OrderListing, in its field order).
_LISTING = (
    orders.c.id,
    orders.c.channel,
    orders.c.placed_at,
    orders.c.status,
    NEEDS_ATTENTION.label("needs_attention"),
)


class SqlOrders:
    def __init__(self, conn: Connection, *, read_only: bool) -> None:
        self._conn = conn
        self._read_only = read_only

    def save(self, batch: Sequence[Order]) -> None:
        if not batch:
            return
        rows = [codec.order_row(order) for order in batch]
        self._conn.execute(_save_orders(self._conn.dialect.name, tuple(rows[0])), rows)
        self.save_shipments([s for order in batch for s in _owned(order)])

    def save_shipments(self, batch: Sequence[Shipment]) -> None:
        parcel_rows = [codec.shipment_row(s) for s in batch]
        if parcel_rows:
            statement = _save_shipments(self._conn.dialect.name, tuple(parcel_rows[0]))
            self._conn.execute(statement, parcel_rows)

    def shipment_versions(self, shipment_ids: Iterable[str]) -> dict[str, datetime | None]:
        found: dict[str, datetime | None] = {}
        for chunk in chunks(shipment_ids):
            query = select(shipments.c.id, shipments.c.channel_updated_at).where(
                shipments.c.id.in_(chunk)
            )
            found.update({row.id: row.channel_updated_at for row in self._conn.execute(query)})
        return found

    def channel_versions(self, order_ids: Iterable[str]) -> dict[str, datetime | None]:
        found: dict[str, datetime | None] = {}
        for chunk in chunks(order_ids):
            query = select(orders.c.id, orders.c.channel_updated_at).where(orders.c.id.in_(chunk))
            found.update({row.id: row.channel_updated_at for row in self._conn.execute(query)})
        return found

    def add_returns(self, batch: Sequence[Return]) -> None:
        rows = [
            {"id": r.id, "order_id": r.order_id, "lines": codec.lines_json(r.lines)} for r in batch
        ]
        if rows:
            statement = dialect_insert(self._conn, returns).on_conflict_do_nothing(
                index_elements=["id"]
            )
            self._conn.execute(statement, rows)

    def facts(self, order_ids: Iterable[str]) -> dict[str, OrderFacts]:
        found: dict[str, OrderFacts] = {}
        for chunk in chunks(order_ids):
            one, given = sql.ids_given(chunk)
            order_rows = list(self._conn.execute(_orders_of(one), given))
            parcels = self._children(shipments, one, given)
            returned = self._children(returns, one, given)
            for row in order_rows:
                found[row.id] = OrderFacts(
                    order=codec.order_from_row(row, [s for s, _ in parcels[row.id]]),
                    own=codec.state_from_json(row.fold_state),
                    shipments=parcels[row.id],
                    returns=[
                        # a return's status is its own fold's
                        # (domain/returns/return_lines.py), as stored
                        (
                            Return(r.id, r.order_id, codec.lines_from_json(r.lines)),
                            replace(state, status=_milestone(r.status)),
                        )
                        for r, state in returned[row.id]
                    ],
                    summary=OrderSummary(OrderStatus(row.status), row.needs_attention),
                )
        return found

    def status_inputs(self, order_ids: Iterable[str]) -> dict[str, StatusInputs]:
        found: dict[str, StatusInputs] = {}
        for chunk in chunks(order_ids):
            children: dict[str, list[Any]] = defaultdict(list)
            one, given = sql.ids_given(chunk)
            for child in self._conn.execute(sql.children_for_status(one), given):
                children[child.order_id].append(child)
            query = sql.orders_for_status(not self._read_only, one)
            for row in self._conn.execute(query, given):
                own = (row.fold_state or {}).get("status")
                kids = children[row.id]
                found[row.id] = StatusInputs(
                    lines=codec.lines_from_json(row.lines),
                    own=Milestone(own) if own else None,
                    parcels=[
                        ParcelView.of(
                            _milestone(c.status), bool(c.shipped), codec.lines_from_json(c.lines)
                        )
                        for c in kids
                        if c.kind == "shipment"
                    ],
                    returns=[_milestone(c.status) for c in kids if c.kind == "return"],
                    summary=OrderSummary(OrderStatus(row.status), row.needs_attention),
                    returned=tuple(
                        line
                        for c in kids
                        if c.kind == "return" and _milestone(c.status) in _SETTLED
                        for line in codec.lines_from_json(c.lines)
                    ),
                )
        return found

    def _children(self, table: Table, one: bool, given: dict[str, Any]) -> dict[str, list[Any]]:
        children: dict[str, list[Any]] = defaultdict(list)
        for row in self._conn.execute(_children_of(table, one), given):
            entity = codec.shipment_from_row(row) if table is shipments else row
            children[row.order_id].append((entity, codec.state_from_json(row.fold_state)))
        return children

    def save_summaries(self, summaries: Mapping[str, OrderSummary]) -> None:
        if not summaries:
            return
        rows = [
            {"b_id": order_id, "b_status": s.status.value, "b_attention": s.needs_attention}
            for order_id, s in summaries.items()
        ]
        self._conn.execute(sql.save_summary(), rows)

    def ids(self) -> Iterator[str]:
        yield from self._conn.scalars(select(orders.c.id).order_by(orders.c.id))

    def page(
        self, *, status: str | None, needs_attention: bool | None, after: str | None, limit: int
    ) -> list[OrderListing]:
        query = select(*_LISTING).order_by(orders.c.id).limit(limit)
        if status is not None:
            query = query.where(orders.c.status == status)
        if needs_attention is not None:
            query = query.where(NEEDS_ATTENTION if needs_attention else ~NEEDS_ATTENTION)
        if after is not None:
            query = query.where(orders.c.id > after)
        return [OrderListing(*row) for row in self._conn.execute(query)]

    def tracking_numbers(self, shipment_ids: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in chunks(shipment_ids):
            query = select(shipments.c.id, shipments.c.tracking_number).where(
                shipments.c.id.in_(chunk), shipments.c.tracking_number.is_not(None)
            )
            found.update({row.id: row.tracking_number for row in self._conn.execute(query)})
        return found

    def search(self, text: str, limit: int, *, by_email: bool) -> list[OrderListing]:
        """Orders whose id, platform id or customer email is `text`, or that hold a parcel
        with that id or tracking number (old labels included)."""
        parcels = select(shipments.c.order_id).where(
            or_(shipments.c.id == text, shipments.c.tracking_number == text)
        )
        relabelled = (
            select(shipments.c.order_id)
            .join(shipment_aliases, shipment_aliases.c.shipment_id == shipments.c.id)
            .where(shipment_aliases.c.name == text)
        )
        matches = [
            orders.c.id == text,
            orders.c.external_id == text,
            orders.c.id.in_(parcels),
            orders.c.id.in_(relabelled),
        ]
        if by_email:
            matches.append(orders.c.customer_email == text.strip().lower())
        query = (
            select(*_LISTING).where(or_(*matches)).order_by(orders.c.placed_at.desc()).limit(limit)
        )
        return [OrderListing(*row) for row in self._conn.execute(query)]

    def customer(self, order_id: str) -> Customer | None:
        row = self._conn.execute(_customer_of(), {"id": order_id}).first()
        return Customer(**row.customer) if row else None

    def shipment(self, id_or_tracking: str) -> Shipment | None:
        row = self._named(id_or_tracking)
        return codec.shipment_from_row(row) if row else None

    def parcel(self, id_or_tracking: str) -> tuple[Shipment, SubjectState] | None:
        row = self._named(id_or_tracking)
        if row is None:
            return None
        return codec.shipment_from_row(row), codec.state_from_json(row.fold_state)

    def _named(self, id_or_tracking: str) -> Any:
        row = self._conn.execute(_shipment_named(), {"name": id_or_tracking}).first()
        if row is None:  # a relabelled parcel's old name
            row = self._conn.execute(_shipment_once_named(), {"name": id_or_tracking}).first()
        return row

    def registered(self, order_id: str) -> Order | None:
        row = self._conn.execute(_orders_of(True), {sql.ID: order_id}).first()
        return codec.order_from_row(row) if row else None


#: returns whose goods stay with the shop: what an order counts as returned
_SETTLED = frozenset({Milestone.REFUND_RELEASED, Milestone.REPLACEMENT_RELEASED})


def _milestone(value: str | None) -> Milestone | None:
    return Milestone(value) if value else None


def _owned(order: Order) -> Iterator[Shipment]:
    """The order's shipments, each stamped with the order it belongs to."""
    for shipment in order.shipments:
        yield replace(shipment, order_id=order.id)


@cache
def _shipment_named() -> Any:  # every warehouse scan of a carton, every parcel's page
    name: Any = bindparam("name")
    return select(shipments).where(or_(shipments.c.id == name, shipments.c.tracking_number == name))


@cache
def _shipment_once_named() -> Any:
    alias = select(shipment_aliases.c.shipment_id).where(
        shipment_aliases.c.name == bindparam("name")
    )
    return select(shipments).where(shipments.c.id.in_(alias))


# The two upserts are built once per dialect and row shape: building one cost more than
# running it on SQLite, and every order webhook and scan writes through them.


@cache
def _save_orders(dialect: str, columns: tuple[str, ...]) -> Any:
    insert = dialect_insert_for(dialect, orders)
    changed = {name: insert.excluded[name] for name in columns if name != "id"}
    # a file that does not say these must not erase what a webhook said (nor a store
    # platform that knows nothing of B2B terms the API gave, nor the customer's language)
    for name in ("external_id", "channel_updated_at", "business", "locale"):
        changed[name] = func.coalesce(insert.excluded[name], orders.c[name])
    # an erased customer stays erased whatever copy of the order the channel sends later
    for name in ("customer", "customer_email"):
        changed[name] = case(
            (orders.c.erased_at.is_(None), insert.excluded[name]), else_=orders.c[name]
        )
    new_projection = {"status": OrderStatus.PLACED.value, "needs_attention": False}
    return insert.values(new_projection).on_conflict_do_update(index_elements=["id"], set_=changed)


@cache
def _save_shipments(dialect: str, columns: tuple[str, ...]) -> Any:
    insert = dialect_insert_for(dialect, shipments)
    changed = {name: insert.excluded[name] for name in columns if name != "id"}
    changed.update(_kept_on_update(insert.excluded))
    return insert.on_conflict_do_update(index_elements=["id"], set_=changed)


def _kept_on_update(given: Any) -> dict[str, Any]:
    """What an update of a known parcel keeps: its current tracking number when the sender
    still uses the one a relabel replaced (a store that never heard of the relabel), and the
    carrier and site when the sender does not say."""
    # written out: SQLAlchemy does not correlate a subquery inside ON CONFLICT DO UPDATE
    relabelled = literal_column(
        "EXISTS (SELECT 1 FROM shipment_aliases WHERE shipment_aliases.name = "
        "excluded.tracking_number AND shipment_aliases.shipment_id = shipments.id)",
        Boolean,
    )
    return {
        "tracking_number": case(
            (relabelled, shipments.c.tracking_number), else_=given.tracking_number
        ),
        "carrier": func.coalesce(given.carrier, shipments.c.carrier),
        "site": func.coalesce(given.site, shipments.c.site),
        "channel_updated_at": func.coalesce(
            given.channel_updated_at, shipments.c.channel_updated_at
        ),
    }


@cache
def _customer_of() -> Any:  # every lookup of an order by its number and the customer
    return select(orders.c.customer).where(orders.c.id == bindparam("id"))


@cache
def _orders_of(one: bool) -> Any:
    return select(orders).where(sql.among_ids(orders.c.id, one)).order_by(orders.c.id)


@cache
def _children_of(table: Table, one: bool) -> Any:
    return select(table).where(sql.among_ids(table.c.order_id, one)).order_by(table.c.id)
