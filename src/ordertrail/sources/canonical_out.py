"""The canonical event and order JSON of DESIGN.md, written: what `ordertrail export` prints.

The inverse of `canonical.py`: every line written here is one that `ordertrail ingest` (events)
or `ordertrail import orders --format jsonl` (orders) takes back unchanged, so the log can leave
one installation and rebuild the same statuses in another.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ordertrail.domain.model import Line, Order, Shipment, SubjectKind, TrackingEvent

_SUBJECT_FIELD = {
    SubjectKind.ORDER: "order",
    SubjectKind.SHIPMENT: "shipment",
    SubjectKind.RETURN: "return",
}


def event_json(event: TrackingEvent) -> dict[str, Any]:
    """One event as `ingest` reads it; its key keeps a re-import a duplicate, never a copy."""
    written: dict[str, Any] = {
        "key": event.key,
        _SUBJECT_FIELD[event.subject.kind]: event.subject.id,
        "source": str(event.source),
        "occurred_at": event.occurred_at.isoformat(),
    }
    if event.subject.kind is not SubjectKind.ORDER and event.order_id:
        written["order"] = event.order_id
    if event.milestone is not None:
        written["milestone"] = event.milestone.value
    if event.reason is not None:
        written["reason"] = event.reason.value
    if event.location is not None:
        written["location"] = {k: v for k, v in asdict(event.location).items() if v is not None}
    for name in ("raw_code", "raw_description"):
        value = getattr(event, name)
        if value is not None:
            written[name] = value
    if event.data:
        written["data"] = dict(event.data)
    return written


def order_json(order: Order) -> dict[str, Any]:
    """One order with its parcels as `import orders --format jsonl` reads it."""
    written: dict[str, Any] = {
        "id": order.id,
        "channel": order.channel,
        "placed_at": order.placed_at.isoformat(),
        "customer": {k: v for k, v in asdict(order.customer).items() if v is not None},
        "priority": order.priority,
        "lines": [_line(line) for line in order.lines],
        "shipments": [_shipment(shipment) for shipment in order.shipments],
    }
    optional = {
        "promised_by": order.promised_by.isoformat() if order.promised_by else None,
        "promised_from": order.promised_from.isoformat() if order.promised_from else None,
        "value": asdict(order.value) if order.value else None,
        "external_id": order.external_id,
        "updated_at": order.updated_at.isoformat() if order.updated_at else None,
        "business": order.business.as_data() if order.business else None,
        "locale": order.locale,
    }
    written.update({name: value for name, value in optional.items() if value is not None})
    return written


def _shipment(shipment: Shipment) -> dict[str, Any]:
    written: dict[str, Any] = {"id": shipment.id, "lines": [_line(x) for x in shipment.lines]}
    for name in ("tracking_number", "carrier", "service", "site"):
        value = getattr(shipment, name)
        if value is not None:
            written[name] = value
    if shipment.cancelled:
        written["cancelled"] = True
    if shipment.updated_at is not None:
        written["updated_at"] = shipment.updated_at.isoformat()
    return written


def _line(line: Line) -> dict[str, Any]:
    return {k: v for k, v in asdict(line).items() if v is not None}
