"""The time zone a customer reads their order's times in, and what to call it.

In order of trust: the zone stored with the customer; the zone of where the order goes (the
country with its postal code or region); the zone of where the carrier scanned it at the
destination; the offset the carrier gave on such a scan; else UTC. Anything short of the first
two, or a destination in a state split across zones, is a guess, and the page says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ordertrail.domain.model import Location
from ordertrail.domain.promise.zone_table import (
    POSTAL_LETTER_PROVINCES,
    REGION_ZONES,
    SPLIT_REGIONS,
    ZIP_PREFIX_ZONES,
    ZONE_NAMES,
    zip_prefix_states,
    zones_by_country,
)


@dataclass(frozen=True, slots=True)
class CustomerZone:
    zone: tzinfo
    name: str  # "Eastern Time", "Berlin time", "UTC" or an offset the carrier gave
    #: False when the zone is a guess: a split state, the carrier's scan, or nothing at all
    sure: bool


@dataclass(frozen=True, slots=True)
class PlaceZone:
    zone: str  # IANA
    sure: bool


def customer_zone(
    stored: str | None,
    destination: Location,
    scans: Sequence[tuple[Location | None, datetime]],
    at: datetime,
) -> CustomerZone:
    """`scans` are the carrier's scans at the destination (delivery, attempts, out for
    delivery), newest first; `at` is the moment whose offsets decide a country's zones."""
    if (kept := _zone_named(stored)) is not None:
        return CustomerZone(kept, zone_name(stored or ""), sure=True)
    if (place := zone_of_place(destination, at)) is not None:
        return CustomerZone(ZoneInfo(place.zone), zone_name(place.zone), place.sure)
    for location, _ in scans:
        if location is not None and (place := zone_of_place(location, at)) is not None:
            return CustomerZone(ZoneInfo(place.zone), zone_name(place.zone), sure=False)
    for _, when in scans:
        offset = when.utcoffset()
        if offset:  # +00:00 is what carriers that speak UTC say: no news of the place
            return CustomerZone(timezone(offset), _offset_name(offset), sure=False)
    return CustomerZone(UTC, "UTC", sure=False)


def zone_of_place(place: Location, at: datetime) -> PlaceZone | None:
    """The zone a place keeps, from its postal code, its region, or its country alone."""
    country = (place.country or "").strip().upper()
    postal = "".join((place.postal_code or "").split()).upper()
    region = (place.region or "").strip().upper()
    if country == "US" and postal[:3] in zip_prefix_states():
        state = zip_prefix_states()[postal[:3]]
        zone = ZIP_PREFIX_ZONES.get(postal[:3]) or REGION_ZONES["US"].get(state)
        return PlaceZone(zone, state not in SPLIT_REGIONS["US"]) if zone else None
    if country == "CA" and postal[:1] in POSTAL_LETTER_PROVINCES:
        region = POSTAL_LETTER_PROVINCES[postal[:1]]
    if country in REGION_ZONES:
        zone = REGION_ZONES[country].get(region)
        return PlaceZone(zone, region not in SPLIT_REGIONS[country]) if zone else None
    zones = zones_by_country().get(country, ())
    offsets = {at.astimezone(ZoneInfo(name)).utcoffset() for name in zones}
    return PlaceZone(zones[0], sure=True) if len(offsets) == 1 else None


def zone_name(zone: str) -> str:
    """'Eastern Time' for America/New_York; a zone without a common name by its city."""
    if zone in ZONE_NAMES:
        return ZONE_NAMES[zone]
    if zone.upper() in ("UTC", "ETC/UTC", "GMT"):
        return "UTC"
    return f"{zone.rsplit('/', 1)[-1].replace('_', ' ')} time"


def _zone_named(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _offset_name(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
