"""Shopify's order and fulfillment webhooks (REST Admin API payloads), as orders, shipments
and events.

- The order's id is its `name` ("#1001": what the customer sees and types); Shopify's own
  numeric id is kept as `external_id`. Fulfillments name their order the same way
  (`name` "#1001.1"), so a fulfillment webhook needs no lookup.
- A fulfillment becomes the shipment `shopify-fulfillment-<id>` (the id Shopify's
  fulfillment events target) carrying exactly its line items and quantities. A fulfillment
  with several tracking numbers does not say which item is in which parcel: its items stay on
  the first parcel and the others (`shopify-fulfillment-<id>-<tracking number>`) are
  registered without lines. Two fulfillments packed into one box share a tracking number:
  the later one's items join the earlier parcel.
- A cancelled (or failed) fulfillment's parcel is kept, marked cancelled: it carries nothing
  of the order and is not waited for.
- A parcel whose tracking number fails its carrier's check digit (mistyped by the merchant)
  is left out and listed as refused; the order and its other parcels still register.
- Events, all from `channel:shopify`: `order_placed` when the order was created,
  `order_confirmed` when Shopify confirmed it (stock reserved), `order_cancelled` when
  `cancelled_at` is set, and `label_created` when a fulfillment carries a tracking number.
  Carrier news comes from the carriers and from fulfillment events, which carry event times;
  a fulfillment's `shipment_status` carries none and is not read.
- Lines that need no shipping (gift cards, services) are not lines of the parcel's order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from ordertrail.app.intake.commands import EventReport
from ordertrail.app.intake.handlers import ItemProblem
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import DomainError, Line, Order, Shipment, Source, is_locale
from ordertrail.domain.priority import priority_of
from ordertrail.sources.canonical import parse_order
from ordertrail.sources.carriers.shopify_fulfillment_event.parse import shipment_id
from ordertrail.sources.channels.common import (
    ChannelUpdate,
    compact,
    full_name,
    listed,
    minor_units,
    moment,
    part,
    summed,
    text_of,
)
from ordertrail.sources.tracking_numbers import identify

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
    parcels = _Parcels()
    for fulfillment in listed(body, "fulfillments"):
        parcels.add(_object(fulfillment, "fulfillment"))
    order = _order(body, parcels.canonical())
    return ChannelUpdate(
        orders=[order],
        reports=[_about(r, order.id) for r in _order_events(body)] + parcels.labels(order.id),
        refused=parcels.refused,
    )


def fulfillment_update(payload: Any) -> ChannelUpdate:
    """A `fulfillments/create|update` webhook body: one more parcel of a known order."""
    body = _object(payload, "fulfillment")
    order_id = _order_of_fulfillment(body)
    parcels = _Parcels()
    parcels.add(body)
    shipments = [
        Shipment(
            id=parcel["id"],
            order_id=order_id,
            tracking_number=parcel.get("tracking_number"),
            carrier=parcel.get("carrier"),
            lines=tuple(
                Line(line["sku"], line["quantity"], line.get("name")) for line in parcel["lines"]
            ),
            cancelled=parcel["cancelled"],
            updated_at=moment(parcel["updated_at"], "updated_at") if parcel["updated_at"] else None,
        )
        for parcel in parcels.canonical()
    ]
    return ChannelUpdate(
        shipments=shipments, reports=parcels.labels(order_id), refused=parcels.refused
    )


def _object(payload: Any, what: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise DomainError("(payload)", f"is not a Shopify {what} object")
    return payload


def _order(body: dict[str, Any], parcels: list[dict[str, Any]]) -> Order:
    name = text_of(body.get("name")) or text_of(body.get("id"))
    money = part(part(body, "total_price_set"), "shop_money")
    currency = text_of(money.get("currency_code")) or text_of(body.get("currency")) or "USD"
    value = minor_units(money.get("amount", body.get("total_price")), currency)
    shipping, customer = part(body, "shipping_address"), part(body, "customer")
    service = " ".join(
        text_of(line.get("title")) or text_of(line.get("code")) or ""
        for line in listed(body, "shipping_lines")
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
        "lines": _shipped_lines(listed(body, "line_items")),
        "shipments": parcels,
    }
    if value is not None:
        canonical["value"] = {"amount": value, "currency": currency}
    # the language the customer shopped in; one we cannot read is left out, not the order
    if (locale := text_of(body.get("customer_locale"))) and is_locale(locale.strip()):
        canonical["locale"] = locale.strip()
    try:
        return parse_order(canonical)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(order)"
        raise DomainError(where, first["msg"]) from None


def _when(body: dict[str, Any], name: str) -> str | None:
    return moment(body[name], name).isoformat() if body.get(name) else None


def _shipped_lines(items: list[Any]) -> list[dict[str, Any]]:
    return summed(
        (_sku(item), quantity, text_of(item.get("name")) or text_of(item.get("title")))
        for item in items
        if isinstance(item, dict) and item.get("requires_shipping") is not False
        for quantity in [item.get("current_quantity", item.get("quantity"))]
        if isinstance(quantity, int) and quantity > 0  # an edited-away line has none left
    )


def _sku(item: dict[str, Any]) -> str:
    """Shopify allows lines without a SKU; the variant (or the line itself) names them then."""
    if sku := text_of(item.get("sku")):
        return sku
    if variant := text_of(item.get("variant_id")):
        return f"variant-{variant}"
    return f"line-{text_of(item.get('id'))}"


@dataclass(slots=True)
class _Parcels:
    """The parcels of one or more fulfillments, as canonical shipments, and their labels."""

    found: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_tracking: dict[str, str] = field(default_factory=dict)
    #: the fulfillment each labelled parcel came from (its `created_at` is the label's time)
    labelled: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused: list[ItemProblem] = field(default_factory=list)

    def add(self, fulfillment: dict[str, Any]) -> None:
        fulfillment_id = text_of(fulfillment.get("id"))
        if not fulfillment_id:
            raise DomainError("fulfillments.id", "a fulfillment needs its id")
        first = shipment_id(fulfillment_id)
        cancelled = text_of(fulfillment.get("status")) in _DEAD_FULFILLMENTS
        carrier = _CARRIERS.get((text_of(fulfillment.get("tracking_company")) or "").lower())
        lines = [] if cancelled else _shipped_lines(listed(fulfillment, "line_items"))
        numbers = self._usable(fulfillment, carrier)
        version = _when(fulfillment, "updated_at")
        if not numbers:
            self._put(first, None, carrier, lines, cancelled, version)
        for n, number in enumerate(numbers):
            earlier = self.by_tracking.get(number)
            if earlier and earlier != first and not cancelled:  # two fulfillments, one box
                self.found[earlier]["lines"] += lines if n == 0 else []
                continue
            parcel = first if n == 0 else f"{first}-{number}"
            self._put(parcel, number, carrier, lines if n == 0 else [], cancelled, version)
            self.labelled[parcel] = fulfillment

    def _usable(self, fulfillment: dict[str, Any], carrier: str | None) -> list[str]:
        given = fulfillment.get("tracking_numbers") or [fulfillment.get("tracking_number")]
        if not isinstance(given, list):
            raise DomainError("tracking_numbers", "is not a JSON array")
        numbers = list(dict.fromkeys(n for n in map(text_of, given) if n))
        usable = []
        for number in numbers:
            try:
                identify(number, carrier)
                usable.append(number)
            except DomainError as error:
                name = f"fulfillment {text_of(fulfillment.get('id'))}: tracking number"
                self.refused.append(ItemProblem(0, name, error.message))
        return usable

    def _put(
        self,
        parcel: str,
        number: str | None,
        carrier: str | None,
        lines: list[dict[str, Any]],
        cancelled: bool,
        version: str | None,
    ) -> None:
        self.found[parcel] = {
            "id": parcel,
            "tracking_number": number,
            "carrier": carrier,
            "lines": list(lines),
            "cancelled": cancelled,
            "updated_at": version,
        }
        if number and not cancelled:
            self.by_tracking.setdefault(number, parcel)

    def canonical(self) -> list[dict[str, Any]]:
        return [
            {
                **p,
                "lines": summed(
                    (line["sku"], line["quantity"], line.get("name")) for line in p["lines"]
                ),
            }
            for p in self.found.values()
        ]

    def labels(self, order_id: str) -> list[EventReport]:
        """`label_created` for each live parcel with a tracking number, when it was made."""
        return [
            replace(
                _event(
                    f"shopify:{parcel}:label_created", Milestone.LABEL_CREATED, when, "created_at"
                ),
                order=order_id,
                shipment=parcel,
            )
            for parcel, when in self.labelled.items()
            if not self.found[parcel]["cancelled"]
        ]


def _order_of_fulfillment(body: dict[str, Any]) -> str:
    name = text_of(body.get("name")) or ""
    order, dot, number = name.rpartition(".")
    if not dot or not order or not number.isdigit():
        raise DomainError("name", f"'{name}' is not a fulfillment name like '#1001.1'")
    return order


def _order_events(body: dict[str, Any]) -> list[EventReport]:
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


def _about(report: EventReport, order_id: str) -> EventReport:
    return replace(report, order=order_id)
