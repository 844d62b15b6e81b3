"""Which language a customer is answered in: the order's own locale when the shop sent one,
else what their browser asks for (`Accept-Language`, by its q-values), else the brand's
language, else English. Only languages with a catalog are chosen (`fr-CA` is answered in
`fr`); anything else falls through to the next choice.

A header is what a stranger typed: it is read leniently (a malformed entry is skipped, an
absurdly long header is cut short) and never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from ordertrail.languages.catalogs import ENGLISH, spoken
from ordertrail.languages.speech import speaking

#: more than any browser sends; a longer header is read up to here only
MOST_HEADER = 1000
MOST_ENTRIES = 30
_TAG = re.compile(r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$|^\*$")
_Q = re.compile(r"^q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$", re.IGNORECASE)


def primary(tag: str | None) -> str | None:
    """The language a locale tag names, when it is one we speak: "fr-CA", "fr_FR" → "fr"."""
    if not tag:
        return None
    tag = tag.strip()
    if not _TAG.match(tag) or tag == "*":
        return None
    base = re.split(r"[-_]", tag, maxsplit=1)[0].lower()
    return base if base in spoken() else None


def asked(header: str | None) -> list[str]:
    """The languages a browser asks for, most wanted first (equal weights keep their order);
    entries with q=0 are refused, not wanted."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, entry in enumerate(header[:MOST_HEADER].split(",")[:MOST_ENTRIES]):
        tag, *params = (piece.strip() for piece in entry.split(";"))
        if not tag or not _TAG.match(tag):
            continue
        weight = 1.0
        for param in params:
            found = _Q.match(param.replace(" ", ""))
            if found:
                weight = float(found.group(1))
            elif param.lower().startswith("q="):
                weight = -1.0  # a weight no one can read: the entry is skipped
        if weight > 0:
            weighted.append((-weight, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def first_spoken(tags: Iterable[str | None]) -> str | None:
    for tag in tags:
        if found := primary(tag):
            return found
    return None


def choose(
    order_locale: str | None = None,
    accept_language: str | None = None,
    brand_language: str | None = None,
) -> str:
    """The language to answer in (always one we speak)."""
    return (
        primary(order_locale)
        or first_spoken(asked(accept_language))
        or primary(brand_language)
        or ENGLISH
    )


@contextmanager
def in_their_language(locale: str | None) -> Iterator[None]:
    """Inside, words are said in the order's language when it is one we speak; else in the
    language already chosen (the browser's or the brand's)."""
    found = primary(locale)
    if found is None:
        yield
        return
    with speaking(found):
        yield
