"""Everything held about one customer as one JSON document: what `ordertrail customers
export` prints and the console's admin downloads.

The shape (version 1) is a contract: `orders` lists each of the customer's orders with the
order itself in the canonical order JSON (`order`, customer and parcels included), its derived
`status`, `erased_at` (null unless erased), each parcel's and return's status, every `events`
entry in the canonical event JSON plus `received_at`, `messages` (customer and staff messages
and outgoing webhooks: channel, audience, kind, recipient, status, times, context), `cases`
(exception cases with their text and history), `page_views` (per day), `message_links`
(how many links in messages open the order) and `subscription` (the number the customer gave
for texts and when they stopped emails; null when they did neither).
"""

from __future__ import annotations

from typing import Any

from ordertrail.app.privacy.export import CustomerRecord, OrderRecord
from ordertrail.app.queries import jsonable
from ordertrail.domain.fold import SubjectState
from ordertrail.sources.canonical_out import event_json, order_json

FORMAT = "ordertrail-customer-export"
VERSION = 1


def customer_json(record: CustomerRecord) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "asked_for": record.asked_for,
        "exported_at": record.exported_at.isoformat(),
        "orders": [_order(held) for held in record.orders],
    }


def _order(held: OrderRecord) -> dict[str, Any]:
    facts = held.facts
    return {
        "order": order_json(facts.order),
        "status": facts.summary.status.value if facts.summary else None,
        "erased_at": held.erased_at.isoformat() if held.erased_at else None,
        "shipments": [
            {"id": parcel.id, "tracking_number": parcel.tracking_number, "status": _status(state)}
            for parcel, state in facts.shipments
        ],
        "returns": [
            {"id": given.id, "lines": jsonable(given.lines), "status": _status(state)}
            for given, state in facts.returns
        ],
        "events": [
            {**event_json(event), "received_at": event.received_at.isoformat()}
            for event in held.events
        ],
        "messages": jsonable(held.messages),
        "cases": jsonable(held.cases),
        "page_views": [{"day": day.isoformat(), "views": views} for day, views in held.page_views],
        "message_links": held.links,
        "subscription": jsonable(held.subscription) if held.subscription else None,
    }


def _status(state: SubjectState) -> str | None:
    return state.status.value if state.status else None
