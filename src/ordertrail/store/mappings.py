"""Carrier code mappings in the database, and the list of codes still unmapped."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, distinct, func, select

from ordertrail.app.ports import UnmappedCode
from ordertrail.domain.mapping import CodeKey, CodeMapping, code_key, normalize_code
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Subject, SubjectKind, TrackingEvent
from ordertrail.store.statements import upsert
from ordertrail.store.tables import code_mappings, events


class SqlMappings:
    """People's mappings in the database, over `defaults` (the carrier mapping file)."""

    def __init__(self, conn: Connection, defaults: Iterable[CodeMapping] = ()) -> None:
        self._conn = conn
        self._defaults = {mapping.key: mapping for mapping in defaults}
        #: what this transaction has read already (None: no mapping): a delivery asks twice,
        #: and a group commit's writes ask for the same few codes
        self._asked: dict[CodeKey, CodeMapping | None] = {}

    def for_events(self, batch: Iterable[TrackingEvent]) -> dict[CodeKey, CodeMapping]:
        keys = {key for key in map(code_key, batch) if key}
        if unasked := keys - self._asked.keys():
            self._ask(unasked)
        return {key: found for key in keys if (found := self._asked[key]) is not None}

    def _ask(self, keys: set[CodeKey]) -> None:
        found: dict[CodeKey, CodeMapping | None] = {key: self._defaults.get(key) for key in keys}
        codes: dict[str, list[str]] = defaultdict(list)
        for carrier, code in sorted(keys):
            codes[carrier].append(code)
        for carrier, wanted in codes.items():  # stored codes are normalised: asked as they are
            one = len(wanted) == 1
            given = {"carrier": carrier, **({"code": wanted[0]} if one else {"codes": wanted})}
            for row in self._conn.execute(_mappings_of(one), given):
                found[(row.carrier, row.raw_code)] = _mapping(row)
        self._asked.update(found)

    def save(self, mapping: CodeMapping) -> None:
        self._asked.clear()
        row = {
            "carrier": mapping.carrier,
            "raw_code": normalize_code(mapping.raw_code),
            "milestone": mapping.milestone.value,
            "reason": mapping.reason.value if mapping.reason else None,
            "mapped_by": mapping.mapped_by,
            "mapped_at": mapping.mapped_at,
            "note": mapping.note,
        }
        self._conn.execute(upsert(self._conn, code_mappings, ["carrier", "raw_code"]), [row])

    def all(self) -> list[CodeMapping]:
        found = dict(self._defaults)
        found.update((m.key, m) for m in map(_mapping, self._conn.execute(select(code_mappings))))
        return [found[key] for key in sorted(found)]

    def subjects_with(self, key: CodeKey) -> list[Subject]:
        carrier, code = key
        source = f"carrier:{carrier}"
        # Stored codes keep the carrier's spelling (0174); find every spelling of this one.
        spelled = (
            select(events.c.raw_code)
            .distinct()
            .where(events.c.source == source, events.c.raw_code.is_not(None))
        )
        spellings = [s for s in self._conn.scalars(spelled) if normalize_code(s) == code]
        if not spellings:
            return []
        query = (
            select(events.c.subject_kind, events.c.subject_id)
            .distinct()
            .where(events.c.source == source, events.c.raw_code.in_(spellings))
        )
        return [Subject(SubjectKind(kind), ident) for kind, ident in self._conn.execute(query)]

    def unmapped(self, limit: int) -> list[UnmappedCode]:
        query = (
            select(
                events.c.source,
                events.c.raw_code,
                func.count().label("events"),
                func.count(distinct(events.c.subject_id)).label("shipments"),
                func.min(events.c.occurred_at).label("first_seen"),
                func.max(events.c.occurred_at).label("last_seen"),
                func.min(events.c.raw_description).label("example_a"),
                func.max(events.c.raw_description).label("example_b"),
            )
            .where(
                events.c.milestone.is_(None),
                events.c.raw_code.is_not(None),
                events.c.source.like("carrier:%"),
            )
            .group_by(events.c.source, events.c.raw_code)
        )
        mapped = {mapping.key for mapping in self.all()}
        merged: dict[CodeKey, list[Any]] = defaultdict(list)
        for row in self._conn.execute(query):
            key = (row.source.removeprefix("carrier:"), normalize_code(row.raw_code))
            if key not in mapped:
                merged[key].append(row)
        found = [_unmapped(key, rows) for key, rows in merged.items()]
        found.sort(key=lambda code: (-code.events, code.carrier, code.raw_code))
        return found[:limit]


def _unmapped(key: CodeKey, rows: list[Any]) -> UnmappedCode:
    examples = {e for row in rows for e in (row.example_a, row.example_b) if e}
    return UnmappedCode(
        carrier=key[0],
        raw_code=rows[0].raw_code,
        events=sum(row.events for row in rows),
        shipments=sum(row.shipments for row in rows),
        first_seen=min(row.first_seen for row in rows),
        last_seen=max(row.last_seen for row in rows),
        examples=tuple(sorted(examples))[:3],
    )


def _mapping(row: Any) -> CodeMapping:
    return CodeMapping(
        carrier=row.carrier,
        raw_code=row.raw_code,
        milestone=Milestone(row.milestone),
        reason=Reason(row.reason) if row.reason else None,
        mapped_by=row.mapped_by,
        mapped_at=row.mapped_at,
        note=row.note,
    )


@cache
def _mappings_of(one: bool) -> Any:
    """A carrier's stored mappings of some codes; built once (the write path asks for every
    carrier event)."""
    code = code_mappings.c.raw_code
    wanted = code == bindparam("code") if one else code.in_(bindparam("codes", expanding=True))
    return select(code_mappings).where(code_mappings.c.carrier == bindparam("carrier"), wanted)
