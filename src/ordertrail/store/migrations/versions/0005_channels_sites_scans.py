"""Orders from store platforms (their own id, the delivery window, the last change applied),
webhook deliveries handled, sites, relabelled shipments, and when a shipment reached its
status (missing-scan checks).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

from ordertrail.store.types import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as table:
        table.add_column(sa.Column("external_id", sa.String(100)))
        table.add_column(sa.Column("promised_from", sa.Date()))
        table.add_column(sa.Column("channel_updated_at", UtcDateTime()))
        table.add_column(sa.Column("own_status", sa.String(30)))
        table.create_index("ix_orders_external_id", ["external_id"])
    with op.batch_alter_table("shipments") as table:
        table.add_column(sa.Column("status_at", UtcDateTime()))
        table.add_column(
            sa.Column("cancelled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        table.create_index("ix_shipments_status_status_at", ["status", "status_at"])
    _backfill_projections()
    op.create_table(
        "shipment_aliases",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("shipment_id", sa.String(100), nullable=False),
        sa.Column("linked_at", UtcDateTime(), nullable=False),
        sa.Column("linked_by", sa.String(120), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name="fk_shipment_aliases_shipment_id_shipments"
        ),
        sa.PrimaryKeyConstraint("name", name="pk_shipment_aliases"),
    )
    op.create_index("ix_shipment_aliases_shipment_id", "shipment_aliases", ["shipment_id"])
    op.create_table(
        "hook_deliveries",
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("delivery_id", sa.String(200), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source", "delivery_id", name="pk_hook_deliveries"),
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.String(50), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("time_zone", sa.String(64)),
        sa.Column("city", sa.String(100)),
        sa.Column("region", sa.String(100)),
        sa.Column("country", sa.String(2)),
        sa.PrimaryKeyConstraint("id", name="pk_sites"),
    )


def _backfill_projections() -> None:
    """The new projection columns, from the fold states already saved (what `rebuild` would
    write), so parcels packed before the upgrade are found by missing-scan checks."""
    bind = op.get_bind()
    parcels = sa.table(
        "shipments",
        sa.column("id"),
        sa.column("fold_state", sa.JSON),
        sa.column("status_at", UtcDateTime()),
    )
    orders = sa.table(
        "orders", sa.column("id"), sa.column("fold_state", sa.JSON), sa.column("own_status")
    )
    for row in bind.execute(sa.select(parcels.c.id, parcels.c.fold_state)).all():
        since = (row.fold_state or {}).get("status_at")
        if since:
            moment = datetime.fromisoformat(since)
            bind.execute(parcels.update().where(parcels.c.id == row.id).values(status_at=moment))
    for row in bind.execute(sa.select(orders.c.id, orders.c.fold_state)).all():
        status = (row.fold_state or {}).get("status")
        if status:
            bind.execute(orders.update().where(orders.c.id == row.id).values(own_status=status))


def downgrade() -> None:
    op.drop_table("sites")
    op.drop_table("hook_deliveries")
    op.drop_index("ix_shipment_aliases_shipment_id", "shipment_aliases")
    op.drop_table("shipment_aliases")
    with op.batch_alter_table("shipments") as table:
        table.drop_index("ix_shipments_status_status_at")
        table.drop_column("cancelled")
        table.drop_column("status_at")
    with op.batch_alter_table("orders") as table:
        table.drop_index("ix_orders_external_id")
        table.drop_column("own_status")
        table.drop_column("channel_updated_at")
        table.drop_column("promised_from")
        table.drop_column("external_id")
