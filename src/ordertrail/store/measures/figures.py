"""The aggregates /metrics reads: one grouped query each, over indexed columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, case, func, select

from ordertrail.store.tables import exception_cases, outbox

_WAITING = ("pending", "sending")
_NOT_SENT = (*_WAITING, "dead")


class SqlFigures:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def outbox_waiting(self) -> dict[tuple[str, str], int]:
        query = (
            select(outbox.c.status, outbox.c.channel, func.count())
            .where(outbox.c.status.in_(_NOT_SENT))  # sent and skipped rows only ever grow
            .group_by(outbox.c.status, outbox.c.channel)
        )
        return {(str(s), str(c)): int(n) for s, c, n in self._conn.execute(query)}

    def oldest_waiting(self) -> dict[str, datetime]:
        query = (
            select(outbox.c.channel, func.min(outbox.c.created_at))
            .where(outbox.c.status.in_(_WAITING))
            .group_by(outbox.c.channel)
        )
        return {str(channel): at for channel, at in self._conn.execute(query)}

    def open_cases(
        self, ages: Sequence[tuple[str, datetime]], older: str
    ) -> dict[tuple[str, str], int]:
        age = case(
            *((exception_cases.c.opened_at > after, label) for label, after in ages), else_=older
        )
        # grouped in an outer query: PostgreSQL does not see two copies of a CASE with bound
        # parameters as the same expression
        opened = (
            select(exception_cases.c.kind, age.label("age"))
            .where(exception_cases.c.status == "open")
            .subquery()
        )
        query = select(opened.c.kind, opened.c.age, func.count()).group_by(
            opened.c.kind, opened.c.age
        )
        return {(str(k), str(a)): int(n) for k, a, n in self._conn.execute(query)}
