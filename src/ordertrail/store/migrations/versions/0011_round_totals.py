"""What the worker's rounds have done in all, figure by figure (rounds, parcels swept, cases
opened, messages sent, parcels asked about ...), so /metrics can offer them as counters
wherever the worker runs.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "round_totals",
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("figure", sa.String(50), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", "figure", name="pk_round_totals"),
    )


def downgrade() -> None:
    op.drop_table("round_totals")
