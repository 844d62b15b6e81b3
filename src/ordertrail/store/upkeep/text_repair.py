"""`ordertrail repair text`: find stored JSON holding lone surrogates (let in by versions that
did not refuse them) and mend it, with a record of each change.

The event log is append-only, in the database itself (a trigger refuses any UPDATE), and it
stays so: an event keeps the text it arrived with, and every read shows U+FFFD in place of
the bad code points (`store.engine.read_json`). Every other table holds derived or editable
state (orders, parcels, cases, messages, held reports): their JSON is rewritten with U+FFFD,
and `text_repairs` keeps each value as it was stored (escaped ASCII, so nothing is lost).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Engine, Table, Text, and_, cast, func, select

from ordertrail.domain.text import mended
from ordertrail.store.tables import events, metadata, text_repairs

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


@dataclass(frozen=True, slots=True)
class Unreadable:
    """One stored JSON value with lone surrogates in it."""

    table: str
    row_key: dict[str, Any]
    column: str
    stored: str


@dataclass(slots=True)
class TextRepair:
    mended: list[Unreadable] = field(default_factory=list)
    #: events hold such text too; they are kept as received and read mended
    events_read_mended: list[Unreadable] = field(default_factory=list)


def repair_text(engine: Engine, now: datetime, *, dry_run: bool = False) -> TextRepair:
    """Mend every stored JSON value with lone surrogates outside the event log (or, with
    `dry_run`, only find them); one transaction."""
    found = TextRepair()
    with engine.begin() as connection:
        for table, column in _json_columns():
            for unreadable in _unreadable(connection, table, column):
                if table is events:
                    found.events_read_mended.append(unreadable)
                    continue
                found.mended.append(unreadable)
                if not dry_run:
                    _mend(connection, table, column, unreadable, now)
    return found


def _json_columns() -> Iterator[tuple[Table, Column[Any]]]:
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, JSON):
                yield table, column


def _unreadable(connection: Any, table: Table, column: Column[Any]) -> Iterator[Unreadable]:
    as_text = cast(column, Text)
    keys = list(table.primary_key.columns)
    # a cheap filter in SQL (stored JSON writes every surrogate as \udXXX), exact in Python
    query = select(*keys, as_text).where(func.lower(as_text).contains("\\ud", autoescape=True))
    for row in connection.execute(query):
        stored = row[-1]
        if _SURROGATE_ESCAPE.search(stored) and mended(json.loads(stored)) != json.loads(stored):
            key = {k.name: value for k, value in zip(keys, row[:-1], strict=True)}
            yield Unreadable(table.name, key, column.name, stored)


def _mend(
    connection: Any, table: Table, column: Column[Any], unreadable: Unreadable, now: datetime
) -> None:
    where = and_(*(table.c[name] == value for name, value in unreadable.row_key.items()))
    repaired = mended(json.loads(unreadable.stored))
    connection.execute(table.update().where(where).values({column.name: repaired}))
    connection.execute(
        text_repairs.insert().values(
            repaired_at=now,
            table_name=unreadable.table,
            row_key=json.dumps(unreadable.row_key, default=str)[:300],
            column_name=unreadable.column,
            stored=unreadable.stored,
        )
    )
