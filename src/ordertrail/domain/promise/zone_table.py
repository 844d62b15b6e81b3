"""Where each place keeps its clocks: the data the customer's time zone is read from, offline.

US ZIP code prefixes name a state (and, where a state is split, the zone of the prefix's part
of it); a Canadian postal code's first letter names a province; states and provinces name
their main zone; for every other country, tzdata's own table lists its zones.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


def _codes(text: str) -> list[str]:
    return text.split()


EASTERN, CENTRAL, MOUNTAIN, PACIFIC = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)

# The zone most of each state or province keeps; split states take their larger part.
REGION_ZONES = {
    "US": {
        **dict.fromkeys(
            _codes("CT DE DC FL GA KY ME MD MA NH NJ NY NC OH PA RI SC VT VA WV"), EASTERN
        ),
        **dict.fromkeys(_codes("AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI"), CENTRAL),
        **dict.fromkeys(_codes("CO MT NM UT WY"), MOUNTAIN),
        **dict.fromkeys(_codes("CA NV OR WA"), PACIFIC),
        "AK": "America/Anchorage",
        "AZ": "America/Phoenix",
        "HI": "Pacific/Honolulu",
        "ID": "America/Boise",
        "IN": "America/Indiana/Indianapolis",
        "MI": "America/Detroit",
        "PR": "America/Puerto_Rico",
        "GU": "Pacific/Guam",
        "VI": "America/St_Thomas",
    },
    "CA": {
        "AB": "America/Edmonton",
        "BC": "America/Vancouver",
        "MB": "America/Winnipeg",
        "NB": "America/Moncton",
        "NL": "America/St_Johns",
        "NS": "America/Halifax",
        "NT": "America/Yellowknife",
        "NU": "America/Iqaluit",
        "ON": "America/Toronto",
        "PE": "America/Halifax",
        "QC": "America/Toronto",
        "SK": "America/Regina",
        "YT": "America/Whitehorse",
    },
    "AU": {
        "ACT": "Australia/Sydney",
        "NSW": "Australia/Sydney",
        "NT": "Australia/Darwin",
        "QLD": "Australia/Brisbane",
        "SA": "Australia/Adelaide",
        "TAS": "Australia/Hobart",
        "VIC": "Australia/Melbourne",
        "WA": "Australia/Perth",
    },
}

#: Regions whose clocks differ from one part to another: their zone is a guess.
SPLIT_REGIONS = {
    "US": frozenset(_codes("AK AZ FL ID IN KS KY MI ND NE OR SD TN TX")),
    "CA": frozenset(_codes("BC NT NU ON QC")),
    "AU": frozenset(),
}

#: US ZIP code prefixes (the first three digits), as ranges, and their state.
_ZIP_PREFIXES = """
005 NY; 006-007 PR; 008 VI; 009 PR; 010-027 MA; 028-029 RI; 030-038 NH; 039-049 ME;
050-054 VT; 055 MA; 056-059 VT; 060-069 CT; 070-089 NJ; 100-149 NY; 150-196 PA; 197-199 DE;
200 DC; 201 VA; 202-205 DC; 206-219 MD; 220-246 VA; 247-268 WV; 270-289 NC; 290-299 SC;
300-319 GA; 320-339 FL; 341-349 FL; 350-369 AL; 370-385 TN; 386-397 MS; 398-399 GA;
400-427 KY; 430-459 OH; 460-479 IN; 480-499 MI; 500-528 IA; 530-549 WI; 550-567 MN; 569 DC;
570-577 SD; 580-588 ND; 590-599 MT; 600-629 IL; 630-658 MO; 660-679 KS; 680-693 NE;
700-714 LA; 716-729 AR; 730-732 OK; 733 TX; 734-749 OK; 750-799 TX; 800-816 CO; 820-831 WY;
832-838 ID; 840-847 UT; 850-865 AZ; 870-884 NM; 885 TX; 889-898 NV; 900-961 CA; 967-968 HI;
969 GU; 970-979 OR; 980-994 WA; 995-999 AK
"""

#: Prefixes in the part of a split state that keeps its other zone.
ZIP_PREFIX_ZONES = {
    **dict.fromkeys(("324", "325"), CENTRAL),  # Florida west of the Apalachicola
    **dict.fromkeys(("373", "374", "376", "377", "378", "379"), EASTERN),  # East Tennessee
    **dict.fromkeys(("420", "421", "422", "423", "424"), CENTRAL),  # western Kentucky
    **dict.fromkeys(("463", "464", "476", "477"), CENTRAL),  # Gary and Evansville, Indiana
    **dict.fromkeys(("577", "586", "693"), MOUNTAIN),  # the west of the Dakotas, Nebraska
    **dict.fromkeys(("798", "799", "885"), MOUNTAIN),  # El Paso
    **dict.fromkeys(("835", "838"), PACIFIC),  # north Idaho
    "979": "America/Boise",  # Malheur County, Oregon
}

#: A Canadian postal code's first letter and its province.
POSTAL_LETTER_PROVINCES = {
    "A": "NL", "B": "NS", "C": "PE", "E": "NB", "G": "QC", "H": "QC", "J": "QC",
    "K": "ON", "L": "ON", "M": "ON", "N": "ON", "P": "ON", "R": "MB", "S": "SK",
    "T": "AB", "V": "BC", "X": "NT", "Y": "YT",
}  # fmt: skip

#: What customers call the zones they live in; others are named after their city.
ZONE_NAMES = {
    **dict.fromkeys(
        (EASTERN, "America/Detroit", "America/Toronto", "America/Iqaluit",
         "America/Indiana/Indianapolis", "America/Kentucky/Louisville"), "Eastern Time"),
    **dict.fromkeys((CENTRAL, "America/Winnipeg"), "Central Time"),
    **dict.fromkeys(
        (MOUNTAIN, "America/Boise", "America/Edmonton", "America/Yellowknife"), "Mountain Time"
    ),
    **dict.fromkeys((PACIFIC, "America/Vancouver"), "Pacific Time"),
    "America/Phoenix": "Arizona time (Mountain Standard Time)",
    "America/Regina": "Saskatchewan time (Central Standard Time)",
    "America/Anchorage": "Alaska Time",
    "Pacific/Honolulu": "Hawaii Time",
    **dict.fromkeys(
        ("America/Halifax", "America/Moncton", "America/Puerto_Rico", "America/St_Thomas"),
        "Atlantic Time",
    ),
    "America/St_Johns": "Newfoundland Time",
    "America/Whitehorse": "Yukon time",
    "Europe/London": "UK time",
}  # fmt: skip


@cache
def zip_prefix_states() -> dict[str, str]:
    """Every US ZIP code prefix and its state."""
    states: dict[str, str] = {}
    for entry in _ZIP_PREFIXES.replace("\n", " ").split(";"):
        span, state = entry.split()
        first, _, last = span.partition("-")
        for prefix in range(int(first), int(last or first) + 1):
            states[f"{prefix:03d}"] = state
    return states


@cache
def zones_by_country() -> dict[str, tuple[str, ...]]:
    """Country code → its zones, main one first, from the tzdata package's zone.tab."""
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    zones: dict[str, list[str]] = {}
    for line in table.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        country, _coordinates, zone, *_ = line.split("\t")
        zones.setdefault(country, []).append(zone)
    return {country: tuple(found) for country, found in zones.items()}
