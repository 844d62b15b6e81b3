"""WooCommerce's `order.created` / `order.updated` webhooks: the order (read as the order file
reader reads it), its parcels, and what happened to it.

- Parcels come from the Shipment Tracking extension's `_wc_shipment_tracking_items` meta
  (WooCommerce itself has no tracking numbers): shipment `woocommerce-<order>-<tracking
  number>`, with `label_created` when it was shipped. The extension does not say which items
  are in which parcel, so they are registered without lines. A mistyped number is refused.
- Events, from `channel:woocommerce`: `order_placed` at creation; `order_confirmed` once
  paid (`processing`, `completed`, `on-hold`); `order_cancelled` when the status says
  `cancelled`, at the order's last change. `failed` and `pending` (payment not through) and
  `refunded` (money, not parcels) say nothing about fulfillment.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from ordertrail.app.intake.commands import EventReport
from ordertrail.app.intake.handlers import ItemProblem
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import DomainError, Source
from ordertrail.sources.canonical import parse_order
from ordertrail.sources.channels.common import ChannelUpdate, listed, text_of
from ordertrail.sources.channels.woocommerce import canonical_order
from ordertrail.sources.tracking_numbers import identify

SOURCE = Source.parse("channel:woocommerce")

_PAID = frozenset({"processing", "completed", "on-hold"})
_TRACKING_META = "_wc_shipment_tracking_items"


def order_update(payload: Any) -> ChannelUpdate:
    if not isinstance(payload, dict):
        raise DomainError("(payload)", "is not a WooCommerce order object")
    canonical = canonical_order(payload)
    refused: list[ItemProblem] = []
    parcels = _parcels(payload, canonical["id"], refused)
    canonical["shipments"] = [{k: v for k, v in p.items() if k != "shipped_at"} for p in parcels]
    try:
        order = parse_order(canonical)
    except ValidationError as error:
        first = error.errors()[0]
        raise DomainError(".".join(map(str, first["loc"])) or "(order)", first["msg"]) from None
    reports = _events(payload, order.id, parcels)
    return ChannelUpdate(orders=[order], reports=reports, refused=refused)


def _events(
    payload: dict[str, Any], order_id: str, parcels: list[dict[str, Any]]
) -> list[EventReport]:
    key = f"woocommerce:order:{payload.get('id')}"
    status = str(payload.get("status") or "")
    reports = [_event(f"{key}:placed", Milestone.ORDER_PLACED, _gmt(payload, "date_created_gmt"))]
    if status in _PAID and (paid := _gmt(payload, "date_paid_gmt", optional=True)):
        reports.append(_event(f"{key}:confirmed", Milestone.ORDER_CONFIRMED, paid))
    if status == "cancelled":
        when = _gmt(payload, "date_modified_gmt")
        reports.append(_event(f"{key}:cancelled", Milestone.ORDER_CANCELLED, when))
    for parcel in parcels:
        if parcel["shipped_at"] is not None:
            report = _event(
                f"{key}:{parcel['id']}:label", Milestone.LABEL_CREATED, parcel["shipped_at"]
            )
            reports.append(replace(report, shipment=parcel["id"]))
    return [replace(report, order=order_id) for report in reports]


def _parcels(
    payload: dict[str, Any], order_id: str, refused: list[ItemProblem]
) -> list[dict[str, Any]]:
    """One parcel per tracking number (named by it, so removing one item of the list does
    not rename the others); a mistyped number is listed as refused and left out."""
    parcels: dict[str, dict[str, Any]] = {}
    for meta in listed(payload, "meta_data"):
        if not isinstance(meta, dict) or meta.get("key") != _TRACKING_META:
            continue
        items = meta.get("value")
        for item in items if isinstance(items, list) else []:
            number = text_of(item.get("tracking_number")) if isinstance(item, dict) else None
            if not number or number in parcels:
                continue
            carrier = _carrier(
                item.get("tracking_provider") or item.get("custom_tracking_provider")
            )
            try:
                identify(number, carrier)
            except DomainError as error:
                refused.append(ItemProblem(0, "tracking_number", error.message))
                continue
            parcels[number] = {
                "id": f"woocommerce-{order_id}-{number}",
                "tracking_number": number,
                "carrier": carrier,
                "shipped_at": _unix(item.get("date_shipped")),
            }
    return list(parcels.values())


def _carrier(provider: Any) -> str | None:
    """Shipment Tracking's provider slugs ("ups", "fedex", "usps", "dhl-us", "canada-post")."""
    text = str(provider or "").strip().lower().replace(" ", "-")
    return {"canada-post": "canadapost", "dhl-us": "dhl", "dhl-express": "dhl-express"}.get(
        text, text or None
    )


def _unix(value: Any) -> datetime | None:
    """Shipment Tracking stores the ship date as a Unix time (a string of digits)."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 11:
        return None
    return datetime.fromtimestamp(int(text), UTC)


def _gmt(payload: dict[str, Any], name: str, *, optional: bool = False) -> Any:
    """WooCommerce's `*_gmt` fields are UTC without an offset."""
    text = payload.get(name)
    if not text and optional:
        return None
    try:
        return datetime.fromisoformat(str(text)).replace(tzinfo=UTC)
    except ValueError:
        raise DomainError(name, f"'{str(text)[:40]}' is not a WooCommerce date") from None


def _event(key: str, milestone: Milestone, at: datetime) -> EventReport:
    return EventReport(source=SOURCE, occurred_at=at, milestone=milestone, key=key)
