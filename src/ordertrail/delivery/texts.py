"""What messages say: Jinja2 templates per brand, in the customer's words.

`templates/<brand>/` may override any template of `templates/default/`; a split order's
message says which items are in this parcel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ordertrail.app.delivery import Outgoing
from ordertrail.app.queries import ShipmentDetail

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True, slots=True)
class Brand:
    name: str = "OrderTrail"
    support: str = "support@example.com"
    tracking_url: str = "http://127.0.0.1:8000/track"
    public_url: str = "http://127.0.0.1:8000"


@dataclass(frozen=True, slots=True)
class Text:
    subject: str
    plain: str
    html: str


class Texts:
    """`brand` speaks for every order unless its channel has a brand of its own."""

    def __init__(
        self,
        brand: Brand,
        brand_dir: Path | None = None,
        by_channel: dict[str, Brand] | None = None,
    ) -> None:
        loaders = [FileSystemLoader(brand_dir)] if brand_dir else []
        self._env = Environment(
            loader=ChoiceLoader([*loaders, FileSystemLoader(TEMPLATES / "default")]),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.brand = brand
        self.by_channel = by_channel or {}

    def render(self, outgoing: Outgoing) -> Text:
        context = self.context(outgoing)
        audience = outgoing.message.audience
        subject = self._env.get_template(f"{audience}_subject.txt").render(context).strip()
        plain = self._env.get_template(f"{audience}.txt").render(context).strip() + "\n"
        # the HTML is the plain text, escaped: what the store sent (SKUs, names) stays text
        html = self._env.get_template(f"{audience}.html").render(subject=subject, plain=plain)
        return Text(subject, plain, html)

    def short(self, outgoing: Outgoing) -> str:
        """One SMS: the subject line and where to look."""
        context = self.context(outgoing)
        return self._env.get_template("sms.txt").render(context).strip()

    def context(self, outgoing: Outgoing) -> dict[str, Any]:
        message, order = outgoing.message, outgoing.order
        parcel = _parcel(order.shipments if order else [], message.subject.id)
        split = order is not None and len([s for s in order.shipments if not s.cancelled]) > 1
        brand = self.by_channel.get(order.channel, self.brand) if order else self.brand
        return {
            "brand": brand,
            "kind": message.kind,
            "message": message,
            "order": order,
            "parcel": parcel,
            "split": split,
            "items": [f"{line.quantity} × {line.sku}" for line in parcel.lines] if parcel else [],
            "context": message.context,
            # staff work the case in the install's console, whichever brand the order wears
            "console": f"{self.brand.public_url}/ops/orders/{quote(message.order_id, safe='')}",
        }


def _parcel(parcels: list[ShipmentDetail], subject_id: str) -> ShipmentDetail | None:
    return next((p for p in parcels if p.id == subject_id), None)
