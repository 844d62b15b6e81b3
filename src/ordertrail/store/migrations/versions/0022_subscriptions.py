"""What a customer asked for an order on its page: a number for texts, and a stop to its
emails (one-click unsubscribe, RFC 8058).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from ordertrail.store.types import UtcDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_subscriptions",
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("sms_number", sa.String(16), nullable=True),
        sa.Column("sms_added_at", UtcDateTime(), nullable=True),
        sa.Column("email_stopped_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name="fk_order_subscriptions_order_id_orders"
        ),
        sa.PrimaryKeyConstraint("order_id", name="pk_order_subscriptions"),
    )


def downgrade() -> None:
    op.drop_table("order_subscriptions")
