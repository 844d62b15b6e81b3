"""Saved queue filters, one name per team.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from ordertrail.store.types import UtcDateTime

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "saved_filters",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("team", sa.String(20), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(40)),
        sa.Column("shows_team", sa.String(20)),
        sa.Column("age", sa.String(5), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("saved_by", sa.String(320), nullable=False),
        sa.Column("saved_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_saved_filters"),
        sa.UniqueConstraint("team", "name", name="uq_saved_filters_team_name"),
    )


def downgrade() -> None:
    op.drop_table("saved_filters")
