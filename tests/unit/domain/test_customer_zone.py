"""The zone a customer reads times in, derived offline from where the order goes when no zone
is stored (issue 13 item 7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ordertrail.domain.customer.customer_zone import customer_zone
from ordertrail.domain.model import Location

WINTER = datetime(2026, 11, 25, 17, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("postal_code", "country", "zone", "name", "sure"),
    [
        ("43215", "US", "America/New_York", "Eastern Time", True),  # Columbus, OH
        ("43215-1234", "us", "America/New_York", "Eastern Time", True),  # ZIP+4
        ("78701", "US", "America/Chicago", "Central Time", False),  # Austin: Texas is split
        ("79901", "US", "America/Denver", "Mountain Time", False),  # El Paso
        ("37902", "US", "America/New_York", "Eastern Time", False),  # Knoxville, TN
        ("85004", "US", "America/Phoenix", "Arizona time (Mountain Standard Time)", False),
        ("98101", "US", "America/Los_Angeles", "Pacific Time", True),  # Seattle
        ("M5V 2T6", "CA", "America/Toronto", "Eastern Time", False),  # Ontario is split
        ("T2P 1J9", "CA", "America/Edmonton", "Mountain Time", True),
        ("10115", "DE", "Europe/Berlin", "Berlin time", True),  # one offset in all Germany
    ],
)
def test_the_destination_names_the_zone(
    postal_code: str, country: str, zone: str, name: str, sure: bool
) -> None:
    shown = customer_zone(None, Location(postal_code=postal_code, country=country), [], WINTER)
    assert (str(shown.zone), shown.name, shown.sure) == (zone, name, sure)


def test_a_stored_zone_comes_first() -> None:
    columbus = Location(postal_code="43215", country="US")
    shown = customer_zone("America/Chicago", columbus, [], WINTER)
    assert (str(shown.zone), shown.name, shown.sure) == ("America/Chicago", "Central Time", True)


def test_without_a_destination_the_carriers_scan_there_tells() -> None:
    nowhere = Location(country="US")  # no postal code: the state is unknown
    austin = Location(city="Austin", region="TX", country="US")
    by_place = customer_zone(None, nowhere, [(austin, WINTER)], WINTER)
    assert (str(by_place.zone), by_place.sure) == ("America/Chicago", False)
    local = WINTER.astimezone(timezone(timedelta(hours=-5)))
    by_offset = customer_zone(None, nowhere, [(None, WINTER), (None, local)], WINTER)
    assert (by_offset.name, by_offset.sure) == ("UTC−05:00", False)
    assert WINTER.astimezone(by_offset.zone).hour == 12


def test_with_nothing_to_go_on_times_are_utc_and_say_so() -> None:
    shown = customer_zone("Mars/Olympus", Location(country="RU"), [], WINTER)
    assert (shown.name, shown.sure, WINTER.astimezone(shown.zone).hour) == ("UTC", False, 17)
