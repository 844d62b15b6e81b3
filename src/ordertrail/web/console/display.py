"""How the console writes times and what the rules said. A time is written in UTC, labelled,
inside `<time datetime>`: static/local-time.js rewrites it in the viewer's own zone (the
server cannot know it), and without script the labelled UTC time stays readable."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from markupsafe import Markup, escape

from ordertrail.app.casework.staff_words import in_words
from ordertrail.domain.measures.costs import minor_digits
from ordertrail.domain.model import Money

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})")


def when(at: datetime | None) -> Markup:
    """A moment staff read; empty for none."""
    if at is None:
        return Markup("")
    utc = at.astimezone(UTC)
    return Markup('<time datetime="{}">{} UTC</time>').format(
        utc.isoformat(), utc.strftime("%Y-%m-%d %H:%M")
    )


def said(text: str) -> Markup:
    """A case's detail or note: codes in words, its timestamps as times (escaped: a note is
    what someone typed)."""
    worded = in_words(text)
    parts, start = [], 0
    for found in _ISO.finditer(worded):
        parts.append(escape(worded[start : found.start()]))
        parts.append(when(datetime.fromisoformat(found.group(0).replace("Z", "+00:00"))))
        start = found.end()
    parts.append(escape(worded[start:]))
    return Markup("").join(parts)


def money(value: Money | None) -> str:
    """An amount in minor units as people read it, with its currency: `200.00 USD`."""
    if value is None:
        return ""
    digits = minor_digits(value.currency)
    return f"{value.amount / 10**digits:,.{digits}f} {value.currency}".strip()
