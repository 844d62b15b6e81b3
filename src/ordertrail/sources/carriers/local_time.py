"""Carrier timestamps without a UTC offset, placed in the time zone where the scan happened.

UPS and others report wall-clock time at the scanning facility. The zone comes from the
location: a state or province table for the large countries that span zones, else the
country's IANA zones when they all keep the same offset at that moment. The result says which
zone was assumed, so the event can be flagged; with no usable location the time is taken as UTC
and flagged so.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ordertrail.domain.model import Location
from ordertrail.domain.promise.zone_table import REGION_ZONES, zones_by_country


def zone_of(location: Location | None, local: datetime) -> str | None:
    """The IANA zone the place keeps at that wall-clock time, when it can be told."""
    if location is None or not location.country:
        return None
    country = location.country.strip().upper()
    region = (location.region or "").strip().upper()
    by_region = REGION_ZONES.get(country)
    if by_region is not None:
        return by_region.get(region)
    zones = zones_by_country().get(country, ())
    offsets = {local.replace(tzinfo=ZoneInfo(zone)).utcoffset() for zone in zones}
    return zones[0] if len(offsets) == 1 else None


def settle(
    said: datetime, location: Location | None, fallback: str | None = None
) -> tuple[datetime, str | None]:
    """A carrier's time kept as said when it carries an offset, else placed like `place`."""
    return (said, None) if said.utcoffset() is not None else place(said, location, fallback)


def place(
    local: datetime, location: Location | None, fallback: str | None = None
) -> tuple[datetime, str]:
    """`local` (naive wall-clock time) as an aware instant, and a note of the zone assumed.

    `fallback` is a zone to use when the location tells none — typically the zone of the same
    parcel's other scans. Then the country's main zone, for a country that spans zones named
    without its state: a better guess than UTC, and the note says it was a guess. Then UTC.
    """
    zone = zone_of(location, local)
    if zone is not None:
        return local.replace(tzinfo=ZoneInfo(zone)), zone
    if fallback is not None:
        note = f"{fallback} (from the parcel's other scans)"
        return local.replace(tzinfo=ZoneInfo(fallback)), note
    main = _main_zone(location)
    if main is not None:
        return local.replace(tzinfo=ZoneInfo(main)), f"{main} (main zone of the country)"
    return local.replace(tzinfo=UTC), "UTC (no usable location)"


# Where zone.tab lists a country's zones from one edge of it rather than from its capital.
_MAIN_ZONES = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CL": "America/Santiago",
    "ID": "Asia/Jakarta",
    "KZ": "Asia/Almaty",
    "MX": "America/Mexico_City",
    "RU": "Europe/Moscow",
}


def _main_zone(location: Location | None) -> str | None:
    if location is None or not location.country:
        return None
    country = location.country.strip().upper()
    zones = zones_by_country().get(country, ())
    return _MAIN_ZONES.get(country) or (zones[0] if zones else None)
