"""A customer's data read out and erased, and personal data aged out by policy (the SQL of
app/privacy)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    Text,
    and_,
    cast,
    delete,
    func,
    or_,
    select,
    update,
)

from ordertrail.app.privacy.ports import MessageChange, RetentionCutoffs, StoredCase, StoredMessage
from ordertrail.app.privacy.scrub import ERASED
from ordertrail.domain.model import Customer, TrackingEvent
from ordertrail.store import codec
from ordertrail.store.repositories import chunks
from ordertrail.store.tables import (
    erasure_permits,
    events,
    exception_cases,
    fleet_stop_parcels,
    fleet_stops,
    hook_deliveries,
    orders,
    outbox,
    page_views,
    shipments,
    staff_sessions,
    text_repairs,
    tracking_tokens,
)

#: Messages whose sending is over: what the retention of sent messages reaches.
_FINISHED = ("sent", "skipped", "dead")


class SqlPersonalRecords:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def orders_of(self, email: str) -> list[str]:
        query = (
            select(orders.c.id)
            .where(orders.c.customer_email == email.strip().lower())
            .order_by(orders.c.id)
        )
        return list(self._conn.scalars(query))

    def erased_at(self, order_ids: Iterable[str]) -> dict[str, datetime]:
        found: dict[str, datetime] = {}
        for chunk in chunks(order_ids):
            query = select(orders.c.id, orders.c.erased_at).where(
                orders.c.id.in_(chunk), orders.c.erased_at.is_not(None)
            )
            found.update({row.id: row.erased_at for row in self._conn.execute(query)})
        return found

    def messages(self, order_id: str) -> list[StoredMessage]:
        query = (
            select(outbox)
            .where(outbox.c.order_id == order_id)
            .order_by(outbox.c.created_at, outbox.c.id)
        )
        return [
            StoredMessage(
                id=row.id,
                channel=row.channel,
                audience=row.audience,
                kind=row.kind,
                recipient=row.recipient,
                context=row.context or {},
                status=row.status,
                created_at=row.created_at,
                sent_at=row.sent_at,
                last_error=row.last_error,
            )
            for row in self._conn.execute(query)
        ]

    def cases(self, order_id: str) -> list[StoredCase]:
        query = (
            select(exception_cases)
            .where(exception_cases.c.order_id == order_id)
            .order_by(exception_cases.c.opened_at, exception_cases.c.id)
        )
        return [
            StoredCase(
                id=row.id,
                kind=row.kind,
                status=row.status,
                opened_at=row.opened_at,
                detail=row.detail,
                history=list(row.history or []),
            )
            for row in self._conn.execute(query)
        ]

    def page_views(self, order_id: str) -> list[tuple[date, int]]:
        query = (
            select(page_views.c.day, page_views.c.views)
            .where(page_views.c.order_id == order_id)
            .order_by(page_views.c.day)
        )
        return [(row.day, row.views) for row in self._conn.execute(query)]

    def links(self, order_id: str) -> int:
        query = select(func.count()).where(tracking_tokens.c.order_id == order_id)
        return int(self._conn.execute(query).scalar_one())

    def erase_customer(self, order_id: str, customer: Customer, now: datetime) -> None:
        self._conn.execute(
            update(orders)
            .where(orders.c.id == order_id)
            .values(
                customer=codec.customer_json(customer),
                customer_email=None,
                erased_at=func.coalesce(orders.c.erased_at, now),
            )
        )

    def rewrite_events(self, rewritten: Sequence[TrackingEvent]) -> None:
        if not rewritten:
            return
        # the permit is this transaction's alone: deleted before it ends, never committed
        permit = uuid.uuid4().hex
        self._conn.execute(erasure_permits.insert().values(erasure=permit))
        for event in rewritten:
            row = codec.event_row(event)
            self._conn.execute(
                update(events)
                .where(events.c.key == event.key)
                .values({name: row[name] for name in ("location", "raw_description", "data")})
            )
        self._conn.execute(delete(erasure_permits).where(erasure_permits.c.erasure == permit))

    def rewrite_messages(self, changes: Sequence[MessageChange], reason: str) -> None:
        for change in changes:
            values: dict[str, Any] = {"recipient": change.recipient, "context": change.context}
            if change.skipped:
                values |= {"status": "skipped", "claimed_until": None, "last_error": reason}
            self._conn.execute(update(outbox).where(outbox.c.id == change.id).values(values))

    def rewrite_cases(self, cases: Sequence[StoredCase]) -> None:
        for case in cases:
            self._conn.execute(
                update(exception_cases)
                .where(exception_cases.c.id == case.id)
                .values(detail=case.detail, history=list(case.history))
            )

    def forget_links(self, order_id: str) -> int:
        done = self._conn.execute(
            delete(tracking_tokens).where(tracking_tokens.c.order_id == order_id)
        )
        return int(done.rowcount)

    def forget_stop_addresses(self, order_id: str) -> int:
        stops = (
            select(fleet_stop_parcels.c.route_id, fleet_stop_parcels.c.sequence)
            .join(shipments, shipments.c.id == fleet_stop_parcels.c.shipment_id)
            .where(shipments.c.order_id == order_id)
        )
        done = 0
        for route_id, sequence in list(self._conn.execute(stops)):
            done += self._conn.execute(
                update(fleet_stops)
                .where(
                    fleet_stops.c.route_id == route_id,
                    fleet_stops.c.sequence == sequence,
                    fleet_stops.c.address.is_not(None),
                )
                .values(address=None)
            ).rowcount
        return done

    def forget_repairs(self, order_id: str) -> int:
        keys = [("orders", {"id": order_id})]
        keys += [("events", {"seq": seq}) for seq in self._ids(events, events.c.seq, order_id)]
        keys += [("outbox", {"id": i}) for i in self._ids(outbox, outbox.c.id, order_id)]
        keys += [
            ("exception_cases", {"id": i})
            for i in self._ids(exception_cases, exception_cases.c.id, order_id)
        ]
        rows = [
            and_(text_repairs.c.table_name == table, text_repairs.c.row_key == _row_key(key))
            for table, key in keys
        ]
        done = 0
        for start in range(0, len(rows), 200):
            done += self._conn.execute(
                update(text_repairs)
                .where(or_(*rows[start : start + 200]), text_repairs.c.stored != ERASED)
                .values(stored=ERASED)
            ).rowcount
        return done

    def _ids(self, table: Table, column: Any, order_id: str) -> list[Any]:
        return list(self._conn.scalars(select(column).where(table.c.order_id == order_id)))


def _row_key(key: dict[str, Any]) -> str:
    # as `repair text` wrote it (store/upkeep/text_repair.py)
    return json.dumps(key, default=str)[:300]


class SqlRetention:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def age_out(self, cutoffs: RetentionCutoffs) -> dict[str, int]:
        aged: dict[str, int] = {}
        blank = {"recipient": ERASED, "context": {}}
        if cutoffs.sent_messages is not None:
            aged["sent_messages"] = self._blank_messages(
                outbox.c.channel != "webhook", cutoffs.sent_messages, blank
            )
        if cutoffs.webhook_bodies is not None:
            aged["webhook_bodies"] = self._blank_messages(
                outbox.c.channel == "webhook", cutoffs.webhook_bodies, {"context": {}}
            )
            aged["hook_deliveries"] = self._delete(
                hook_deliveries.delete().where(
                    hook_deliveries.c.received_at < cutoffs.webhook_bodies
                )
            )
        if cutoffs.staff_sessions is not None:
            aged["staff_sessions"] = self._delete(
                staff_sessions.delete().where(staff_sessions.c.expires_at < cutoffs.staff_sessions)
            )
        if cutoffs.tracking_tokens is not None:
            aged["tracking_tokens"] = self._delete(
                tracking_tokens.delete().where(
                    tracking_tokens.c.created_at < cutoffs.tracking_tokens
                )
            )
        return aged

    def _blank_messages(
        self, which: ColumnElement[bool], before: datetime, values: dict[str, Any]
    ) -> int:
        # a blanked message keeps its row: its dedupe key still stops it being queued again
        finished_at = func.coalesce(outbox.c.sent_at, outbox.c.created_at)
        if "recipient" in values:
            not_yet = outbox.c.recipient != ERASED
        else:
            not_yet = cast(outbox.c.context, Text).not_in(["{}", "null"])
        query = update(outbox).where(
            which, not_yet, outbox.c.status.in_(_FINISHED), finished_at < before
        )
        return int(self._conn.execute(query.values(values)).rowcount)

    def _delete(self, statement: Any) -> int:
        return int(self._conn.execute(statement).rowcount)
