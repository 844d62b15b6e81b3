"""What messages say: Jinja2 templates per brand, in the customer's words.

`templates/<brand>/` may override any template of `templates/default/`; a split order's
message says which items are in this parcel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ordertrail.app import addresses
from ordertrail.app.customer.tracking import eta_for_message
from ordertrail.app.display_names import carrier_name
from ordertrail.app.messages.delivery import Outgoing
from ordertrail.app.queries import ShipmentDetail
from ordertrail.delivery.message_words import iso_day, reason_words
from ordertrail.delivery.unsubscribe import unsubscribe_link
from ordertrail.languages import dates
from ordertrail.languages.catalogs import ENGLISH
from ordertrail.languages.choice import choose
from ordertrail.languages.speech import _, language, ngettext, speaking

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True, slots=True)
class Brand:
    name: str = "OrderTrail"
    support: str = "support@example.com"
    tracking_url: str = "http://127.0.0.1:8000/track"
    public_url: str = "http://127.0.0.1:8000"
    mail_from: str | None = None  # the brand's sender; the install's when None
    templates: Path | None = None  # a folder whose templates replace any of the defaults
    #: how to send a return back (`[returns] instructions`), told once a return is approved
    return_instructions: str = ""
    #: the language its customers hear when their order does not say one we speak
    language: str = "en"


@dataclass(frozen=True, slots=True)
class Text:
    subject: str
    plain: str
    html: str


class Texts:
    """`brand` speaks for every order unless its channel has a brand of its own."""

    def __init__(self, brand: Brand, by_channel: dict[str, Brand] | None = None) -> None:
        self.brand = brand
        self.by_channel = by_channel or {}
        self._envs: dict[Path | None, Environment] = {}

    def brand_of(self, outgoing: Outgoing) -> Brand:
        """Staff alerts speak for the install; a customer hears from their order's brand."""
        order = outgoing.order
        if outgoing.message.audience != "customer" or order is None:
            return self.brand
        return self.by_channel.get(order.channel, self.brand)

    def language_of(self, outgoing: Outgoing) -> str:
        """A customer hears their order's language when we speak it, else their brand's;
        staff read English."""
        if outgoing.message.audience != "customer":
            return ENGLISH
        order = outgoing.order
        return choose(order.locale if order else None, None, self.brand_of(outgoing).language)

    def render(self, outgoing: Outgoing) -> Text:
        with speaking(self.language_of(outgoing)):
            context = self.context(outgoing)
            env, audience = self._env(context["brand"]), outgoing.message.audience
            subject = env.get_template(f"{audience}_subject.txt").render(context).strip()
            plain = env.get_template(f"{audience}.txt").render(context).strip() + "\n"
            # the HTML is the plain text, escaped: what the store sent (SKUs, names) stays text
            html = env.get_template(f"{audience}.html").render(
                subject=subject, plain=plain, language=language()
            )
        return Text(subject, plain, html)

    def short(self, outgoing: Outgoing) -> str:
        """One SMS: the subject line and where to look."""
        with speaking(self.language_of(outgoing)):
            context = self.context(outgoing)
            env = self._env(context["brand"])
            return env.get_template("sms.txt").render(context).strip()

    def _env(self, brand: Brand) -> Environment:
        if brand.templates not in self._envs:
            own = [FileSystemLoader(brand.templates)] if brand.templates else []
            env = Environment(
                loader=ChoiceLoader([*own, FileSystemLoader(TEMPLATES / "default")]),
                autoescape=select_autoescape(enabled_extensions=("html",), default=False),
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
                extensions=["jinja2.ext.i18n"],
            )
            # said in the language `render` speaks for this message (the customer's)
            env.install_gettext_callables(  # type: ignore[attr-defined]
                gettext=_, ngettext=ngettext, newstyle=True
            )
            env.filters["url_part"] = addresses.part  # an id goes into a link only encoded
            env.filters.update(
                day_year=dates.day_year,
                short_day=dates.short_day,
                moment=dates.moment,
                reason_words=reason_words,
                iso_day=iso_day,
            )
            env.filters["carrier_name"] = carrier_name
            self._envs[brand.templates] = env
        return self._envs[brand.templates]

    def context(self, outgoing: Outgoing) -> dict[str, Any]:
        message, order = outgoing.message, outgoing.order
        parcel = _parcel(order.shipments if order else [], message.subject.id)
        split = order is not None and len([s for s in order.shipments if not s.cancelled]) > 1
        brand = self.brand_of(outgoing)
        # when it should arrive, in the customer's words as of sending (their "tomorrow")
        sent_at = outgoing.sent_at or datetime.now(UTC)
        window = eta_for_message(order, parcel, sent_at) if order and parcel else None
        return {
            "brand": brand,
            "kind": message.kind,
            "message": message,
            "order": order,
            "parcel": parcel,
            "split": split,
            "window": window,
            "items": [f"{line.quantity} × {line.shown}" for line in parcel.lines] if parcel else [],
            # templates name the link `context.token`, as when it was kept with the message
            "context": {**message.context, "token": outgoing.link_token},
            # every customer email says how to stop them (RFC 8058; delivery/unsubscribe.py)
            "unsubscribe": unsubscribe_link(brand.public_url, outgoing),
            # staff work the case in the install's console, whichever brand the order wears
            "console": f"{self.brand.public_url}{addresses.order_page(message.order_id)}",
        }


def _parcel(parcels: list[ShipmentDetail], subject_id: str) -> ShipmentDetail | None:
    return next((p for p in parcels if p.id == subject_id), None)
