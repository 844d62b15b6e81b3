"""A lane with a history, as the delivery-estimate tests tell it: UPS Ground parcels from the
Louisville warehouse to Chicago, most two business days on the road, a few three."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ordertrail.app.intake.commands import RecordEvents, RegisterOrders
from ordertrail.app.promise.eta import learn_lanes
from ordertrail.app.sites import save_sites
from ordertrail.bootstrap import System
from ordertrail.domain.model import Location, Site
from ordertrail.sources.canonical import parse_event, parse_order
from tests.conftest import FixedClock

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


#: the parcel each story follows, handed over on a Tuesday morning
PARCEL = "1ZNEW0000001"


def a_learned_lane(system: System) -> None:
    """Four in five parcels two business days on the road, one in five three: the window
    holding nine in ten is two days wide."""
    warehouse(system)
    history(system, parcels=30, late_every=5)
    learn_lanes(system.uows, datetime(2026, 11, 1, tzinfo=UTC))


def handed_over(system: System, clock: FixedClock, order_id: str, **order: Any) -> None:
    """The order's parcel leaves Louisville on Tuesday 17 November at 11:00, the clock then."""
    register(system, order_id, PARCEL, **order)
    handed = datetime(2026, 11, 17, 11, 0, tzinfo=LOUISVILLE)
    clock.current = handed.astimezone(UTC)
    scan(system, PARCEL, "carrier_accepted", handed, HUB)


def held_in_chicago(system: System, clock: FixedClock, reason: str) -> None:
    """Thursday morning the carrier holds the parcel in Chicago and says Monday; the news
    arrives that afternoon."""
    clock.current = datetime(2026, 11, 19, 15, 0, tzinfo=UTC)
    scan(
        system,
        PARCEL,
        "delayed",
        datetime(2026, 11, 19, 8, 30, tzinfo=CHICAGO),
        CHICAGO_PLACE,
        reason=reason,
        data={"estimated_delivery": "2026-11-23"},
    )
