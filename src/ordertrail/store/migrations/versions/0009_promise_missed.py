"""When each order's promised delivery day ends: the sweep then looks at its parcels once and
opens a `promise_missed` case for any not delivered. Orders already stored get the moment
from their promise, so a promise that ended before the upgrade is looked at too.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

from ordertrail.domain.promise.promised_date import promise_ends
from ordertrail.store.types import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as orders:
        orders.add_column(sa.Column("promise_check_at", UtcDateTime()))
        orders.create_index("ix_orders_promise_check_at", ["promise_check_at"])
    _backfill()


def _backfill() -> None:
    """Only orders not yet delivered, returned or cancelled: the others kept their promise or
    no longer need one."""
    table = sa.table(
        "orders",
        sa.column("id", sa.String),
        sa.column("customer", sa.JSON),
        sa.column("promised_by", sa.Date),
        sa.column("status", sa.String),
        sa.column("promise_check_at", UtcDateTime()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(table.c.id, table.c.customer, table.c.promised_by).where(
            table.c.promised_by.is_not(None),
            table.c.status.not_in(["delivered", "returned", "cancelled"]),
        )
    ).all()
    for order_id, customer, promised_by in rows:
        day = date.fromisoformat(promised_by) if isinstance(promised_by, str) else promised_by
        ends = promise_ends(day, (customer or {}).get("time_zone"))
        connection.execute(
            table.update().where(table.c.id == order_id).values(promise_check_at=ends)
        )


def downgrade() -> None:
    with op.batch_alter_table("orders") as orders:
        orders.drop_index("ix_orders_promise_check_at")
        orders.drop_column("promise_check_at")
