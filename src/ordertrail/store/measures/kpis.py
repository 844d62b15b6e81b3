"""The KPI facts port in SQL: every measure (store.measures.kpi_measures) of a scope grouped by the
database in one statement, the rows behind a figure, and the costs booked to a site.

The shared parts of the statement (the cohort of orders, their parcels, what each order's
parcels came to) are common table expressions both databases work out once, and every measure
reads them; the parcels carry their rollups (store.kpi_rollups), so no measure reads the event
log parcel by parcel (those lookups were most of a year's report time)."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    case,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.sql.selectable import Subquery

from ordertrail.app.measures.kpi_ports import BehindFigure, CostTotal, KpiScope, MeasureRow
from ordertrail.domain.measures.kpi import BUCKET_MINUTES
from ordertrail.domain.measures.kpi_catalog import BROKEN_DOWN_BY, Measure
from ordertrail.store.measures.kpi_measures import MEASURES, late_handoffs
from ordertrail.store.measures.kpi_scope import Scoped, can_materialize
from ordertrail.store.tables import costs

#: Measures of the same rows (one per order, or per parcel) with the same dimensions and no
#: duration: one GROUP BY counts them all, each outcome in its own column.
_TOGETHER = (
    (Measure.ORDERS, Measure.ON_TIME, Measure.ACCURACY, Measure.RETURNS),
    (Measure.PARCEL_ON_TIME, Measure.FIRST_ATTEMPT, Measure.PARCEL_EXCEPTIONS),
    (Measure.MISSED_SCANS, Measure.LATE_HANDOFFS),  # a site's parcels that left it
)
_DIMENSIONS = ("week", "carrier", "service", "lane", "site")
_APART = "|"


class SqlKpis:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def _query(self, measure: Measure, scoped: Scoped) -> Select[Any]:
        if measure is Measure.LATE_HANDOFFS:
            return late_handoffs(scoped, self._conn)
        return MEASURES[measure](scoped)

    def _grouped(self, measure: Measure, scoped: Scoped) -> Select[Any]:
        m = self._query(measure, scoped).subquery(f"measured_{measure.value}")
        shown = BROKEN_DOWN_BY.get(measure, frozenset(_DIMENSIONS))
        kept = [m.c[name] for name in _DIMENSIONS if name in shown]
        dimensions = [m.c[name] if name in shown else null().label(name) for name in _DIMENSIONS]
        return select(
            literal(measure.value).label("measure"),
            m.c.outcome,
            m.c.bucket,
            *dimensions,
            func.sum(m.c.weight).label("weight"),
        ).group_by(m.c.outcome, m.c.bucket, *kept)

    def _select(self, measure: Measure, scope: KpiScope) -> Subquery:
        return self._query(measure, Scoped(scope)).subquery("measured")

    def measures(
        self, wanted: Iterable[Measure], scope: KpiScope
    ) -> dict[Measure, list[MeasureRow]]:
        scoped = Scoped(scope, materialize=can_materialize(self._conn))
        wanted = list(wanted)
        together = [group for group in _TOGETHER if set(group) <= set(wanted)]
        alone = [m for m in wanted if not any(m in group for group in together)]
        # each measure grouped on its own: one sort of the whole union's rows cost more
        # than all the measures' own work
        parts = [self._together(group, scoped) for group in together]
        parts += [self._grouped(measure, scoped) for measure in alone]
        found: dict[Measure, list[MeasureRow]] = {measure: [] for measure in wanted}
        named = {m.value: [m] for m in wanted} | {_APART.join(g): list(g) for g in together}
        # a year's histograms are tens of thousands of rows: read as plain tuples
        for name, outcome, bucket, week, carrier, service, lane, site, weight in self._read(parts):
            measures = named[name]
            outcomes = outcome.split(_APART) if len(measures) > 1 else (outcome,)
            for measure, each in zip(measures, outcomes, strict=True):
                if each != "":
                    row = MeasureRow(
                        each, bucket, int(weight or 0), week, carrier, service, lane, site
                    )
                    found[measure].append(row)
        return found

    def _read(self, parts: list[Select[Any]]) -> list[Any]:
        """Every part's rows. On a database other connections can read (a file, a server),
        half the parts are read on a second connection at once: each statement is one core's
        work, and the report is what a manager waits for. The halves may see the database a
        few writes apart (each half's ratios keep their counts together)."""
        if len(parts) < 2 or not _shared(self._conn):
            return list(self._conn.execute(select(union_all(*parts).subquery())))
        mine, theirs = parts[::2], parts[1::2]
        with ThreadPoolExecutor(1, thread_name_prefix="kpis") as helper:
            other = helper.submit(self._read_apart, select(union_all(*theirs).subquery()))
            rows = list(self._conn.execute(select(union_all(*mine).subquery())))
            return rows + other.result()

    def _read_apart(self, statement: Select[Any]) -> list[Any]:
        # a reader: SQLite's writers must not wait for a report (DEFERRED takes no lock)
        with self._conn.engine.connect().execution_options(sqlite_begin="DEFERRED") as reader:
            return list(reader.execute(statement))

    def _together(self, group: tuple[Measure, ...], scoped: Scoped) -> Select[Any]:
        """One pass over the rows several measures share; each measure's outcome, or '' for
        a row it does not count, joined by `_APART`."""
        queries = [self._query(measure, scoped) for measure in group]
        outcomes = []
        for query in queries:
            outcome = query.selected_columns.outcome.element
            if query.whereclause is not None:
                outcome = case((query.whereclause, outcome))
            outcomes.append(func.coalesce(outcome, ""))
        joined: ColumnElement[Any] = outcomes[0]
        for outcome in outcomes[1:]:
            joined = joined + _APART + outcome
        first = queries[0].selected_columns
        dimensions = [first[name] for name in _DIMENSIONS]
        return select(
            literal(_APART.join(m.value for m in group)).label("measure"),
            joined.label("outcome"),
            null().cast(BigInteger).label("bucket"),
            *dimensions,
            func.count().label("weight"),
        ).group_by(joined, *(d.element for d in dimensions))

    def behind(
        self,
        measure: Measure,
        scope: KpiScope,
        outcome: str | None,
        after: str | None,
        limit: int,
    ) -> list[BehindFigure]:
        m = self._select(measure, scope)
        query = select(m).order_by(m.c.order_id, m.c.subject_id).limit(limit)
        if outcome is not None:
            query = query.where(m.c.outcome == outcome)
        if after is not None:
            query = query.where(m.c.order_id > after)
        return [
            BehindFigure(
                order_id=row.order_id,
                subject_id=row.subject_id,
                placed_at=_aware(row.placed_at),
                outcome=row.outcome,
                hours=None if row.bucket is None else round(row.bucket * BUCKET_MINUTES / 60, 2),
                weight=int(row.weight),
                carrier=row.carrier,
                site=row.site,
            )
            for row in self._conn.execute(query)
        ]

    def site_costs(self, scope: KpiScope) -> list[CostTotal]:
        query = (
            select(
                costs.c.currency,
                costs.c.kind,
                func.sum(costs.c.amount),
                func.count(),
            )
            .where(
                costs.c.order_id.is_(None),
                costs.c.incurred_on >= scope.since.date(),
                costs.c.incurred_on < scope.until.date(),
            )
            .group_by(costs.c.currency, costs.c.kind)
        )
        if scope.site:
            query = query.where(costs.c.site == scope.site)
        return [
            CostTotal(str(currency), str(kind), int(amount), int(n))
            for currency, kind, amount, n in self._conn.execute(query)
        ]


def _aware(value: Any) -> datetime:
    """A subquery's instant comes back as the driver gives it (SQLite: text)."""
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _shared(conn: Connection) -> bool:
    """Whether a second connection reads the same database (not SQLite's private memory)."""
    url = conn.engine.url
    if url.get_backend_name() != "sqlite":
        return True
    return url.database not in (None, "", ":memory:") and "mode=memory" not in str(url)
