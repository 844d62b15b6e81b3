"""Returns as derived from their events: the columns lists filter on, their lines, RMA numbers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from ordertrail.app.ports import SubjectRef
from ordertrail.app.returns.ports import ReturnedUnits, ReturnListing
from ordertrail.domain.model import Line, Subject, SubjectKind
from ordertrail.domain.returns.return_lines import ReturnFile
from ordertrail.store import codec
from ordertrail.store.repositories import chunks, dialect_insert
from ordertrail.store.tables import counters, return_lines, returns

#: the number before the first RMA (RMA-1001)
_FIRST = 1000

_LISTING = (
    returns.c.id,
    returns.c.order_id,
    returns.c.status,
    returns.c.kind,
    returns.c.team,
    returns.c.requested_at,
    returns.c.tracking_number,
)


class SqlReturns:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def next_number(self) -> int:
        # one row, counted up in place (made on first use if missing): the row lock makes
        # concurrent requests take turns
        insert = dialect_insert(self._conn, counters).values(name="rma", value=_FIRST + 1)
        statement = insert.on_conflict_do_update(
            index_elements=["name"], set_={"value": counters.c.value + 1}
        ).returning(counters.c.value)
        return int(self._conn.execute(statement).scalar_one())

    def save_files(self, files: Sequence[ReturnFile]) -> None:
        if not files:
            return
        self._conn.execute(
            update(returns).where(returns.c.id == bindparam("b_id")),
            [_row(file) for file in files],
        )
        ids = [file.id for file in files]
        for chunk in chunks(ids):
            self._conn.execute(delete(return_lines).where(return_lines.c.return_id.in_(chunk)))
        lines = [_line_row(file, n) for file in files for n in range(len(file.lines))]
        if lines:
            self._conn.execute(insert(return_lines), lines)

    def units_on_order(self, order_id: str) -> list[ReturnedUnits]:
        query = (
            select(return_lines.c.return_id, returns.c.status, return_lines.c.sku)
            .add_columns(return_lines.c.quantity)
            .join(returns, returns.c.id == return_lines.c.return_id)
            .where(return_lines.c.order_id == order_id)
            .order_by(return_lines.c.return_id, return_lines.c.sku)
        )
        return [ReturnedUnits(*row) for row in self._conn.execute(query)]

    def by_tracking(self, names: Iterable[str]) -> dict[str, SubjectRef]:
        found: dict[str, SubjectRef] = {}
        for chunk in chunks(names):
            query = select(returns.c.id, returns.c.order_id, returns.c.tracking_number).where(
                returns.c.tracking_number.in_(chunk)
            )
            for row in self._conn.execute(query):
                subject = Subject(SubjectKind.RETURN, row.id)
                found[row.tracking_number] = SubjectRef(subject, row.order_id)
        return found

    def page(
        self, *, status: str | None, order_id: str | None, after: str | None, limit: int
    ) -> list[ReturnListing]:
        query = select(*_LISTING).order_by(returns.c.id).limit(limit)
        if status is not None:
            query = query.where(returns.c.status == status)
        if order_id is not None:
            query = query.where(returns.c.order_id == order_id)
        if after is not None:
            query = query.where(returns.c.id > after)
        return [ReturnListing(*row) for row in self._conn.execute(query)]

    def in_states(
        self, statuses: Iterable[str], *, limit: int, newest_first: bool = False
    ) -> list[ReturnListing]:
        wanted = sorted(set(statuses))
        order = (returns.c.requested_at, returns.c.id)
        query = (
            select(*_LISTING)
            .where(returns.c.status.in_(wanted))
            .order_by(*(column.desc() for column in order) if newest_first else order)
            .limit(limit)
        )
        return [ReturnListing(*row) for row in self._conn.execute(query)]


def _row(file: ReturnFile) -> dict[str, Any]:
    refund = file.refund
    return {
        "b_id": file.id,
        "status": file.status.value if file.status else None,
        "lines": codec.lines_json([Line(p.line.sku, p.line.quantity) for p in file.lines]),
        "kind": file.kind.value,
        "team": file.team,
        "tracking_number": file.tracking_number,
        "carrier": file.carrier,
        "requested_at": file.requested_at,
        "updated_at": file.updated_at,
        "detail": {
            "refund": {"amount": refund.amount, "currency": refund.currency} if refund else None,
            "replacement": file.replacement,
            "replacement_in_advance": file.replacement_in_advance,
        },
    }


def _line_row(file: ReturnFile, index: int) -> dict[str, Any]:
    progress = file.lines[index]
    return {
        "return_id": file.id,
        "sku": progress.line.sku,
        "order_id": file.order_id,
        "quantity": progress.line.quantity,
        "reason": progress.line.reason.value,
        "received": progress.received,
        "disposition": progress.disposition.value if progress.disposition else None,
        "damaged": progress.damaged,
    }
