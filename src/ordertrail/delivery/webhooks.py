"""Outbound webhooks signed per the Standard Webhooks spec, for the shop's other systems
(helpdesk, ERP). `webhook-id` is the message id: a redelivery carries the same one, so a
receiver handles each message once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from standardwebhooks import Webhook

from ordertrail.app.messages.delivery import DeliveryFailed, Outgoing
from ordertrail.app.queries import jsonable


@dataclass(frozen=True, slots=True)
class Subscriber:
    url: str
    secret: str  # "whsec_..." as Standard Webhooks hands them out


class WebhookSender:
    def __init__(self, subscribers: Sequence[Subscriber], timeout: float = 10.0) -> None:
        self._subscribers, self._timeout = list(subscribers), timeout

    def send(self, outgoing: Outgoing) -> None:
        message, order = outgoing.message, outgoing.order
        parcel = next(
            (s for s in (order.shipments if order else []) if s.id == message.subject.id), None
        )
        body = json.dumps(
            {
                "type": message.kind,
                "audience": message.audience,
                "order_id": message.order_id,
                "subject": {"kind": message.subject.kind.value, "id": message.subject.id},
                "order_status": order.status if order else None,
                "parcel": jsonable(
                    {
                        "tracking_number": parcel.tracking_number,
                        "carrier": parcel.carrier,
                        "status": parcel.status,
                        "eta": {
                            "earliest": parcel.eta.earliest,
                            "latest": parcel.eta.latest,
                            "confidence": parcel.eta.confidence,
                            "basis": parcel.eta.basis,
                            "changed": parcel.eta.changed,
                        },
                    }
                )
                if parcel
                else None,
                "detail": message.context.get("detail"),
                # a return's decision (return.approved, return.refund_released ...)
                **({"return": message.context["return"]} if "return" in message.context else {}),
            }
        )
        import httpx  # ~6 MB with what it brings: not in processes that never send a webhook

        failures = []
        for subscriber in self._subscribers:
            when = datetime.now(UTC)
            signature = Webhook(subscriber.secret).sign(message.id, when, body)
            headers = {
                "content-type": "application/json",
                "webhook-id": message.id,
                "webhook-timestamp": str(int(when.timestamp())),
                "webhook-signature": signature,
            }
            try:
                answer = httpx.post(
                    subscriber.url, content=body, headers=headers, timeout=self._timeout
                )
                if answer.status_code >= 300:
                    failures.append(f"{subscriber.url} answered {answer.status_code}")
            except httpx.HTTPError as error:
                failures.append(f"{subscriber.url}: {error}")
        if failures:  # all are sent again; each receiver drops what it has seen by webhook-id
            raise DeliveryFailed("; ".join(failures))
