"""The ports the KPI report reads through and costs are written through."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from ordertrail.domain.measures.costs import Cost
from ordertrail.domain.measures.kpi_catalog import Measure


@dataclass(frozen=True, slots=True)
class KpiScope:
    """Which orders a report counts: those placed in [since, until), not cancelled, of the
    channel; with a carrier or a site, only those parcels (and orders holding one)."""

    since: datetime
    until: datetime
    channel: str | None = None
    carrier: str | None = None
    site: str | None = None


@dataclass(frozen=True, slots=True)
class MeasureRow:
    """One group of a measure's rows: how many rows (or their summed weight) had `outcome`
    and, for durations, took `bucket` tenths of an hour, within the group named by `week`
    (0 = the period's first week), carrier, service, lane and site where the measure has
    them."""

    outcome: str | None
    bucket: int | None
    weight: int
    week: int | None = None
    carrier: str | None = None
    service: str | None = None
    lane: str | None = None
    site: str | None = None


@dataclass(frozen=True, slots=True)
class BehindFigure:
    """An order behind a figure: what counted (the parcel or return when the figure counts
    those), how it came out, and how long it took where the figure is a duration."""

    order_id: str
    subject_id: str
    placed_at: datetime
    outcome: str | None
    hours: float | None
    weight: int
    carrier: str | None = None
    site: str | None = None


@dataclass(frozen=True, slots=True)
class CostTotal:
    currency: str
    kind: str
    amount: int  # minor units
    costs: int


@dataclass(frozen=True, slots=True)
class SiteClock:
    """A site's carrier cut-off and zone, for late hand-offs."""

    site: str
    time_zone: str | None
    cutoff: str | None


class KpiFacts(Protocol):
    def measures(
        self, wanted: Iterable[Measure], scope: KpiScope
    ) -> dict[Measure, list[MeasureRow]]:
        """Each wanted measure's rows within `scope`, grouped by outcome, bucket and every
        dimension the measure has: counted by the database, never read row by row."""
        ...

    def behind(
        self,
        measure: Measure,
        scope: KpiScope,
        outcome: str | None,
        after: str | None,
        limit: int,
    ) -> list[BehindFigure]:
        """The rows behind a measure (optionally of one outcome), by order id then subject,
        after the order id `after`."""
        ...

    def site_costs(self, scope: KpiScope) -> list[CostTotal]:
        """Costs recorded for a site rather than an order, incurred in the scope's days."""
        ...


class Costs(Protocol):
    def add(self, costs: Sequence[Cost], recorded_at: datetime) -> int:
        """Record costs whose key is new (a cost recorded again changes nothing); how many
        were new."""
        ...

    def orders_of(self, targets: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The order each (target kind, id) of a shipment, return or order belongs to."""
        ...

    def listed(self, order_id: str) -> list[tuple[str, str, int, str, date]]:
        """An order's costs: (kind, target, amount, currency, incurred on)."""
        ...


class PageViews(Protocol):
    def add_many(self, views: Mapping[tuple[str, date], int]) -> None:
        """More views of orders' tracking pages: how many of each order's on each day."""
        ...
