"""The customer's language on the order (`locale`): pages and messages speak it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as table:
        table.add_column(sa.Column("locale", sa.String(35)))


def downgrade() -> None:
    with op.batch_alter_table("orders") as table:
        table.drop_column("locale")
