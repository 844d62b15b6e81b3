"""Words said to customers, marked for translation.

`_("...")` translates at the call into the current language; `N_("...")` only marks a word
kept in a module-level table (translated later, where it is said, by `_(word)`). Until the
catalogs are in, every language is English: the words pass through unchanged.
"""

from __future__ import annotations


def _(text: str) -> str:
    return text


def ngettext(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def N_(text: str) -> str:
    return text
