"""Shopify FulfillmentEvent objects (the `fulfillment_events/create` webhook body).

A fulfillment event names its fulfillment, not a tracking number: its shipment is
`shopify-fulfillment-<fulfillment_id>`, the id a Shopify fulfillment's shipment is registered
under. Its source is `channel:shopify` (a store relaying its carrier's news). Street lines and
coordinates in the payload are never kept.
"""

from __future__ import annotations

from datetime import datetime

from ordertrail.app.intake.commands import EventReport
from ordertrail.domain.model import Source
from ordertrail.sources.carriers.base import (
    CarrierParseError,
    dig,
    iso_date,
    kept,
    load_json,
    place_of,
    text,
)
from ordertrail.sources.carriers.shopify_fulfillment_event.codes import BY_STATUS

SOURCE = Source.parse("channel:shopify")


def shipment_id(fulfillment_id: str) -> str:
    return f"shopify-fulfillment-{fulfillment_id}"


class ShopifyFulfillmentEventAdapter:
    name = "shopify-fulfillment-event"

    def parse(self, payload: bytes) -> list[EventReport]:
        body = load_json(payload)
        if not isinstance(body, dict):
            raise CarrierParseError("(payload)", "is not a Shopify FulfillmentEvent object")
        event_id = text(dig(body, "", "id"), "id")
        fulfillment = text(dig(body, "", "fulfillment_id"), "fulfillment_id")
        if not event_id or not fulfillment:
            raise CarrierParseError("fulfillment_id", "is empty")
        status = text(body.get("status"), "status")
        milestone, reason = BY_STATUS.lookup(status)
        stamp = text(dig(body, "", "happened_at"), "happened_at") or ""
        try:
            occurred_at = datetime.fromisoformat(stamp)
        except ValueError:
            raise CarrierParseError("happened_at", f"'{stamp}' is not an ISO 8601 time") from None
        if occurred_at.utcoffset() is None:
            raise CarrierParseError("happened_at", f"'{stamp}' has no UTC offset")
        data = {
            "shopify_order_id": text(body.get("order_id"), "order_id"),
            "estimated_delivery": iso_date(body.get("estimated_delivery_at")),
        }
        return [
            EventReport(
                source=SOURCE,
                occurred_at=occurred_at,
                milestone=milestone,
                reason=reason,
                shipment=shipment_id(fulfillment),
                key=f"shopify:fulfillment-event:{event_id}",
                location=place_of(
                    body,
                    "event",
                    city="city",
                    region="province",
                    country="country",
                    postal_code="zip",
                ),
                raw_code=status,
                raw_description=text(body.get("message"), "message"),
                data=kept(data),
            )
        ]


ADAPTER = ShopifyFulfillmentEventAdapter()
