"""ISO 3166 alpha-3 → alpha-2, for carriers and aggregators that name countries in three
letters (AfterShip, DHL). Countries outside this table keep their three letters."""

from __future__ import annotations

_PAIRS = (  # noqa: SIM905 - a table reads best as a table
    "ARE AE ARG AR AUS AU AUT AT BEL BE BGR BG BRA BR CAN CA CHE CH CHL CL CHN CN COL CO CZE CZ "
    "DEU DE DNK DK EGY EG ESP ES EST EE FIN FI FRA FR GBR GB GRC GR HKG HK HRV HR HUN HU IDN ID "
    "IND IN IRL IE ISL IS ISR IL ITA IT JPN JP KOR KR LTU LT LUX LU LVA LV MAC MO MEX MX MYS MY "
    "NLD NL NOR NO NZL NZ PER PE PHL PH POL PL PRT PT QAT QA ROU RO RUS RU SAU SA SGP SG SRB RS "
    "SVK SK SVN SI SWE SE THA TH TUR TR TWN TW UKR UA USA US VNM VN ZAF ZA PRI PR JAM JM"
).split()

ALPHA2 = dict(zip(_PAIRS[::2], _PAIRS[1::2], strict=True))

#: country names as carriers spell them ("Leipzig - Germany")
NAMES = {
    "GERMANY": "DE",
    "UNITED STATES": "US",
    "UNITED STATES OF AMERICA": "US",
    "CANADA": "CA",
    "UNITED KINGDOM": "GB",
    "GREAT BRITAIN": "GB",
    "FRANCE": "FR",
    "NETHERLANDS": "NL",
    "THE NETHERLANDS": "NL",
    "BELGIUM": "BE",
    "SPAIN": "ES",
    "ITALY": "IT",
    "PORTUGAL": "PT",
    "SWITZERLAND": "CH",
    "AUSTRIA": "AT",
    "POLAND": "PL",
    "SWEDEN": "SE",
    "DENMARK": "DK",
    "NORWAY": "NO",
    "FINLAND": "FI",
    "IRELAND": "IE",
    "CZECH REPUBLIC": "CZ",
    "CZECHIA": "CZ",
    "CHINA": "CN",
    "HONG KONG": "HK",
    "JAPAN": "JP",
    "SOUTH KOREA": "KR",
    "SINGAPORE": "SG",
    "INDIA": "IN",
    "AUSTRALIA": "AU",
    "NEW ZEALAND": "NZ",
    "MEXICO": "MX",
    "BRAZIL": "BR",
    "JAMAICA": "JM",
    "UNITED ARAB EMIRATES": "AE",
    "TURKEY": "TR",
    "TURKIYE": "TR",
}


def alpha2(code: str | None) -> str | None:
    """A country as two letters where known (from three letters or its English name);
    anything else as given, trimmed and upper case."""
    if not code or not code.strip():
        return None
    cleaned = code.strip().upper()
    if cleaned in NAMES:
        return NAMES[cleaned]
    return ALPHA2.get(cleaned, cleaned) if len(cleaned) == 3 else cleaned
