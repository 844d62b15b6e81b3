"""Places as carriers name them, read into city, region and country.

Carriers write a scan's place many ways: `LOUISVILLE, KY, US`, a city field holding
`MEMPHIS TN 38118`, `Memphis Hub`, a country spelled out. `place_query` reads what was said
into a city, region and country a gazetteer can look up; facility words and postal codes are
dropped (a postal code can point at a street, and is never shown). Nothing here knows the
customer's address: only scans are read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ordertrail.domain.model import Location


@dataclass(frozen=True, slots=True)
class PlaceQuery:
    """What a carrier said, read: a city, and the region and country when it said them."""

    city: str
    region: str | None
    country: str | None


@dataclass(frozen=True, slots=True)
class KnownPlace:
    """A place the gazetteer knows: its name, region, country and where it is."""

    city: str
    region: str | None
    country: str
    latitude: float
    longitude: float

    @property
    def name(self) -> str:
        return ", ".join(part for part in (self.city, self.region, self.country) if part)


#: words carriers add to a place that are not part of its name
FACILITY_WORDS = frozenset(
    [
        "hub",
        "facility",
        "depot",
        "sort",
        "sortation",
        "center",
        "centre",
        "gateway",
        "distribution",
        "station",
        "terminal",
        "dc",
        "sc",
        "processing",
        "network",
        "delivery",
        "office",
        "post",
        "international",
        "intl",
        "airport",
        "ground",
        "warehouse",
        "plant",
        "local",
        "regional",
        "area",
    ]
)
US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "DC",
        "PR",
    ]
)
CA_PROVINCES = frozenset(
    ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]
)
#: countries carriers spell out, by the names they use most
COUNTRY_NAMES = {
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "canada": "CA",
    "united kingdom": "GB",
    "great britain": "GB",
    "uk": "GB",
    "england": "GB",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "spain": "ES",
    "espana": "ES",
    "italy": "IT",
    "netherlands": "NL",
    "belgium": "BE",
    "mexico": "MX",
    "australia": "AU",
    "china": "CN",
    "japan": "JP",
}
_HAS_DIGIT = re.compile(r"\d")
_SPLIT = re.compile(r"[,/;|]+")
_LONGEST = 120  # nothing longer is a place name


def said(location: Location | None) -> str:
    """The place exactly as the carrier gave it, fields joined (postal code left out)."""
    if location is None:
        return ""
    parts = (location.city, location.region, location.country)
    # a postal code inside a field can be the customer's own: never repeated
    words = [" ".join(w for w in (p or "").split() if not _HAS_DIGIT.search(w)) for p in parts]
    return ", ".join(word for word in words if word)[:_LONGEST]


def place_query(location: Location | None) -> PlaceQuery | None:
    """The city, region and country a scan's place names; None when it names no city."""
    if location is None:
        return None
    country = country_code(location.country)
    region = _region(location.region)
    pieces = [p.strip() for p in _SPLIT.split((location.city or "")[:_LONGEST]) if p.strip()]
    if not pieces:
        return None
    # `Louisville, KY, US` in the city field: the later pieces are region and country
    for extra in reversed(pieces[1:]):
        code = country_code(extra)
        if country is None and code is not None and len(pieces) > 2:
            country = code
        elif region is None and _region(extra):
            region = _region(extra)
    words = _name_words(pieces[0])
    # `MEMPHIS TN 38118`: a trailing state or province code belongs to the region
    if len(words) > 1 and words[-1].upper() in US_STATES | CA_PROVINCES and region is None:
        region = words.pop().upper()
    city = _titled(" ".join(words))
    if not city:
        return None
    if country is None and region is not None:
        country = "US" if region in US_STATES else "CA" if region in CA_PROVINCES else None
    return PlaceQuery(city, region, country)


def country_code(text: str | None) -> str | None:
    """`US`, `us`, `USA`, `United States` → `US`; None for what is not a country."""
    if not text or not text.strip():
        return None
    folded = _folded(text)
    if folded in COUNTRY_NAMES:
        return COUNTRY_NAMES[folded]
    if len(folded) == 2 and folded.isalpha():
        return folded.upper()
    return None


def _region(text: str | None) -> str | None:
    if not text or not text.strip() or _HAS_DIGIT.search(text):
        return None
    cleaned = " ".join(text.split())[:60]
    return cleaned.upper() if len(cleaned) <= 3 else _titled(cleaned)


def _name_words(text: str) -> list[str]:
    words = [w.strip(".-()") for w in text.replace("-", " - ").split()]
    return [
        w for w in words if w and not _HAS_DIGIT.search(w) and w.casefold() not in FACILITY_WORDS
    ]


def _titled(text: str) -> str:
    text = " ".join(text.split())
    return text.title() if text.isupper() or text.islower() else text


def folded(text: str) -> str:
    """A name as compared: no accents, no dots, one case, `st` read as `saint`."""
    plain = _folded(text).replace(".", " ").replace("-", " ").replace("'", "")
    words = ["saint" if w in ("st", "ste") else w for w in plain.split()]
    return " ".join(words)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())
