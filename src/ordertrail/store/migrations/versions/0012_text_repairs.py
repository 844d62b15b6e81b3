"""The record of stored text `ordertrail repair text` mended (lone surrogates let in by
older versions, replaced with U+FFFD), each with the text it held before.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from ordertrail.store.types import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "text_repairs",
        sa.Column("seq", _ID, autoincrement=True, nullable=False),
        sa.Column("repaired_at", UtcDateTime(), nullable=False),
        sa.Column("table_name", sa.String(50), nullable=False),
        sa.Column("row_key", sa.String(300), nullable=False),
        sa.Column("column_name", sa.String(50), nullable=False),
        sa.Column("stored", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_text_repairs"),
    )


def downgrade() -> None:
    op.drop_table("text_repairs")
