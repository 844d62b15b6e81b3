"""The translations: one gettext catalog (`<lang>/LC_MESSAGES/messages.po`) per language,
compiled in memory the first time a language is spoken (no `.mo` files to keep in step).

A language with no catalog is English: a customer whose browser asks for Japanese reads the
English page, never a half-translated one.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

HERE = Path(__file__).parent
DOMAIN = "messages"
ENGLISH = "en"  # the words in the sources: English needs no catalog


def catalog_path(language: str) -> Path:
    return HERE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def spoken() -> frozenset[str]:
    """Every language a customer can be answered in: English and each one with a catalog."""
    found = {p.parent.parent.name for p in HERE.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return frozenset({ENGLISH, *found})


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of `language`; English (the words as written) for any other."""
    if language == ENGLISH or language not in spoken():
        return gettext.NullTranslations()
    with catalog_path(language).open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # a fuzzy guess is not a translation
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
