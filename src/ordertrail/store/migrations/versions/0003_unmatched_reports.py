"""Reports that arrived for shipments not registered yet, held until they are.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from ordertrail.store.tables import SequenceId
from ordertrail.store.types import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unmatched_reports",
        sa.Column("seq", SequenceId, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("shipment_name", sa.String(100), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_unmatched_reports"),
        sa.UniqueConstraint("key", name="uq_unmatched_reports_key"),
    )
    op.create_index("ix_unmatched_reports_shipment_name", "unmatched_reports", ["shipment_name"])


def downgrade() -> None:
    op.drop_table("unmatched_reports")
