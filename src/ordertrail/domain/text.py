"""Text both databases can keep, and text every reader can show.

JSON may carry a lone UTF-16 surrogate (`"\\udfff"`): Python decodes it into a string that
can never be encoded as UTF-8, so a page, an API answer or a terminal showing it fails. And
PostgreSQL cannot store NUL in text. Every edge in refuses both, naming where they are; text
stored before that rule existed is shown with U+FFFD in place of each bad code point.
"""

from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
#: C0 and C1 control characters: never part of a name, an id or a code.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

#: Deep enough for any real document; deeper is an attack or a bug (and is refused).
MAX_DEPTH = 32

LONE_SURROGATE = (
    "text must not contain a lone surrogate (an unpaired \\ud800–\\udfff escape): "
    "it is not a character"
)
NUL = "text must not contain NUL (\\u0000) characters"


def text_refusal(text: str) -> str | None:
    """Why `text` cannot be stored, or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    return NUL if found.group() == "\x00" else LONE_SURROGATE


def unstorable_text(value: Any, where: str = "") -> tuple[str, str] | None:
    """The first place in a decoded JSON document (a key or a string value) holding text
    that cannot be stored, as (dotted path, why), or None. Walked without recursion."""
    pending: list[tuple[Any, str, int]] = [(value, where, 0)]
    while pending:
        item, path, depth = pending.pop()
        if depth > MAX_DEPTH:
            return path or "(document)", f"nests deeper than {MAX_DEPTH} levels"
        if isinstance(item, str):
            why = text_refusal(item)
            if why:
                return path or "(document)", why
        elif isinstance(item, dict):
            for key, part in reversed(item.items()):
                inner = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and (why := text_refusal(key)):
                    return path or "(document)", f"a key: {why}"
                pending.append((part, inner, depth + 1))
        elif isinstance(item, list):
            pending.extend(
                (part, f"{path}.{n}" if path else str(n), depth + 1)
                for n, part in reversed(list(enumerate(item)))
            )
    return None


def mend(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (the replacement character)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def mended(value: Any) -> Any:
    """A decoded JSON value with every string (and key) mended."""
    if isinstance(value, str):
        return mend(value)
    if isinstance(value, dict):
        return {mend(k) if isinstance(k, str) else k: mended(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mended(part) for part in value]
    return value
