"""Carrier code mappings added by people, read over the shipped tables.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from ordertrail.store.types import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "code_mappings",
        sa.Column("carrier", sa.String(50), nullable=False),
        sa.Column("raw_code", sa.String(100), nullable=False),
        sa.Column("milestone", sa.String(30), nullable=False),
        sa.Column("reason", sa.String(30)),
        sa.Column("mapped_by", sa.String(120), nullable=False),
        sa.Column("mapped_at", UtcDateTime(), nullable=False),
        sa.Column("note", sa.Text()),
        sa.PrimaryKeyConstraint("carrier", "raw_code", name="pk_code_mappings"),
    )
    # the unmapped-codes list groups carrier events by source and raw code
    op.create_index("ix_events_source_raw_code", "events", ["source", "raw_code"])


def downgrade() -> None:
    op.drop_index("ix_events_source_raw_code", "events")
    op.drop_table("code_mappings")
