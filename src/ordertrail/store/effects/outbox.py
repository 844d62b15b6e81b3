"""The outbox table: messages queued with the events that caused them, claimed with a lease."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, Update, and_, bindparam, or_, select, update

from ordertrail.app.effect_ports import Contact, OutboxMessage
from ordertrail.domain.model import Subject, SubjectKind
from ordertrail.store import statements as sql
from ordertrail.store.repositories import insert_new
from ordertrail.store.tables import order_subscriptions, orders, outbox, tracking_tokens

_CHUNK = 500
_CLAIMABLE = ("pending", "sending")


class SqlOutbox:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def contacts(self, order_ids: Iterable[str]) -> dict[str, Contact]:
        ids = sorted(set(order_ids))
        found = {}
        for start in range(0, len(ids), _CHUNK):
            one, given = sql.ids_given(ids[start : start + _CHUNK])
            for row in self._conn.execute(_contacts(one), given):
                customer = row.customer or {}
                promised = row.promised_by
                found[row.id] = Contact(
                    priority=row.priority,
                    promised_by=date.fromisoformat(promised)
                    if isinstance(promised, str)
                    else promised,
                    time_zone=customer.get("time_zone"),
                    email=customer.get("email"),
                    phone=row.sms_number or customer.get("phone"),
                    texts_asked=row.sms_number is not None,
                )
        return found

    def add(self, messages: Sequence[OutboxMessage], now: datetime) -> None:
        if messages:  # one statement for the batch: this runs in the events' transaction
            statement = insert_new(self._conn, outbox)
            self._conn.execute(statement, [_row(message, now) for message in messages])

    def add_tokens(self, hashes: Sequence[str], order_id: str, now: datetime) -> None:
        rows = [{"token_hash": h, "order_id": order_id, "created_at": now} for h in hashes]
        if rows:  # a token already kept keeps the time it was first made
            self._conn.execute(insert_new(self._conn, tracking_tokens), rows)

    def token(self, token_hash: str) -> tuple[str, datetime] | None:
        row = self._conn.execute(_token(), {"token_hash": token_hash}).first()
        return (row.order_id, row.created_at) if row else None

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[OutboxMessage]:
        due = and_(
            outbox.c.status.in_(_CLAIMABLE),
            outbox.c.available_at <= now,
            or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now),
        )
        # due first, then in the order they were queued
        order = (outbox.c.available_at, outbox.c.created_at, outbox.c.dedupe)
        query = select(outbox).where(due).order_by(*order).limit(limit)
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list(self._conn.execute(query))
        if rows:
            self._conn.execute(
                update(outbox)
                .where(outbox.c.id.in_([r.id for r in rows]))
                .values(
                    status="sending",
                    claimed_until=now + lease,
                    attempts=outbox.c.attempts + 1,
                )
            )
        return [_message(row, attempts=row.attempts + 1) for row in rows]

    def finish(
        self,
        message_id: str,
        status: str,
        at: datetime,
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        given: dict[str, Any] = {"b_id": message_id, "b_status": status, "b_error": error}
        if status == "sent":
            given["b_sent_at"] = at
        if retry_at is not None:
            given["b_available_at"] = retry_at
        self._conn.execute(_finish(status == "sent", retry_at is not None), given)

    def find(
        self,
        *,
        order_id: str | None = None,
        status: str | None = None,
        message_id: str | None = None,
        limit: int = 500,
    ) -> list[OutboxMessage]:
        query = select(outbox)
        if message_id is not None:
            query = query.where(outbox.c.id == message_id)
        if order_id is not None:
            query = query.where(outbox.c.order_id == order_id)
        if status is not None:
            query = query.where(outbox.c.status == status)
        query = query.order_by(outbox.c.available_at, outbox.c.created_at, outbox.c.dedupe)
        query = query.limit(limit)
        return [_message(row) for row in self._conn.execute(query)]


def _row(message: OutboxMessage, now: datetime) -> dict[str, Any]:
    return {
        "id": message.id,
        "dedupe": message.dedupe[:300],
        "channel": message.channel,
        "audience": message.audience,
        "kind": message.kind,
        "order_id": message.order_id,
        "subject_kind": message.subject.kind.value,
        "subject_id": message.subject.id,
        "recipient": message.recipient[:320],
        "context": dict(message.context),
        "status": message.status,
        "attempts": 0,
        "available_at": message.available_at,
        "created_at": now,
    }


def _message(row: Any, attempts: int | None = None) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        dedupe=row.dedupe,
        channel=row.channel,
        audience=row.audience,
        kind=row.kind,
        order_id=row.order_id,
        subject=Subject(SubjectKind(row.subject_kind), row.subject_id),
        recipient=row.recipient,
        available_at=row.available_at,
        context=row.context or {},
        status=row.status,
        attempts=row.attempts if attempts is None else attempts,
        created_at=row.created_at,
        sent_at=row.sent_at,
        last_error=row.last_error,
    )


@cache
def _finish(sent: bool, retried: bool) -> Update:
    """A message's outcome, built once per shape: every message sent runs it."""
    values: dict[str, Any] = {
        "status": bindparam("b_status"),
        "claimed_until": None,
        "last_error": bindparam("b_error"),
    }
    if sent:
        values["sent_at"] = bindparam("b_sent_at")
    if retried:
        values["available_at"] = bindparam("b_available_at")
    return update(outbox).where(outbox.c.id == bindparam("b_id")).values(values)


# Built once (see store/statements.py): asked for every message queued and every round's
# batch, and every order page opened by a link.


@cache
def _token() -> Any:
    return select(tracking_tokens.c.order_id, tracking_tokens.c.created_at).where(
        tracking_tokens.c.token_hash == bindparam("token_hash")
    )


@cache
def _contacts(one: bool) -> Any:
    # the number the customer gave on the order's page wins over the shop's copy
    return (
        select(
            orders.c.id,
            orders.c.priority,
            orders.c.promised_by,
            orders.c.customer,
            order_subscriptions.c.sms_number,
        )
        .outerjoin(order_subscriptions, order_subscriptions.c.order_id == orders.c.id)
        .where(sql.among_ids(orders.c.id, one))
    )
