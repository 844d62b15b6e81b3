"""The event log, and the order, shipment and return projections.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from ordertrail.store.tables import APPEND_ONLY_SQL, SequenceId
from ordertrail.store.types import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("placed_at", UtcDateTime(), nullable=False),
        sa.Column("customer", sa.JSON(), nullable=False),
        sa.Column("promised_by", sa.Date()),
        sa.Column("priority", sa.String(30), nullable=False),
        sa.Column("value_amount", sa.BigInteger()),
        sa.Column("value_currency", sa.String(3)),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("needs_attention", sa.Boolean(), nullable=False),
        sa.Column("fold_state", sa.JSON()),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
    )
    op.create_table(
        "shipments",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("tracking_number", sa.String(100)),
        sa.Column("carrier", sa.String(100)),
        sa.Column("service", sa.String(100)),
        sa.Column("site", sa.String(100)),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(30)),
        sa.Column("exception_reason", sa.String(30)),
        sa.Column("eta", sa.String(40)),
        sa.Column("shipped_at", UtcDateTime()),
        sa.Column("delivered_at", UtcDateTime()),
        sa.Column("last_event_at", UtcDateTime()),
        sa.Column("fold_state", sa.JSON()),
        sa.PrimaryKeyConstraint("id", name="pk_shipments"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_shipments_order_id_orders"),
        sa.UniqueConstraint("tracking_number", name="uq_shipments_tracking_number"),
    )
    op.create_index("ix_shipments_order_id", "shipments", ["order_id"])
    op.create_table(
        "returns",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(30)),
        sa.Column("fold_state", sa.JSON()),
        sa.PrimaryKeyConstraint("id", name="pk_returns"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_returns_order_id_orders"),
    )
    op.create_index("ix_returns_order_id", "returns", ["order_id"])
    op.create_table(
        "events",
        sa.Column("seq", SequenceId, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("subject_kind", sa.String(10), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("milestone", sa.String(30)),
        sa.Column("reason", sa.String(30)),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("occurred_offset_min", sa.SmallInteger(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("location", sa.JSON()),
        sa.Column("raw_code", sa.String(100)),
        sa.Column("raw_description", sa.Text()),
        sa.Column("data", sa.JSON()),
        sa.PrimaryKeyConstraint("seq", name="pk_events"),
        sa.UniqueConstraint("key", name="uq_events_key"),
    )
    op.create_index("ix_events_order_id", "events", ["order_id"])
    op.create_index("ix_events_subject", "events", ["subject_kind", "subject_id"])
    for statement in APPEND_ONLY_SQL.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
        op.execute("DROP FUNCTION IF EXISTS events_append_only()")
    for table in ("events", "returns", "shipments", "orders"):
        op.drop_table(table)
