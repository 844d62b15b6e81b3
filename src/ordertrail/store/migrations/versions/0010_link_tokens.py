"""Message links derived when sent: the install's own secrets, and no link token left in the
outbox (messages queued before this kept theirs in plain text; they get a derived one when
sent, and links already sent keep working: their hashes stay).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from datetime import UTC, datetime
from secrets import token_urlsafe

import sqlalchemy as sa
from alembic import op

from ordertrail.store.types import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "install_secrets",
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_install_secrets"),
    )
    # made here, so no page ever waits to make it
    secrets = sa.table(
        "install_secrets",
        sa.column("name", sa.String),
        sa.column("value", sa.String),
        sa.column("created_at", UtcDateTime()),
    )
    made = {"name": "link_secret", "value": token_urlsafe(32), "created_at": datetime.now(UTC)}
    op.bulk_insert(secrets, [made])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE outbox SET context = (context::jsonb - 'token')::json "
            "WHERE (context::jsonb -> 'token') IS NOT NULL"
        )
    else:
        op.execute(
            "UPDATE outbox SET context = json_remove(context, '$.token') "
            "WHERE json_extract(context, '$.token') IS NOT NULL"
        )


def downgrade() -> None:
    # the tokens taken out of the outbox are gone: only their hashes were ever needed
    op.drop_table("install_secrets")
