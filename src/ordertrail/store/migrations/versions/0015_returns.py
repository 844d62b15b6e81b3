"""Returns as a flow: a return's kind, team, label parcel and derived detail; its lines with
what was received and decided; and the install's RMA counter.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from ordertrail.store.types import UtcDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

#: RMA numbers start here, so the first return reads RMA-1001.
_FIRST_RMA = 1000


def upgrade() -> None:
    with op.batch_alter_table("returns") as returns:
        returns.add_column(sa.Column("kind", sa.String(10)))
        returns.add_column(sa.Column("team", sa.String(20)))
        returns.add_column(sa.Column("tracking_number", sa.String(100)))
        returns.add_column(sa.Column("carrier", sa.String(50)))
        returns.add_column(sa.Column("requested_at", UtcDateTime()))
        returns.add_column(sa.Column("updated_at", UtcDateTime()))
        returns.add_column(sa.Column("detail", sa.JSON()))
        returns.create_index("ix_returns_tracking_number", ["tracking_number"])
    op.create_table(
        "return_lines",
        sa.Column("return_id", sa.String(100), nullable=False),
        sa.Column("sku", sa.String(100), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("disposition", sa.String(20)),
        sa.Column("damaged", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name="fk_return_lines_return_id_returns"
        ),
        sa.PrimaryKeyConstraint("return_id", "sku", name="pk_return_lines"),
    )
    op.create_index("ix_return_lines_order_id", "return_lines", ["order_id"])
    counters = op.create_table(
        "counters",
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_counters"),
    )
    op.bulk_insert(counters, [{"name": "rma", "value": _FIRST_RMA}])


def downgrade() -> None:
    op.drop_table("counters")
    op.drop_index("ix_return_lines_order_id", table_name="return_lines")
    op.drop_table("return_lines")
    with op.batch_alter_table("returns") as returns:
        returns.drop_index("ix_returns_tracking_number")
        for column in (
            "detail",
            "updated_at",
            "requested_at",
            "carrier",
            "tracking_number",
            "team",
            "kind",
        ):
            returns.drop_column(column)
