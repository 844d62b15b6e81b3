"""Signed webhooks that tell the shop's other systems (payments, ERP) what a return came to:
`return.approved`, `return.received`, `return.refund_released` (amount, currency, lines) and
`return.replacement_released`, queued in the outbox with the events that caused them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ordertrail.app.effect_ports import OutboxMessage
from ordertrail.app.ports import UnitOfWork
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import TrackingEvent
from ordertrail.domain.returns.return_lines import ReturnFile, parcel_news

#: the webhook type each decision goes out as; each is said once per return
NEWS = {
    Milestone.RETURN_APPROVED: "return.approved",
    Milestone.RETURN_RECEIVED: "return.received",
    Milestone.REFUND_RELEASED: "return.refund_released",
    Milestone.REPLACEMENT_RELEASED: "return.replacement_released",
}
SUBSCRIBERS = "subscribers"  # fanned out to every subscriber when sent (app/messages/notify.py)


def queue_return_news(
    uow: UnitOfWork,
    fresh: Iterable[TrackingEvent],
    files: Mapping[str, ReturnFile],
    now: datetime,
) -> None:
    messages = []
    for event in fresh:
        milestone = parcel_news(event.milestone)
        kind = NEWS.get(milestone) if milestone else None
        file = files.get(event.subject.id)
        if kind is None or file is None:
            continue
        messages.append(
            OutboxMessage(
                id=str(uuid.uuid4()),
                dedupe=f"{kind}:{file.id}:webhook",
                channel="webhook",
                audience="staff",
                kind=kind,
                order_id=file.order_id,
                subject=event.subject,
                recipient=SUBSCRIBERS,
                available_at=now,
                context={"return": _said(file, event)},
            )
        )
    uow.outbox.add(messages, now)


def _said(file: ReturnFile, event: TrackingEvent) -> dict[str, Any]:
    said: dict[str, Any] = {
        "id": file.id,
        "order_id": file.order_id,
        "kind": file.kind.value,
        "status": file.status.value if file.status else None,
        "by": str(event.source),
        "why": event.data.get("why"),
        "lines": [
            {
                "sku": p.line.sku,
                "quantity": p.line.quantity,
                "reason": p.line.reason.value,
                "received": p.received,
                "disposition": p.disposition.value if p.disposition else None,
                "damaged": p.damaged,
            }
            for p in file.lines
        ],
    }
    if event.milestone is Milestone.REFUND_RELEASED:
        said["refund"] = {
            "amount": event.data.get("amount"),
            "currency": event.data.get("currency"),
            "fee": event.data.get("fee"),
            "lines": event.data.get("lines"),
        }
    if event.milestone is Milestone.REPLACEMENT_RELEASED:
        said["replacement"] = {
            "advance": bool(event.data.get("advance")),
            "lines": event.data.get("lines"),
        }
    return said
