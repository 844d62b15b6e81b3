"""Shopify's order and fulfillment webhooks (REST Admin API payloads), as orders, shipments
and events.

- The order's id is its `name` ("#1001": what the customer sees and types); Shopify's own
  numeric id is kept as `external_id`. Fulfillments name their order the same way
  (`name` "#1001.1"), so a fulfillment webhook needs no lookup.
- A fulfillment becomes the shipment `shopify-fulfillment-<id>` (the id Shopify's
  fulfillment events target) carrying exactly its line items and quantities. A fulfillment
  with several tracking numbers does not say which item is in which parcel: its items stay on
  the first parcel and the others are registered without lines.
- Events, all from `channel:shopify`: `order_placed` when the order was created,
  `order_confirmed` when Shopify confirmed it (stock reserved), `order_cancelled` when
  `cancelled_at` is set, and `label_created` when a fulfillment carries a tracking number.
  Carrier news comes from the carriers and from fulfillment events, which carry event times;
  a fulfillment's `shipment_status` carries none and is not read. Cancelled or failed
  fulfillments register nothing.
- Lines that need no shipping (gift cards, services) are not lines of the parcel's order.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from ordertrail.app.commands import EventReport
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import DomainError, Line, Order, Shipment, Source
from ordertrail.domain.priority import priority_of
from ordertrail.sources.canonical import parse_order
from ordertrail.sources.carriers.shopify_fulfillment_event.parse import shipment_id
from ordertrail.sources.channels.common import (
    ChannelUpdate,
    compact,
    full_name,
    minor_units,
    moment,
    text_of,
)

SOURCE = Source.parse("channel:shopify")

#: Shopify's `tracking_company` names → OrderTrail's carrier codes.
_CARRIERS = {
    "ups": "ups",
    "fedex": "fedex",
    "usps": "usps",
    "dhl express": "dhl-express",
    "dhl ecommerce": "dhl-unified",
    "canada post": "canadapost",
}

_DEAD_FULFILLMENTS = frozenset({"cancelled", "error", "failure"})


def order_update(payload: Any) -> ChannelUpdate:
    """An `orders/*` webhook body: the order with its fulfillments, and what happened to it."""
    body = _object(payload, "order")
    order = _order(body)
    return ChannelUpdate(orders=[order], reports=_order_events(body, order.id))


def fulfillment_update(payload: Any) -> ChannelUpdate:
    """A `fulfillments/create|update` webhook body: one more parcel of a known order."""
    body = _object(payload, "fulfillment")
    order_id = _order_of_fulfillment(body)
    shipments = [
        Shipment(
            id=parcel["id"],
            order_id=order_id,
            tracking_number=parcel.get("tracking_number"),
            carrier=parcel.get("carrier"),
            lines=tuple(_line(line) for line in parcel["lines"]),
        )
        for parcel in _parcels(body)
    ]
    return ChannelUpdate(shipments=shipments, reports=_label_events(body, order_id))


def _object(payload: Any, what: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise DomainError("(payload)", f"is not a Shopify {what} object")
    return payload


def _order(body: dict[str, Any]) -> Order:
    name = text_of(body.get("name")) or text_of(body.get("id"))
    money = (body.get("total_price_set") or {}).get("shop_money") or {}
    currency = text_of(money.get("currency_code")) or text_of(body.get("currency")) or "USD"
    value = minor_units(money.get("amount", body.get("total_price")), currency)
    shipping = body.get("shipping_address") or {}
    customer = body.get("customer") or {}
    service = " ".join(
        text_of(line.get("title")) or text_of(line.get("code")) or ""
        for line in body.get("shipping_lines") or []
        if isinstance(line, dict)
    )
    canonical = {
        "id": name,
        "channel": "shopify",
        "external_id": text_of(body.get("id")),
        # read here so a bad time is named as Shopify names it
        "placed_at": moment(body.get("created_at"), "created_at").isoformat(),
        "updated_at": _when(body, "updated_at"),
        "customer": compact(
            {
                "name": text_of(shipping.get("name"))
                or full_name(customer.get("first_name"), customer.get("last_name")),
                "email": text_of(body.get("email")) or text_of(body.get("contact_email")),
                "phone": text_of(shipping.get("phone")) or text_of(body.get("phone")),
                "postal_code": text_of(shipping.get("zip")),
                "country": text_of(shipping.get("country_code")),
            }
        ),
        "priority": priority_of(value, service).value,
        "lines": _shipped_lines(body.get("line_items")),
        "shipments": _parcels_of_order(body),
    }
    if value is not None:
        canonical["value"] = {"amount": value, "currency": currency}
    try:
        return parse_order(canonical)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(order)"
        raise DomainError(where, first["msg"]) from None


def _when(body: dict[str, Any], name: str) -> str | None:
    return moment(body[name], name).isoformat() if body.get(name) else None


def _shipped_lines(items: Any) -> list[dict[str, Any]]:
    quantities: dict[str, int] = {}
    for item in items or []:
        if not isinstance(item, dict) or item.get("requires_shipping") is False:
            continue
        quantity = item.get("current_quantity", item.get("quantity"))
        if isinstance(quantity, int) and quantity > 0:  # an edited-away line has none left
            sku = _sku(item)
            quantities[sku] = quantities.get(sku, 0) + quantity
    return [{"sku": sku, "quantity": quantity} for sku, quantity in quantities.items()]


def _sku(item: dict[str, Any]) -> str:
    """Shopify allows lines without a SKU; the variant (or the line itself) names them then."""
    if sku := text_of(item.get("sku")):
        return sku
    if variant := text_of(item.get("variant_id")):
        return f"variant-{variant}"
    return f"line-{text_of(item.get('id'))}"


def _parcels_of_order(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        parcel
        for fulfillment in body.get("fulfillments") or []
        if isinstance(fulfillment, dict)
        for parcel in _parcels(fulfillment)
    ]


def _parcels(fulfillment: dict[str, Any]) -> list[dict[str, Any]]:
    """The canonical shipments of one fulfillment (none when it was cancelled or failed)."""
    if text_of(fulfillment.get("status")) in _DEAD_FULFILLMENTS:
        return []
    fulfillment_id = text_of(fulfillment.get("id"))
    if not fulfillment_id:
        raise DomainError("fulfillments.id", "a fulfillment needs its id")
    numbers = _tracking_numbers(fulfillment)
    carrier = _CARRIERS.get((text_of(fulfillment.get("tracking_company")) or "").lower())
    lines = _shipped_lines(fulfillment.get("line_items"))
    first = {"id": shipment_id(fulfillment_id), "carrier": carrier, "lines": lines}
    if not numbers:
        return [first]
    parcels = [first | {"tracking_number": numbers[0]}]
    parcels += [
        {
            "id": f"{shipment_id(fulfillment_id)}-{n}",
            "tracking_number": number,
            "carrier": carrier,
            "lines": [],
        }
        for n, number in enumerate(numbers[1:], start=2)
    ]
    return parcels


def _tracking_numbers(fulfillment: dict[str, Any]) -> list[str]:
    given = fulfillment.get("tracking_numbers") or [fulfillment.get("tracking_number")]
    numbers = [text_of(n) for n in given if isinstance(n, str | int)]
    return list(dict.fromkeys(n for n in numbers if n))


def _line(line: dict[str, Any]) -> Line:
    return Line(line["sku"], line["quantity"])


def _order_of_fulfillment(body: dict[str, Any]) -> str:
    name = text_of(body.get("name")) or ""
    order, dot, number = name.rpartition(".")
    if not dot or not order or not number.isdigit():
        raise DomainError("name", f"'{name}' is not a fulfillment name like '#1001.1'")
    return order


def _order_events(body: dict[str, Any], order_id: str) -> list[EventReport]:
    external = text_of(body.get("id"))
    reports = [
        _event(f"shopify:order:{external}:placed", Milestone.ORDER_PLACED, body, "created_at")
    ]
    if body.get("confirmed") is True and body.get("processed_at"):
        key = f"shopify:order:{external}:confirmed"
        reports.append(_event(key, Milestone.ORDER_CONFIRMED, body, "processed_at"))
    if body.get("cancelled_at"):
        key = f"shopify:order:{external}:cancelled"
        reason = text_of(body.get("cancel_reason"))
        extra = {"cancel_reason": reason} if reason else {}
        reports.append(_event(key, Milestone.ORDER_CANCELLED, body, "cancelled_at", extra))
    for fulfillment in body.get("fulfillments") or []:
        if isinstance(fulfillment, dict):
            reports += _label_events(fulfillment, order_id)
    return [_about(report, order_id) for report in reports]


def _label_events(fulfillment: dict[str, Any], order_id: str) -> list[EventReport]:
    if text_of(fulfillment.get("status")) in _DEAD_FULFILLMENTS:
        return []
    reports = []
    for parcel in _parcels(fulfillment):
        if parcel.get("tracking_number"):
            key = f"shopify:{parcel['id']}:label_created"
            report = _event(key, Milestone.LABEL_CREATED, fulfillment, "created_at")
            reports.append(_about(report, order_id, parcel["id"]))
    return reports


def _event(
    key: str,
    milestone: Milestone,
    body: dict[str, Any],
    time_field: str,
    data: dict[str, Any] | None = None,
) -> EventReport:
    return EventReport(
        source=SOURCE,
        occurred_at=moment(body.get(time_field), time_field),
        milestone=milestone,
        key=key,
        data=data or {},
    )


def _about(report: EventReport, order_id: str, shipment: str | None = None) -> EventReport:
    return replace(report, order=order_id, shipment=shipment)
