"""A lane with a history, as the delivery-estimate tests tell it: UPS Ground parcels from the
Louisville warehouse to Chicago, most two business days on the road, a few three."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ordertrail.app.commands import RecordEvents, RegisterOrders
from ordertrail.app.sites import save_sites
from ordertrail.bootstrap import System
from ordertrail.domain.model import Location, Site
from ordertrail.sources.canonical import parse_event, parse_order

LOUISVILLE = ZoneInfo("America/Kentucky/Louisville")
CHICAGO = ZoneInfo("America/Chicago")
CHICAGO_PLACE = {"city": "Chicago", "region": "IL", "country": "US", "postal_code": "60607"}
HUB = {"city": "Louisville", "region": "KY", "country": "US"}


def warehouse(system: System) -> None:
    site = Site(
        "louisville",
        "Louisville DC",
        time_zone="America/Kentucky/Louisville",
        location=Location("Louisville", "KY", "US"),
        cutoff=time(17, 0),
    )
    save_sites(system.uows, [site])


def register(system: System, order_id: str, tracking: str, **order: Any) -> None:
    body = {
        "id": order_id,
        "channel": "shopify",
        "placed_at": "2026-09-01T12:00:00+00:00",
        "customer": {
            "email": f"{order_id.lower()}@example.com",
            "postal_code": "60607",
            "country": "US",
            "time_zone": "America/Chicago",
        },
        "lines": [{"sku": "MUG", "quantity": 1}],
        "shipments": [
            {
                "tracking_number": tracking,
                "carrier": "ups",
                "service": "Ground",
                "site": "louisville",
                "lines": [{"sku": "MUG", "quantity": 1}],
            }
        ],
        **order,
    }
    system.handle(RegisterOrders([parse_order(body)]))


def scan(
    system: System,
    tracking: str,
    milestone: str,
    when: datetime,
    where: dict[str, str] | None = None,
    **extra: Any,
) -> None:
    event = {
        "shipment": tracking,
        "milestone": milestone,
        "source": "carrier:ups",
        "occurred_at": when.isoformat(),
        "location": where,
        **extra,
    }
    system.handle(RecordEvents([parse_event({k: v for k, v in event.items() if v is not None})]))


def history(
    system: System, parcels: int = 30, first_monday: date = date(2026, 9, 7), late_every: int = 10
) -> None:
    """Parcels handed over on Tuesday mornings (weeks from `first_monday`), delivered two
    business days later (Thursday), every `late_every`-th a day later (Friday)."""
    for n in range(parcels):
        tuesday = first_monday + timedelta(days=1 + 7 * (n % 8))
        tracking = f"1ZHIST{n:04d}"
        register(system, f"H-{n:04d}", tracking)
        handed = datetime.combine(tuesday, datetime.min.time(), LOUISVILLE) + timedelta(hours=11)
        days = 3 if n % late_every == late_every - 1 else 2
        delivered_day = tuesday + timedelta(days=days)
        reached = datetime.combine(delivered_day, datetime.min.time(), CHICAGO) - timedelta(hours=4)
        delivered = datetime.combine(delivered_day, datetime.min.time(), CHICAGO) + timedelta(
            hours=14
        )
        scan(system, tracking, "carrier_accepted", handed, HUB)
        scan(system, tracking, "in_transit", reached, CHICAGO_PLACE)
        scan(system, tracking, "delivered", delivered, CHICAGO_PLACE)
