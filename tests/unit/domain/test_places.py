"""Scan places as carriers name them, read into city, region and country, found in a
gazetteer (a small one here; the real one in one test) and drawn as a route."""

from __future__ import annotations

import pytest

from ordertrail.domain.customer.route_map import HEIGHT, WIDTH, route_map
from ordertrail.domain.model import Location
from ordertrail.domain.places import KnownPlace, PlaceQuery, country_code, place_query, said
from ordertrail.sources.gazetteer import CityGazetteer

CITIES = {
    "1": {"name": "Columbus", "countrycode": "US", "admin1code": "OH", "population": 900000,
          "latitude": 39.96, "longitude": -83.0, "alternatenames": []},
    "2": {"name": "Columbus", "countrycode": "US", "admin1code": "GA", "population": 200000,
          "latitude": 32.46, "longitude": -84.99, "alternatenames": []},
    "3": {"name": "St. Louis", "countrycode": "US", "admin1code": "MO", "population": 300000,
          "latitude": 38.63, "longitude": -90.2, "alternatenames": ["Saint Louis"]},
    "4": {"name": "Köln", "countrycode": "DE", "admin1code": "07", "population": 1000000,
          "latitude": 50.93, "longitude": 6.95, "alternatenames": ["Cologne", "Кёльн"]},
    "5": {"name": "Toronto", "countrycode": "CA", "admin1code": "08", "population": 2800000,
          "latitude": 43.7, "longitude": -79.4, "alternatenames": []},
}  # fmt: skip


@pytest.mark.parametrize(
    ("location", "query"),
    [
        (Location(city="LOUISVILLE", region="KY", country="US"), ("Louisville", "KY", "US")),
        (Location(city="MEMPHIS HUB TN 38118"), ("Memphis", "TN", "US")),
        (Location(city="Louisville, KY, US"), ("Louisville", "KY", "US")),
        (Location(city="TORONTO ON"), ("Toronto", "ON", "CA")),
        (Location(city="Cologne Sort Center", country="Germany"), ("Cologne", None, "DE")),
        (Location(city="PARIS", country="FRANCE"), ("Paris", None, "FR")),
        (Location(city="LA PAZ", country="BO"), ("La Paz", None, "BO")),
    ],
)
def test_a_carriers_place_reads_as_city_region_and_country(
    location: Location, query: tuple[str, str | None, str | None]
) -> None:
    assert place_query(location) == PlaceQuery(*query)


def test_nothing_that_names_no_city_is_a_place() -> None:
    assert place_query(None) is None
    assert place_query(Location(country="US")) is None
    assert place_query(Location(city="38118 HUB")) is None
    assert country_code("Narnia") is None and country_code("usa") == "US"


def test_the_place_as_said_never_repeats_a_postal_code() -> None:
    scan = Location(city="MEMPHIS HUB TN 38118", country="US", postal_code="38118")
    assert said(scan) == "MEMPHIS HUB TN, US"


def test_the_gazetteer_finds_a_city_by_its_names_region_and_country() -> None:
    cities = CityGazetteer(CITIES)
    columbus = cities.find(PlaceQuery("Columbus", "GA", "US"))
    assert columbus is not None and (columbus.region, columbus.latitude) == ("GA", 32.46)
    biggest = cities.find(PlaceQuery("Columbus", None, "US"))
    assert biggest is not None and biggest.region == "OH"
    assert cities.find(PlaceQuery("Saint Louis", "MO", "US")) is not None
    assert cities.find(PlaceQuery("St Louis", None, None)) is not None
    cologne = cities.find(PlaceQuery("Cologne", None, "DE"))
    assert cologne is not None and cologne.name == "Köln, DE"  # numbers nobody writes: none
    toronto = cities.find(PlaceQuery("Toronto", None, None))
    assert toronto is not None and toronto.region == "ON"
    assert cities.find(PlaceQuery("Columbus", None, "DE")) is None
    assert cities.find(PlaceQuery("Atlantis", None, None)) is None


def test_the_shipped_gazetteer_knows_the_worlds_cities() -> None:
    cities = CityGazetteer()
    found = cities.find(PlaceQuery("Louisville", "KY", "US"))
    assert found is not None and round(found.latitude) == 38 and round(found.longitude) == -86
    assert cities.find(PlaceQuery("Paris", None, "FR")) is not None


def _place(city: str, lat: float, lon: float) -> KnownPlace:
    return KnownPlace(city, None, "US", lat, lon)


def test_the_route_is_drawn_inside_the_map_north_up_with_the_last_place_marked() -> None:
    memphis, louisville = _place("Memphis", 35.15, -90.05), _place("Louisville", 38.25, -85.76)
    drawn = route_map([memphis, memphis, louisville])
    assert drawn is not None and [p.place for p in drawn.points] == [memphis, louisville]
    first, last = drawn.points
    assert first.x < last.x and first.y > last.y  # east is right, north is up
    assert [p.last for p in drawn.points] == [False, True]
    assert len(drawn.legs) == 1
    for point in drawn.points:
        assert 0 <= point.x <= WIDTH and 0 <= point.y <= HEIGHT


def test_a_route_in_one_city_is_one_point_and_no_route_is_no_map() -> None:
    drawn = route_map([_place("Memphis", 35.15, -90.05)])
    assert drawn is not None and len(drawn.points) == 1 and drawn.legs == []
    assert route_map([]) is None
