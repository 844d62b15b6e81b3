"""The transactional outbox of notifications, and the tokens of their tracking links.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from ordertrail.store.types import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("dedupe", sa.String(300), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("audience", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("subject_kind", sa.String(10), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("available_at", UtcDateTime(), nullable=False),
        sa.Column("claimed_until", UtcDateTime()),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime()),
        sa.Column("last_error", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("dedupe", name="uq_outbox_dedupe"),
    )
    op.create_index("ix_outbox_order_id", "outbox", ["order_id"])
    op.create_index("ix_outbox_status_available_at", "outbox", ["status", "available_at"])
    op.create_table(
        "tracking_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_tracking_tokens"),
    )
    op.create_index("ix_tracking_tokens_order_id", "tracking_tokens", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_tracking_tokens_order_id", "tracking_tokens")
    op.drop_table("tracking_tokens")
    op.drop_index("ix_outbox_status_available_at", "outbox")
    op.drop_index("ix_outbox_order_id", "outbox")
    op.drop_table("outbox")
