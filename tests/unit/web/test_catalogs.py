"""Every word marked for customers is translated in every catalog: a word added to a page or
message without its French, Spanish and German fails here (run `make catalogs`, then
translate what it adds)."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from ordertrail.languages.catalogs import catalog_path, spoken
from tests.paths import ROOT

ROOT = ROOT
COMPLETE = ("fr", "es", "de")  # the languages the README promises in full


def marked() -> Catalog:
    """What `make catalogs` extracts: the sources' marked words, by babel.cfg."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = Catalog()
    keywords = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    for _file, _line, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords
    ):
        found.add(message, None, auto_comments=comments, context=context)
    return found


@pytest.fixture(scope="module")
def sources() -> Catalog:
    return marked()


def test_the_sources_mark_the_customer_words(sources: Catalog) -> None:
    ids = {m.id for m in sources if m.id}
    assert "Track your order" in ids  # a page
    assert "Your parcel is running late." in ids  # a message
    assert ("%(count)s stop away", "%(count)s stops away") in ids  # a plural
    assert "Ops console" not in ids  # staff pages stay English


def test_french_spanish_and_german_are_spoken() -> None:
    assert set(COMPLETE) <= spoken()


@pytest.mark.parametrize("language", COMPLETE)
def test_every_marked_word_is_translated(sources: Catalog, language: str) -> None:
    with catalog_path(language).open("rb") as source:
        catalog = read_po(source, locale=language)
    missing = []
    for wanted in sources:
        if not wanted.id:
            continue
        have = catalog.get(wanted.id, context=wanted.context)
        strings = have.string if have else None
        translated = [s for s in (strings if isinstance(strings, tuple) else (strings,)) if s]
        plurals = catalog.num_plurals if isinstance(wanted.id, tuple) else 1
        if have is None or have.fuzzy or len(translated) < plurals:
            missing.append(wanted.id)
    assert not missing, f"{language} misses {len(missing)}: {missing[:5]} (make catalogs)"


def test_every_place_a_carrier_leaves_a_parcel_is_marked_for_translation() -> None:
    from ordertrail.domain.customer.delivery_proof import PLACES
    from ordertrail.web.public.track_words import PROOF_LEFT

    assert {words for _clue, words in PLACES} == set(PROOF_LEFT)
