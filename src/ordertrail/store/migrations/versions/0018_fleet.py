"""The local fleet: drivers, routes, their stops and the parcels of each stop.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from ordertrail.store.types import UtcDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "fleet_drivers",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("fleet", sa.String(50), nullable=False),
        sa.Column("pin_hash", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("disabled_at", UtcDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_fleet_drivers"),
        sa.UniqueConstraint("name", name="uq_fleet_drivers_name"),
    )
    op.create_table(
        "fleet_routes",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("fleet", sa.String(50), nullable=False),
        sa.Column("driver_id", _ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["driver_id"], ["fleet_drivers.id"], name="fk_fleet_routes_driver_id_fleet_drivers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_fleet_routes"),
    )
    op.create_index("ix_fleet_routes_driver_id_day", "fleet_routes", ["driver_id", "day"])
    op.create_table(
        "fleet_stops",
        sa.Column("route_id", sa.String(100), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("window_start", UtcDateTime()),
        sa.Column("window_end", UtcDateTime()),
        sa.Column("address", sa.String(300)),
        sa.ForeignKeyConstraint(
            ["route_id"], ["fleet_routes.id"], name="fk_fleet_stops_route_id_fleet_routes"
        ),
        sa.PrimaryKeyConstraint("route_id", "sequence", name="pk_fleet_stops"),
    )
    op.create_table(
        "fleet_stop_parcels",
        sa.Column("route_id", sa.String(100), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.String(100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["route_id"], ["fleet_routes.id"], name="fk_fleet_stop_parcels_route_id_fleet_routes"
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name="fk_fleet_stop_parcels_shipment_id_shipments"
        ),
        sa.PrimaryKeyConstraint(
            "route_id", "sequence", "shipment_id", name="pk_fleet_stop_parcels"
        ),
    )
    op.create_index(
        "ix_fleet_stop_parcels_shipment_id_day", "fleet_stop_parcels", ["shipment_id", "day"]
    )


def downgrade() -> None:
    op.drop_table("fleet_stop_parcels")
    op.drop_table("fleet_stops")
    op.drop_table("fleet_routes")
    op.drop_table("fleet_drivers")
