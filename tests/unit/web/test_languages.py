"""Which language a customer hears, and how dates read in it: the order's locale first, then
the browser's Accept-Language by its q-values, then the brand's, then English; a header a
stranger typed never breaks the choice."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ordertrail.app.promise.eta_words import window_words
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.languages import dates
from ordertrail.languages.choice import asked, choose
from ordertrail.languages.speech import _, language, ngettext, speaking
from ordertrail.web.public.track_words import explanation, status_words


@pytest.mark.parametrize(
    ("locale", "header", "brand", "expected"),
    [
        ("fr", "de-DE,de;q=0.9", "es", "fr"),  # the order's own language wins
        ("fr-CA", None, None, "fr"),  # a region of a language we speak
        ("pt_BR", "es;q=0.8, de;q=0.9", None, "de"),  # not spoken: the browser's best
        (None, "ja, es;q=0.5", None, "es"),  # the first spoken one the browser accepts
        (None, "de;q=0.2, fr;q=0.7, en;q=0.5", None, "fr"),  # by weight, not by order
        (None, "fr;q=0, de", None, "de"),  # q=0 says "not this one"
        (None, "da, sv", "de", "de"),  # nothing spoken asked: the brand's
        (None, "da", None, "en"),  # and else English
        (None, "", "es-MX", "es"),
        (None, "*", None, "en"),
    ],
)
def test_the_language_is_the_orders_then_the_browsers_then_the_brands(
    locale: str | None, header: str | None, brand: str | None, expected: str
) -> None:
    assert choose(locale, header, brand) == expected


@pytest.mark.parametrize(
    "header",
    [
        "fr;q=banana",  # a weight nobody can read: the entry is skipped
        "fr;q=2",
        ";;;,,,;q=1",
        "\x00fr",
        "fr" * 5000,
        ",".join(["xx"] * 10_000) + ",fr",  # past what any browser sends: not read
        "<script>alert(1)</script>",
        "fr-" + "a" * 300,
        "q=0.9",
    ],
)
def test_a_hostile_accept_language_falls_back_without_error(header: str) -> None:
    assert choose(None, header, None) == "en"


def test_equal_weights_keep_the_browsers_order() -> None:
    assert asked("es, fr;q=1.0, de;q=1") == ["es", "fr", "de"]
    assert asked("en-GB,en;q=0.9,fr;q=0.8") == ["en-GB", "en", "fr"]


def test_a_language_without_a_catalog_is_english_words_and_dates() -> None:
    with speaking("ja"):
        assert language() == "en"
        assert _("Track your order") == "Track your order"
        assert dates.weekday(date(2026, 12, 7)) == "Monday"
    with speaking("fr"):
        assert _("Track your order") == "Suivre votre commande"
    assert language() == "en"  # back to what was spoken before


def test_plurals_follow_each_languages_rule() -> None:
    def stops(count: int) -> str:
        return ngettext("%(count)s stop away", "%(count)s stops away", count) % {"count": count}

    with speaking("fr"):  # French: 0 and 1 are singular
        assert stops(1) == "À 1 arrêt de chez vous" and stops(2) == "À 2 arrêts de chez vous"
    with speaking("de"):
        assert stops(1) == "Noch 1 Stopp bis zu Ihnen"
    assert stops(1) == "1 stop away" and stops(3) == "3 stops away"


PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("spoken", "placed", "step", "far_day"),
    [
        ("en", "Mon 07 Dec 2026", "Mon 07 Dec, 14:05", "Monday 21 December"),
        ("fr", "lun. 7 déc. 2026", "lun. 7 déc., 14:05", "lundi 21 décembre"),
        ("es", "lun, 7 dic 2026", "lun, 7 dic, 14:05", "lunes 21 de diciembre"),
        ("de", "Mo., 7. Dez. 2026", "Mo., 7. Dez., 14:05", "Montag, 21. Dezember"),
    ],
)
def test_dates_read_as_each_language_writes_them(
    spoken: str, placed: str, step: str, far_day: str
) -> None:
    at = datetime(2026, 12, 7, 14, 5, tzinfo=PARIS)
    with speaking(spoken):
        assert dates.day_year(at) == placed
        assert dates.moment(at) == step
        assert dates.weekday_date(date(2026, 12, 21)) == far_day


@pytest.mark.parametrize(
    ("spoken", "tomorrow_or_wednesday", "far"),
    [
        ("en", "tomorrow or Wednesday", "between Thursday and Monday 21 December"),
        ("fr", "demain ou mercredi", "entre jeudi et lundi 21 décembre"),
        ("es", "mañana o miércoles", "entre jueves y lunes 21 de diciembre"),
        ("de", "morgen oder Mittwoch", "zwischen Donnerstag und Montag, 21. Dezember"),
    ],
)
def test_relative_days_and_weekday_names_in_each_language(
    spoken: str, tomorrow_or_wednesday: str, far: str
) -> None:
    today = date(2026, 12, 7)  # a Monday
    with speaking(spoken):
        assert window_words(date(2026, 12, 8), date(2026, 12, 9), today) == tomorrow_or_wednesday
        assert window_words(date(2026, 12, 10), date(2026, 12, 21), today) == far


def test_a_parcel_in_trouble_is_explained_in_a_whole_sentence() -> None:
    attempted, nobody = Milestone.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE
    assert explanation(attempted, nobody) == (
        "Delivery attempted because nobody was there to receive it."
    )
    with speaking("fr"):
        assert status_words(Milestone.DELIVERED) == "Livré"
        assert explanation(attempted, nobody) == (
            "Tentative de livraison car personne n'était présent pour le réceptionner."
        )
    with speaking("de"):
        assert explanation(attempted, nobody) == (
            "Zustellversuch, weil niemand da war, um es anzunehmen."
        )
