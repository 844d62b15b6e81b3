"""Delivery estimates: each lane's transit histograms, the window each parcel's customer sees
(with our latest estimate beside it), every change of that window with its cause, and each
site's carrier cut-off.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from ordertrail.store.types import UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("sites") as sites:
        sites.add_column(sa.Column("cutoff", sa.String(5)))
    op.create_table(
        "eta_lanes",
        sa.Column("carrier", sa.String(100), nullable=False),
        sa.Column("service", sa.String(100), nullable=False),
        sa.Column("origin", sa.String(50), nullable=False),
        sa.Column("destination", sa.String(30), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("leg", sa.String(20), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("learned_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "carrier", "service", "origin", "destination", "level", "leg", name="pk_eta_lanes"
        ),
    )
    op.create_table(
        "eta_shown",
        sa.Column("shipment_id", sa.String(100), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("earliest", sa.Date()),
        sa.Column("latest", sa.Date()),
        sa.Column("confidence", sa.Float()),
        sa.Column("basis", sa.String(20), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("paused", sa.String(20)),
        sa.Column("reason", sa.String(30)),
        sa.Column("trouble", sa.String(20)),
        sa.Column("reached_destination_at", UtcDateTime()),
        sa.Column("set_at", UtcDateTime()),
        sa.Column("model", sa.JSON()),
        sa.Column("estimated_at", UtcDateTime()),
        sa.Column("due", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name="fk_eta_shown_shipment_id_shipments"
        ),
        sa.PrimaryKeyConstraint("shipment_id", name="pk_eta_shown"),
    )
    op.create_index("ix_eta_shown_order_id", "eta_shown", ["order_id"])
    op.create_index("ix_eta_shown_due_latest", "eta_shown", ["due", "latest"])
    op.create_table(
        "eta_changes",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("shipment_id", sa.String(100), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("was_earliest", sa.Date(), nullable=False),
        sa.Column("was_latest", sa.Date(), nullable=False),
        sa.Column("earliest", sa.Date(), nullable=False),
        sa.Column("latest", sa.Date(), nullable=False),
        sa.Column("cause", sa.String(20), nullable=False),
        sa.Column("basis", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_eta_changes"),
    )
    op.create_index("ix_eta_changes_shipment_id", "eta_changes", ["shipment_id"])
    op.create_index("ix_eta_changes_order_id", "eta_changes", ["order_id"])


def downgrade() -> None:
    op.drop_table("eta_changes")
    op.drop_table("eta_shown")
    op.drop_table("eta_lanes")
    with op.batch_alter_table("sites") as sites:
        sites.drop_column("cutoff")
