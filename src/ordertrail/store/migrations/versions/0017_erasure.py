"""Customer data erased on request: which orders were erased, and the one rewrite the
append-only log allows.

The log stays append-only, with one narrow exception: inside an erasure's own transaction
(which holds a row in `erasure_permits`, never committed) an event's personal parts — its
location, raw description and data — may be rewritten. Everything a status is derived from
(key, subject, milestone, reason, source, times, raw code) still cannot change, and nothing
can be deleted.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from ordertrail.store.types import UtcDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

#: what an erasure may never change (it may change location, raw_description, data)
_FIXED = (
    "seq",
    "key",
    "subject_kind",
    "subject_id",
    "order_id",
    "milestone",
    "reason",
    "source",
    "occurred_at",
    "occurred_offset_min",
    "received_at",
    "raw_code",
)

_REFUSE_SQLITE = "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"


def _sqlite_update_trigger() -> str:
    changed = " OR ".join(f"NEW.{name} IS NOT OLD.{name}" for name in _FIXED)
    return (
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
        f"WHEN NOT EXISTS (SELECT 1 FROM erasure_permits) OR {changed} {_REFUSE_SQLITE}"
    )


def _postgres_function() -> str:
    new = ", ".join(f"NEW.{name}" for name in _FIXED)
    old = ", ".join(f"OLD.{name}" for name in _FIXED)
    return (
        "CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM erasure_permits) "
        f"AND ROW({new}) IS NOT DISTINCT FROM ROW({old}) THEN RETURN NEW; END IF; "
        "RAISE EXCEPTION 'events are append-only'; END $$"
    )


def upgrade() -> None:
    op.create_table(
        "erasure_permits",
        sa.Column("erasure", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("erasure", name="pk_erasure_permits"),
    )
    with op.batch_alter_table("orders") as orders:
        orders.add_column(sa.Column("erased_at", UtcDateTime()))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_postgres_function())
    else:
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute(_sqlite_update_trigger())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$"
        )
    else:
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute(f"CREATE TRIGGER events_no_update BEFORE UPDATE ON events {_REFUSE_SQLITE}")
    with op.batch_alter_table("orders") as orders:
        orders.drop_column("erased_at")
    op.drop_table("erasure_permits")
