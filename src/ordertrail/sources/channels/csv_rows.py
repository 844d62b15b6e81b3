"""The rows of a CSV or TSV file, each with the line it starts on, reading on past rows that
cannot be read.

A quote that is never closed makes the csv module read the rest of the file into one field:
the row it opened in comes out with its last columns empty and every row after it is
swallowed (or, in a large file, the field passes the csv module's size limit). Here such a
row is reported as what it is, naming the quote's line, and reading starts again on the line
after the quote, so the good rows after it land.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from ordertrail.app.intake.handlers import ItemProblem

#: One row of a csv.DictReader; an extra field lands under None as a list, so values are Any.
Row = dict[Any, Any]


class _Replay:
    """The file's lines, counted, keeping those read since `mark()` so that they can be read
    again."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._source = iter(lines)
        self._again: deque[str] = deque()
        self.read = 0
        self.kept: list[str] = []

    def __iter__(self) -> _Replay:
        return self

    def __next__(self) -> str:
        line = self._again.popleft() if self._again else next(self._source)
        self.read += 1
        self.kept.append(line)
        return line

    def mark(self) -> None:
        self.kept = []

    def read_again_after(self, count: int) -> None:
        """Read again every line kept since the mark except its first `count`."""
        again = self.kept[count:]
        self.read -= len(again)
        self._again.extendleft(reversed(again))
        self.kept = []


class Rows:
    """`csv.DictReader` over `lines` (its `reader` has the header); iterating yields (line,
    row, problems) with a row that cannot be read reported at its line."""

    def __init__(self, lines: Iterable[str], **dialect: Any) -> None:
        self._lines = _Replay(lines)
        self.reader = csv.DictReader(self._lines, **dialect)
        quoting = dialect.get("quoting", csv.QUOTE_MINIMAL)
        self._quote = None if quoting == csv.QUOTE_NONE else dialect.get("quotechar", '"')
        self._delimiter = dialect.get("delimiter", ",")

    def __iter__(self) -> Iterator[tuple[int, Row, list[ItemProblem]]]:
        lines = self._lines
        while True:
            before = lines.read
            lines.mark()
            try:
                row = next(self.reader)
                problem = None
            except StopIteration:
                return
            except csv.Error as error:
                if not lines.kept:  # nothing more was read: the source is done
                    return
                row, problem = {}, str(error)
            first = before + 1 + _blank_lines(lines.kept)
            opened = self._open_quote(lines.kept)
            if opened is not None:
                where = before + 1 + opened
                said = f"the quote opened on line {where} is never closed"
                yield where, {}, [ItemProblem(where, "(row)", said)]
                lines.read_again_after(opened + 1)
            elif problem is not None:
                yield first, {}, [ItemProblem(first, "(row)", _cannot_read(problem))]
                lines.read_again_after(1 + _blank_lines(lines.kept))
            else:
                yield first, row, []

    def _open_quote(self, lines: list[str]) -> int | None:
        """Which of `lines` (one row as read) opens a quoted field that is never closed: one
        still open at the end, or "closed" by a quote with more text after it (a closing quote
        is followed by a delimiter or the end of the line), which is the next field's opening
        quote, lines later. A one-line row with an even number of quotes has neither."""
        quote = self._quote
        if quote is None or (len(lines) < 2 and sum(map(str.count, lines, quote)) % 2 == 0):
            return None
        ends = (self._delimiter, "\r", "\n")
        inside, opened, field_start = False, None, True
        for number, line in enumerate(lines):
            at = 0
            while at < len(line):
                char = line[at]
                if inside and char == quote:
                    if line.startswith(quote * 2, at):
                        at += 1  # a doubled quote is a quote character
                    elif at + 1 < len(line) and line[at + 1] not in ends:
                        return opened
                    else:
                        inside = False
                elif not inside:
                    if char == quote and field_start:
                        inside, opened = True, number
                    field_start = char in ends
                at += 1
        return opened if inside else None


def _blank_lines(lines: list[str]) -> int:
    """How many of `lines` come before the first that says something (DictReader skips
    empty rows)."""
    count = 0
    for line in lines:
        if line.strip("\r\n"):
            break
        count += 1
    return min(count, max(len(lines) - 1, 0))


def _cannot_read(error: str) -> str:
    if "field larger than field limit" in error:
        return f"has a field longer than {csv.field_size_limit():,} characters"
    return f"cannot be read ({error})"
