"""What a KPI report counts, as SQL both databases speak: the orders placed in the scope's
period (the cohort), each order's parcels that the scope counts, and what those parcels came to
per order; and the standard columns every measure selects (order, subject, outcome, duration
bucket, weight and dimensions).

The parcels carry their KPI rollups (store.kpi_rollups): when each warehouse step and the
first delivery attempt happened are columns, not lookups in the event log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    exists,
    func,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.sql.selectable import CTE, Subquery

from ordertrail.app.measures.kpi_ports import KpiScope
from ordertrail.store.measures.kpi_sql import week_of
from ordertrail.store.tables import orders, shipments

_COLUMNS = (
    "order_id",
    "subject_id",
    "placed_at",
    "outcome",
    "bucket",
    "weight",
    "week",
    "carrier",
    "service",
    "lane",
    "site",
)
#: what a measure reads from: a shared expression or a subquery of its own
Rows = CTE | Subquery
_TYPES = {"bucket": BigInteger, "weight": BigInteger, "week": BigInteger}


#: cases that say the order did not arrive as ordered
def _first_monday(scope: KpiScope) -> int:
    start = scope.since.astimezone(UTC)
    monday = datetime(start.year, start.month, start.day, tzinfo=UTC) - timedelta(
        days=start.weekday()
    )
    return int(monday.timestamp())


def columns_of(**given: Any) -> list[ColumnElement[Any]]:
    """The standard columns of a measure, NULL where it has no such thing."""
    return [
        (given[name] if name in given else null().cast(_TYPES.get(name, String))).label(name)
        for name in _COLUMNS
    ]


class Scoped:
    """The building blocks of every measure for one scope, each made once per statement."""

    def __init__(self, scope: KpiScope, *, materialize: bool = False) -> None:
        self.scope = scope
        self.monday = _first_monday(scope)
        self.materialize = materialize
        self._made: dict[str, CTE] = {}

    def _once(self, name: str, make: Callable[[], Select[Any]]) -> CTE:
        if name not in self._made:
            made = make().cte(name)
            # worked out once, not folded into each measure that reads it (SQLite would
            # repeat every correlated lookup in each expression using its columns)
            self._made[name] = made.prefix_with("MATERIALIZED") if self.materialize else made
        return self._made[name]

    def parcel_filter(self, table: Any = shipments) -> list[Any]:
        found = [table.c.cancelled.is_(False)]
        if self.scope.carrier:
            found.append(table.c.carrier == self.scope.carrier)
        if self.scope.site:
            found.append(table.c.site == self.scope.site)
        return found

    def order_filter(self) -> list[Any]:
        scope = self.scope
        found = [
            orders.c.placed_at >= scope.since,
            orders.c.placed_at < scope.until,
            or_(orders.c.own_status.is_(None), orders.c.own_status != "order_cancelled"),
        ]
        if scope.channel:
            found.append(orders.c.channel == scope.channel)
        if scope.carrier or scope.site:
            # an alias: the orders' own query joins `shipments`, which would swallow the lookup
            some = shipments.alias("some_parcel")
            found.append(exists().where(some.c.order_id == orders.c.id, *self.parcel_filter(some)))
        return found

    def cohort(self) -> CTE:
        """The orders placed in the scope: one row each, with what their parcels came to."""
        return self.per_order()

    def per_order(self) -> CTE:
        """Each order of the scope with what its parcels (those the scope counts) came to."""
        return self._once("per_order", self._per_order)

    def _per_order(self) -> Select[Any]:
        # one pass down the orders with each one's parcels beside it (an index lookup), grouped
        # in the order the primary key keeps: grouping a table of the scope's parcels by order
        # took a sort and a second join, more than half the report's shared work
        counted = and_(shipments.c.order_id == orders.c.id, *self.parcel_filter())
        return (
            select(
                orders.c.id.label("order_id"),
                orders.c.placed_at,
                orders.c.promise_ends_at,
                orders.c.customer_country,
                orders.c.picked_at,
                week_of(orders.c.placed_at, self.monday).label("week"),
                func.count(shipments.c.id).label("parcels"),
                func.count(shipments.c.shipped_at).label("shipped"),
                func.max(shipments.c.shipped_at).label("shipped_at"),
                func.count(shipments.c.delivered_at).label("delivered"),
                func.max(shipments.c.delivered_at).label("delivered_at"),
            )
            .select_from(orders.outerjoin(shipments, counted))
            .where(*self.order_filter())
            .group_by(orders.c.id)
        )

    def parcels(self) -> CTE:
        """Each parcel of the scope's orders, with its lane (site → customer country)."""
        return self._once("scoped_parcels", self._parcels)

    def _parcels(self) -> Select[Any]:
        cohort = self.cohort()
        country = func.coalesce(cohort.c.customer_country, "?")
        lane = func.coalesce(shipments.c.site, "?") + " → " + country
        return (
            select(
                shipments.c.id,
                shipments.c.order_id,
                cohort.c.placed_at,
                cohort.c.promise_ends_at,
                cohort.c.week,
                func.coalesce(shipments.c.carrier, "unknown").label("carrier"),
                func.coalesce(shipments.c.service, "any").label("service"),
                lane.label("lane"),
                shipments.c.site,
                shipments.c.shipped_at,
                shipments.c.delivered_at,
                # a pick scanned on the order counts for each of its parcels
                func.coalesce(shipments.c.picked_at, cohort.c.picked_at).label("picked_at"),
                shipments.c.packed_at,
                shipments.c.labelled_at,
                shipments.c.attempted_at,
            )
            .join(cohort, cohort.c.order_id == shipments.c.order_id)
            .where(*self.parcel_filter())
        )


def order_rows(o: Rows, outcome: Any = None, bucket_of: Any = None, **more: Any) -> list[Any]:
    return columns_of(
        order_id=o.c.order_id,
        subject_id=o.c.order_id,
        placed_at=o.c.placed_at,
        outcome=outcome if outcome is not None else null().cast(String),
        bucket=bucket_of if bucket_of is not None else null().cast(BigInteger),
        weight=more.pop("weight", literal(1)),
        **more,
    )


def parcel_rows(
    p: Rows, outcome: Any = None, bucket_of: Any = None, *, lanes: bool = True
) -> list[Any]:
    by_lane = {"carrier": p.c.carrier, "service": p.c.service, "lane": p.c.lane} if lanes else {}
    return columns_of(
        order_id=p.c.order_id,
        subject_id=p.c.id,
        placed_at=p.c.placed_at,
        outcome=outcome if outcome is not None else null().cast(String),
        bucket=bucket_of if bucket_of is not None else null().cast(BigInteger),
        weight=literal(1),
        site=p.c.site,
        **by_lane,
    )


def can_materialize(conn: Connection) -> bool:
    """`WITH ... AS MATERIALIZED` is PostgreSQL 12's and SQLite 3.35's."""
    dialect = conn.dialect
    if dialect.name == "sqlite":
        return bool(dialect.dbapi.sqlite_version_info >= (3, 35))  # type: ignore[union-attr]
    return dialect.name == "postgresql" and (dialect.server_version_info or (0,)) >= (12,)
