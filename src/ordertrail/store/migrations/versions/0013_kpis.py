"""KPIs: fulfillment costs, tracking-page views per order and day, when each order's promise
ends and where it goes (filled in for orders already stored: the country kept apart, so the
report never reads into the customer's JSON), and the indexes the
report reads through (orders by when they were placed; events of a milestone by subject).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

from ordertrail.domain.promise.promised_date import promise_ends
from ordertrail.store.types import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_SEQUENCE_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "costs",
        sa.Column("id", _SEQUENCE_ID, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("target", sa.String(10), nullable=False),
        sa.Column("target_id", sa.String(100), nullable=False),
        sa.Column("order_id", sa.String(100)),
        sa.Column("site", sa.String(50)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("incurred_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_costs"),
        sa.UniqueConstraint("key", name="uq_costs_key"),
    )
    op.create_index("ix_costs_order_id", "costs", ["order_id"])
    op.create_index("ix_costs_incurred_on", "costs", ["incurred_on"])
    op.create_table(
        "page_views",
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "day", name="pk_page_views"),
    )
    with op.batch_alter_table("orders") as orders:
        orders.add_column(sa.Column("promise_ends_at", UtcDateTime()))
        orders.add_column(sa.Column("customer_country", sa.String(100)))
        orders.create_index("ix_orders_placed_at", ["placed_at"])
    op.create_index(
        "ix_events_milestone_subject",
        "events",
        ["milestone", "subject_kind", "subject_id", "occurred_at"],
    )
    _backfill()


def _backfill() -> None:
    table = sa.table(
        "orders",
        sa.column("id", sa.String),
        sa.column("customer", sa.JSON),
        sa.column("promised_by", sa.Date),
        sa.column("promise_ends_at", UtcDateTime()),
        sa.column("customer_country", sa.String),
    )
    connection = op.get_bind()
    for order_id, customer in connection.execute(sa.select(table.c.id, table.c.customer)).all():
        country = (customer or {}).get("country")
        if country:
            connection.execute(
                table.update().where(table.c.id == order_id).values(customer_country=country)
            )
    rows = connection.execute(
        sa.select(table.c.id, table.c.customer, table.c.promised_by).where(
            table.c.promised_by.is_not(None)
        )
    ).all()
    for order_id, customer, promised_by in rows:
        day = date.fromisoformat(promised_by) if isinstance(promised_by, str) else promised_by
        ends = promise_ends(day, (customer or {}).get("time_zone"))
        connection.execute(
            table.update().where(table.c.id == order_id).values(promise_ends_at=ends)
        )


def downgrade() -> None:
    op.drop_index("ix_events_milestone_subject", "events")
    with op.batch_alter_table("orders") as orders:
        orders.drop_index("ix_orders_placed_at")
        orders.drop_column("customer_country")
        orders.drop_column("promise_ends_at")
    op.drop_table("page_views")
    op.drop_index("ix_costs_incurred_on", "costs")
    op.drop_index("ix_costs_order_id", "costs")
    op.drop_table("costs")
