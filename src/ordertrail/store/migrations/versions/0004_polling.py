"""When to ask carriers without webhooks about each shipment.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from ordertrail.store.types import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shipments") as table:
        table.add_column(sa.Column("next_poll_at", UtcDateTime()))
        table.add_column(
            sa.Column("poll_failures", sa.Integer(), nullable=False, server_default="0")
        )
        table.add_column(
            sa.Column("polling_done", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        table.create_index("ix_shipments_next_poll_at", ["next_poll_at"])


def downgrade() -> None:
    with op.batch_alter_table("shipments") as table:
        table.drop_index("ix_shipments_next_poll_at")
        table.drop_column("polling_done")
        table.drop_column("poll_failures")
        table.drop_column("next_poll_at")
