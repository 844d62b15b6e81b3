"""Staff users, their console sessions, the API keys of integrations, and the customer's
email as its own indexed column (staff search by it), and the channel's version of each
parcel (so an older fulfillment update arriving late changes nothing), and the worker's
heartbeat.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from ordertrail.store.types import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("orders") as orders:
        orders.add_column(sa.Column("customer_email", sa.String(320)))
        orders.create_index("ix_orders_customer_email", ["customer_email"])
    _backfill_emails()
    with op.batch_alter_table("shipments") as parcels:
        parcels.add_column(sa.Column("channel_updated_at", UtcDateTime()))
    op.create_table(
        "heartbeats",
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("said", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_heartbeats"),
    )
    op.create_table(
        "staff_users",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("disabled_at", UtcDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_staff_users"),
        sa.UniqueConstraint("email", name="uq_staff_users_email"),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_staff_sessions"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name="fk_staff_sessions_user_id_staff_users"
        ),
    )
    op.create_index("ix_staff_sessions_expires_at", "staff_sessions", ["expires_at"])
    op.create_table(
        "api_keys",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("site", sa.String(50)),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("revoked_at", UtcDateTime()),
        sa.Column("last_used_at", UtcDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )


def _backfill_emails() -> None:
    table = sa.table(
        "orders",
        sa.column("id", sa.String),
        sa.column("customer", sa.JSON),
        sa.column("customer_email", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(table.c.id, table.c.customer)).all()
    for order_id, customer in rows:
        email = ((customer or {}).get("email") or "").strip().lower()[:320]
        if email:
            connection.execute(
                table.update().where(table.c.id == order_id).values(customer_email=email)
            )


def downgrade() -> None:
    op.drop_table("heartbeats")
    with op.batch_alter_table("shipments") as parcels:
        parcels.drop_column("channel_updated_at")
    with op.batch_alter_table("orders") as orders:
        orders.drop_index("ix_orders_customer_email")
        orders.drop_column("customer_email")
    op.drop_table("api_keys")
    op.drop_index("ix_staff_sessions_expires_at", "staff_sessions")
    op.drop_table("staff_sessions")
    op.drop_table("staff_users")
