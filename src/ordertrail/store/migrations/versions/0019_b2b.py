"""B2B orders: the consignee, purchase order and delivery needs an order carries.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("business", sa.JSON()))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("business")
