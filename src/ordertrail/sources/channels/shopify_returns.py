"""Shopify's returns webhooks, for shops that run their returns in Shopify: each becomes the
return's canonical event, so the return follows the same flow and timeline as one asked for
here (Shopify decides; OrderTrail's own policy stays out of it).

- `returns/request` opens the return (id `SHOPIFY-R<return id>`) with its lines and reasons;
- `returns/approve`, `returns/decline` approve or turn it down (the decline's reason and note
  are its why); `returns/close` settles it (refunds and exchanges were made in Shopify);
- `reverse_deliveries/attach_deliverable` attaches the return label's tracking number, so the
  carrier's news of that parcel lands on the return;
- `reverse_fulfillment_orders/dispose` names reverse-fulfillment lines that no earlier payload
  ties to a return or a SKU: it is refused with that reason (inspect in OrderTrail instead).
"""

from __future__ import annotations

from typing import Any

from ordertrail.app.intake.commands import EventReport
from ordertrail.app.intake.handlers import ItemProblem
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import DomainError
from ordertrail.domain.returns.return_lines import LABEL_ATTACHED, ReturnReason
from ordertrail.sources.channels.common import ChannelUpdate, listed, moment, part, text_of
from ordertrail.sources.channels.shopify import SOURCE

TOPICS = frozenset(
    {
        "returns/request",
        "returns/approve",
        "returns/decline",
        "returns/close",
        "reverse_deliveries/attach_deliverable",
        "reverse_fulfillment_orders/dispose",
    }
)

#: Shopify's return reasons in OrderTrail's list
_REASONS = {
    "defective": ReturnReason.DEFECTIVE,
    "not_as_described": ReturnReason.NOT_AS_DESCRIBED,
    "wrong_item": ReturnReason.WRONG_ITEM,
    "unwanted": ReturnReason.NO_LONGER_NEEDED,
    "style": ReturnReason.NO_LONGER_NEEDED,
    "color": ReturnReason.NO_LONGER_NEEDED,
    "size_too_large": ReturnReason.NO_LONGER_NEEDED,
    "size_too_small": ReturnReason.NO_LONGER_NEEDED,
}

_VERDICTS = {
    "returns/approve": (Milestone.RETURN_APPROVED, "approved in Shopify"),
    "returns/decline": (Milestone.RETURN_REJECTED, "declined in Shopify"),
    "returns/close": (Milestone.REFUND_RELEASED, "closed in Shopify: settled there"),
}


def return_update(topic: str, payload: Any) -> ChannelUpdate:
    if not isinstance(payload, dict):
        raise DomainError("(payload)", "is not a Shopify return object")
    if topic == "reverse_fulfillment_orders/dispose":
        why = (
            "reverse fulfillment order lines are not tied to a return or SKU by any payload "
            "OrderTrail receives: record the inspection with POST /api/v1/returns/{rma}/inspect"
        )
        return ChannelUpdate(refused=[ItemProblem(0, "dispositions", why)])
    if topic == "reverse_deliveries/attach_deliverable":
        return ChannelUpdate(reports=[_label(payload)])
    rma = _return_id(payload)
    order = text_of(part(payload, "order").get("name"))
    if topic == "returns/request":
        return ChannelUpdate(reports=[_requested(payload, rma, order)])
    milestone, said = _VERDICTS[topic]
    decline = part(payload, "decline")
    why = "; ".join(
        filter(None, (said, text_of(decline.get("reason")), text_of(decline.get("note"))))
    )
    return ChannelUpdate(reports=[_event(payload, rma, order, milestone, {"why": why}, topic)])


def _return_id(payload: dict[str, Any]) -> str:
    number = text_of(payload.get("id"))
    if not number or not number.isdigit():
        raise DomainError("id", "a Shopify return needs its numeric id")
    return f"SHOPIFY-R{number}"


def _requested(payload: dict[str, Any], rma: str, order: str | None) -> EventReport:
    if not order:
        raise DomainError("order.name", "the return must name its order (e.g. '#1001')")
    lines = []
    for n, item in enumerate(listed(payload, "return_line_items")):
        if not isinstance(item, dict):
            raise DomainError(f"return_line_items.{n}", "is not a JSON object")
        line = part(part(item, "fulfillment_line_item"), "line_item")
        sku = text_of(line.get("sku")) or f"line-{text_of(line.get('id'))}"
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or quantity < 1:
            raise DomainError(f"return_line_items.{n}.quantity", "must be a whole number ≥ 1")
        reason = _REASONS.get(
            (text_of(item.get("return_reason")) or "").lower(), ReturnReason.OTHER
        )
        lines.append({"sku": sku, "quantity": quantity, "reason": reason.value})
    if not lines:
        raise DomainError("return_line_items", "a return names at least one line")
    notes = [text_of(i.get("return_reason_note")) for i in listed(payload, "return_line_items")]
    said = {
        "lines": lines,
        "kind": "return",
        "channel_ref": text_of(payload.get("name")) or rma,
        "why": "; ".join(filter(None, ["requested in Shopify", *notes])),
    }
    return _event(payload, rma, order, Milestone.RETURN_REQUESTED, said, "returns/request")


def _label(payload: dict[str, Any]) -> EventReport:
    rma = _return_id(part(payload, "return"))
    deliverable = part(payload, "shipping_deliverable")
    tracking = part(deliverable, "tracking")
    number = text_of(tracking.get("tracking_number"))
    if not number:
        raise DomainError("shipping_deliverable.tracking.tracking_number", "is missing")
    carrier = (text_of(tracking.get("carrier_name")) or "").lower() or None
    label = {"tracking_number": number, "carrier": carrier}
    at = part(deliverable, "label").get("created_at")
    return EventReport(
        source=SOURCE,
        occurred_at=moment(at, "shipping_deliverable.label.created_at"),
        return_id=rma,
        key=f"shopify:reverse_delivery:{text_of(payload.get('id'))}:{number}",
        raw_code=LABEL_ATTACHED,
        data={"label": label, "why": f"return label {number} made in Shopify"},
    )


def _event(
    payload: dict[str, Any],
    rma: str,
    order: str | None,
    milestone: Milestone,
    data: dict[str, Any],
    topic: str,
) -> EventReport:
    field = "created_at" if topic == "returns/request" else "updated_at"
    return EventReport(
        source=SOURCE,
        occurred_at=moment(payload.get(field), field),
        milestone=milestone,
        order=order,
        return_id=rma,
        key=f"shopify:return:{rma}:{topic}",
        data=data,
    )
