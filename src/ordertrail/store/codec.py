"""Rows to domain values and back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from ordertrail.domain.b2b.receiving import BusinessTerms
from ordertrail.domain.fold import SubjectState
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import (
    Customer,
    Line,
    Location,
    Money,
    Order,
    Shipment,
    Source,
    Subject,
    SubjectKind,
    TrackingEvent,
)
from ordertrail.domain.promise.promised_date import promise_ends

_OFFSETS: dict[int, timezone] = {}


def event_row(event: TrackingEvent) -> dict[str, Any]:
    offset = event.occurred_at.utcoffset() or timedelta()
    return {
        "key": event.key,
        "subject_kind": event.subject.kind.value,
        "subject_id": event.subject.id,
        "order_id": event.order_id,
        "milestone": event.milestone.value if event.milestone else None,
        "reason": event.reason.value if event.reason else None,
        "source": str(event.source),
        "occurred_at": event.occurred_at,
        "occurred_offset_min": int(offset.total_seconds() // 60),
        "received_at": event.received_at,
        "location": location_json(event.location) if event.location else None,
        "raw_code": event.raw_code,
        "raw_description": event.raw_description,
        "data": dict(event.data) if event.data else None,
    }


def location_json(location: Location) -> dict[str, str]:
    parts = (
        ("city", location.city),
        ("region", location.region),
        ("country", location.country),
        ("postal_code", location.postal_code),
    )
    return {name: value for name, value in parts if value is not None}


def event_from_row(row: Any) -> TrackingEvent:
    zone = _OFFSETS.get(row.occurred_offset_min)
    if zone is None:
        zone = _OFFSETS.setdefault(
            row.occurred_offset_min, timezone(timedelta(minutes=row.occurred_offset_min))
        )
    return TrackingEvent(
        key=row.key,
        subject=Subject(SubjectKind(row.subject_kind), row.subject_id),
        milestone=Milestone(row.milestone) if row.milestone else None,
        source=Source.parse(row.source),
        occurred_at=row.occurred_at.astimezone(zone),
        received_at=row.received_at,
        reason=Reason(row.reason) if row.reason else None,
        order_id=row.order_id,
        location=Location(**row.location) if row.location else None,
        raw_code=row.raw_code,
        raw_description=row.raw_description,
        data=row.data or {},
    )


_STATE_TIMES = (
    "status_at",
    "first_event_at",
    "last_event_at",
    "possession_at",
    "delivered_at",
    "last_conflict_at",
    "last_correction_at",
)
_STATE_PLAIN = (
    "progress_rank",
    "events",
    "unmapped",
    "conflicts",
    "corrections",
    "eta",
    "status_key",
)


def state_json(state: SubjectState) -> dict[str, Any]:
    # Spelled out rather than dataclasses.asdict, which deep-copies: this runs per write.
    values: dict[str, Any] = {name: getattr(state, name) for name in _STATE_PLAIN}
    for name in _STATE_TIMES:
        moment = getattr(state, name)
        values[name] = moment.isoformat() if moment is not None else None
    values["status"] = state.status.value if state.status else None
    values["reason"] = state.reason.value if state.reason else None
    place = state.status_location
    values["status_location"] = location_json(place) if place is not None else None
    if state.last_sort_key is not None:
        moment, rank, key = state.last_sort_key
        values["last_sort_key"] = [moment.isoformat(), rank, key]
    else:
        values["last_sort_key"] = None
    return values


def state_from_json(values: Mapping[str, Any] | None) -> SubjectState:
    if not values:
        return SubjectState()
    # .get: states saved before a field existed read as if it had never been set
    fields: dict[str, Any] = {name: values.get(name) for name in _STATE_PLAIN}
    for name in _STATE_TIMES:
        text = values.get(name)
        fields[name] = datetime.fromisoformat(text) if text is not None else None
    sort_key = values["last_sort_key"]
    return SubjectState(
        status=Milestone(values["status"]) if values["status"] else None,
        reason=Reason(values["reason"]) if values["reason"] else None,
        status_location=Location(**values["status_location"])
        if values.get("status_location")
        else None,
        last_sort_key=(datetime.fromisoformat(sort_key[0]).astimezone(UTC), *sort_key[1:])
        if sort_key
        else None,
        **fields,
    )


def lines_json(lines: Sequence[Line]) -> list[dict[str, Any]]:
    return [
        {
            "sku": line.sku,
            "quantity": line.quantity,
            **({"name": line.name} if line.name else {}),
            **({"image_url": line.image_url} if line.image_url else {}),
        }
        for line in lines
    ]


def lines_from_json(values: Sequence[Mapping[str, Any]] | None) -> tuple[Line, ...]:
    return tuple(
        Line(v["sku"], v["quantity"], v.get("name"), v.get("image_url")) for v in values or ()
    )


def order_row(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "channel": order.channel,
        "placed_at": order.placed_at,
        "customer": customer_json(order.customer),
        # kept apart so staff find an order by the customer's email through an index
        "customer_email": (order.customer.email or "").strip().lower()[:320] or None,
        "customer_country": order.customer.country,
        "promised_by": order.promised_by,
        "promise_check_at": promise_ends(order.promised_by, order.customer.time_zone),
        "promise_ends_at": promise_ends(order.promised_by, order.customer.time_zone),
        "priority": order.priority,
        "value_amount": order.value.amount if order.value else None,
        "value_currency": order.value.currency if order.value else None,
        "lines": lines_json(order.lines),
        "external_id": order.external_id,
        "promised_from": order.promised_from,
        "channel_updated_at": order.updated_at,
        "business": order.business.as_data() if order.business else None,
        "locale": order.locale,
    }


def order_from_row(row: Any, shipments: Sequence[Shipment] = ()) -> Order:
    return Order(
        id=row.id,
        channel=row.channel,
        placed_at=row.placed_at,
        customer=Customer(**row.customer),
        promised_by=_date(row.promised_by),
        priority=row.priority,
        value=Money(row.value_amount, row.value_currency) if row.value_currency else None,
        lines=lines_from_json(row.lines),
        shipments=tuple(shipments),
        external_id=row.external_id,
        promised_from=_date(row.promised_from),
        updated_at=row.channel_updated_at,
        business=BusinessTerms.from_data(row.business),
        locale=row.locale,
    )


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def shipment_row(shipment: Shipment) -> dict[str, Any]:
    return {
        "id": shipment.id,
        "order_id": shipment.order_id,
        "tracking_number": shipment.tracking_number,
        "carrier": shipment.carrier,
        "service": shipment.service,
        "site": shipment.site,
        "lines": lines_json(shipment.lines),
        "cancelled": shipment.cancelled,
        "channel_updated_at": shipment.updated_at,
    }


def shipment_from_row(row: Any) -> Shipment:
    return Shipment(
        id=row.id,
        order_id=row.order_id,
        tracking_number=row.tracking_number,
        carrier=row.carrier,
        service=row.service,
        site=row.site,
        lines=lines_from_json(row.lines),
        cancelled=bool(row.cancelled),
        updated_at=row.channel_updated_at,
    )


def customer_json(customer: Customer) -> dict[str, Any]:
    return _compact(asdict(customer))


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}
