"""Dates, times and numbers in the current language, by Babel (CLDR): "Mon 30 Nov 2026",
"lun. 30 nov. 2026", "Mo., 30. Nov. 2026". Each shape has a pattern per language where the
shape differs (German puts a full stop after the day, Spanish says "de"); a language without
its own pattern uses English's, with its own day and month names.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, get_timezone_name
from babel.numbers import format_decimal

from ordertrail.languages.catalogs import ENGLISH
from ordertrail.languages.speech import language

#: shape → language → CLDR pattern ("en" is the default of every shape)
PATTERNS: dict[str, dict[str, str]] = {
    # the day an order was placed or a return started: "Mon 30 Nov 2026"
    "day_year": {
        "en": "EEE dd MMM yyyy",
        "fr": "EEE d MMM y",
        "de": "EEE, d. MMM y",
        "es": "EEE, d MMM y",
    },
    # a day this season: "Mon 30 Nov"
    "day": {"en": "EEE dd MMM", "fr": "EEE d MMM", "de": "EEE, d. MMM", "es": "EEE, d MMM"},
    # a step on the parcel's road: "Mon 30 Nov, 14:05"
    "moment": {
        "en": "EEE dd MMM, HH:mm",
        "fr": "EEE d MMM, HH:mm",
        "de": "EEE, d. MMM, HH:mm",
        "es": "EEE, d MMM, HH:mm",
    },
    # a delivery day named in full: "Monday 30 November"
    "weekday_date": {
        "en": "EEEE d MMMM",
        "fr": "EEEE d MMMM",
        "de": "EEEE, d. MMMM",
        "es": "EEEE d 'de' MMMM",
    },
    "weekday": {"en": "EEEE"},  # "Monday", "lundi", "Montag", "lunes"
    "time": {"en": "HH:mm"},
}


def _pattern(shape: str) -> str:
    patterns = PATTERNS[shape]
    return patterns.get(language(), patterns["en"])


@cache
def _locale(tag: str) -> Locale:
    """The language's CLDR data, looked up once: given its tag, Babel parses it and builds
    a new Locale at every date (an order's page says a dozen)."""
    return Locale.parse(tag)


def day_year(day: date | datetime) -> str:
    return _date(day, "day_year")


def short_day(day: date | datetime) -> str:
    return _date(day, "day")


def weekday(day: date | datetime) -> str:
    return _date(day, "weekday")


def weekday_date(day: date | datetime) -> str:
    return _date(day, "weekday_date")


def moment(at: datetime) -> str:
    """A time already in the customer's zone, with its day: "Mon 30 Nov, 14:05"."""
    return format_datetime(at, _pattern("moment"), tzinfo=at.tzinfo, locale=_locale(language()))


def clock(at: datetime) -> str:
    return format_datetime(at, _pattern("time"), tzinfo=at.tzinfo, locale=_locale(language()))


def number(value: float) -> str:
    return format_decimal(value, locale=_locale(language()))


def _date(day: date | datetime, shape: str) -> str:
    locale = _locale(language())
    if isinstance(day, datetime):
        return format_datetime(day, _pattern(shape), tzinfo=day.tzinfo, locale=locale)
    return format_date(day, _pattern(shape), locale=locale)


def zone_words(zone: tzinfo, english: str) -> str:
    """A time zone's name in the language spoken ("heure du centre nord-américain"); in
    English, or for a bare offset, the name the page already had ("Central Time")."""
    if language() == ENGLISH or not isinstance(zone, ZoneInfo):
        return english
    return get_timezone_name(zone, locale=_locale(language()))
