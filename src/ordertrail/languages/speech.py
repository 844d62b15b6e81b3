"""Words said to customers, marked for translation.

`_("...")` translates at the call into the current language; `N_("...")` only marks a word
kept in a module-level table (translated later, where it is said, by `_(word)`). The current
language is a context variable: a page sets it for its request, a message for its rendering
(`speaking("fr")`), so two customers served at once each hear their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ordertrail.languages.catalogs import ENGLISH, spoken, translations

_current: ContextVar[str] = ContextVar("ordertrail_language", default=ENGLISH)


def language() -> str:
    """The language words are said in now ("en" unless a page or message chose another)."""
    return _current.get()


def speak(chosen: str) -> None:
    """From here on, in this request or task, words are said in `chosen` (English when we do
    not speak it: words and dates never come out in two languages)."""
    _current.set(_known(chosen))


@contextmanager
def speaking(chosen: str) -> Iterator[None]:
    """Words said inside are said in `chosen`; the language before comes back after."""
    token = _current.set(_known(chosen))
    try:
        yield
    finally:
        _current.reset(token)


def _known(chosen: str) -> str:
    return chosen if chosen in spoken() else ENGLISH


def _(text: str) -> str:
    return translations(_current.get()).gettext(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, text: str) -> str:
    """A word that reads differently by use ("today" as a delivery day)."""
    return translations(_current.get()).pgettext(context, text)


def N_(text: str) -> str:
    return text
