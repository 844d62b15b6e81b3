"""Exception cases, the rhythm learned per lane, and when each parcel needs a look.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from ordertrail.store.types import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "exception_cases",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("subject_kind", sa.String(10), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("cause", sa.String(220), nullable=False),
        sa.Column("team", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("resolved_at", UtcDateTime()),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("assigned_to", sa.String(120)),
        sa.Column("acknowledged_by", sa.String(120)),
        sa.PrimaryKeyConstraint("id", name="pk_exception_cases"),
        sa.UniqueConstraint(
            "subject_kind",
            "subject_id",
            "kind",
            "cause",
            name="uq_exception_cases_subject_kind_subject_id_kind_cause",
        ),
    )
    op.create_index("ix_exception_cases_order_id", "exception_cases", ["order_id"])
    op.create_index("ix_exception_cases_open", "exception_cases", ["status", "team", "opened_at"])
    op.create_table(
        "rhythms",
        sa.Column("carrier", sa.String(100), nullable=False),
        sa.Column("service", sa.String(100), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("destination", sa.String(20), nullable=False),
        sa.Column("milestone", sa.String(30), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("learned_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "carrier", "service", "origin", "destination", "milestone", name="pk_rhythms"
        ),
    )
    with op.batch_alter_table("shipments") as table:
        table.add_column(sa.Column("next_check_at", UtcDateTime()))
        table.create_index("ix_shipments_next_check_at", ["next_check_at"])


def downgrade() -> None:
    with op.batch_alter_table("shipments") as table:
        table.drop_index("ix_shipments_next_check_at")
        table.drop_column("next_check_at")
    op.drop_table("rhythms")
    op.drop_index("ix_exception_cases_open", "exception_cases")
    op.drop_index("ix_exception_cases_order_id", "exception_cases")
    op.drop_table("exception_cases")
