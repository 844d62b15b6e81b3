"""KPI rollups: when a parcel (or an order, for a pick scanned on the whole order) first
reached a warehouse step or a delivery attempt, kept as columns beside the projection.

The KPI report reads these columns instead of looking each parcel's scans up in the event
log (four index lookups per parcel were most of a year's report). They are worked out from
the log in the same UPDATE that saves the projection, so they are as fresh as the status;
`rebuild` clears them with the projection and writes them again, and migration 0016 filled
them in for the rows that were there before.

A rollup is the first event of its milestone whatever the fold made of it (a late scan, one
the source had no say over): what the report counted when it read the log itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ScalarSelect, Table, func, select

from ordertrail.store.tables import events

#: each rollup column of a table, and the milestone whose first event it keeps
FIRST_OF: dict[str, dict[str, str]] = {
    "shipments": {
        "picked_at": "picked",
        "packed_at": "packed",
        "labelled_at": "label_created",
        "attempted_at": "delivery_attempted",
    },
    "orders": {"picked_at": "picked"},
}
#: whose events a table's rows are
_KIND = {"shipments": "shipment", "orders": "order"}


def first_event(milestone: str, kind: str, subject: Any) -> ScalarSelect[Any]:
    """When `subject` first reached `milestone` (one lookup in ix_events_milestone_subject)."""
    return (
        select(func.min(events.c.occurred_at))
        .where(
            events.c.milestone == milestone,
            events.c.subject_kind == kind,
            events.c.subject_id == subject,
        )
        .scalar_subquery()
    )


def rollups(table: Table) -> dict[str, ScalarSelect[Any]]:
    """The rollup columns of `table` (none for a table without any), each as worked out from
    the log for the row being written."""
    return {
        column: first_event(milestone, _KIND[table.name], table.c.id)
        for column, milestone in FIRST_OF.get(table.name, {}).items()
    }


def cleared(table: Table) -> dict[str, None]:
    """The rollup columns of `table`, emptied (before a rebuild writes them again)."""
    return dict.fromkeys(FIRST_OF.get(table.name, {}))
