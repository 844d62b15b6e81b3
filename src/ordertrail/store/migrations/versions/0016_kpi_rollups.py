"""KPI rollups: when each parcel was first picked, packed, labelled and missed at the door, and
when each order was first picked as a whole, kept beside the projection (store.kpi_rollups)
and filled in here from the event log for the rows already stored.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from ordertrail.store.types import UtcDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# written out here rather than imported: a migration fills the columns as they were defined
# the day it was written
_FIRST_OF = {
    ("shipments", "shipment"): {
        "picked_at": "picked",
        "packed_at": "packed",
        "labelled_at": "label_created",
        "attempted_at": "delivery_attempted",
    },
    ("orders", "order"): {"picked_at": "picked"},
}


def upgrade() -> None:
    for (table, _), columns in _FIRST_OF.items():
        with op.batch_alter_table(table) as altered:
            for column in columns:
                altered.add_column(sa.Column(column, UtcDateTime()))
    for (table, kind), columns in _FIRST_OF.items():
        # one statement per table: every lookup goes through ix_events_milestone_subject
        firsts = ", ".join(
            f"{column} = (SELECT min(e.occurred_at) FROM events e WHERE e.milestone = "
            f"'{milestone}' AND e.subject_kind = '{kind}' AND e.subject_id = {table}.id)"
            for column, milestone in columns.items()
        )
        op.execute(f"UPDATE {table} SET {firsts}")


def downgrade() -> None:
    for (table, _), columns in _FIRST_OF.items():
        with op.batch_alter_table(table) as altered:
            for column in columns:
                altered.drop_column(column)
