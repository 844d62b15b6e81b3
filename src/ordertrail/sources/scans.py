"""What a warehouse barcode says: a badge, a step card, a carton's GS1 label, a carrier's
tracking label, a product, or an order/parcel reference.

Keyboard-wedge scanners type what they read and press Enter. GS1-128 labels arrive in any of
the forms scanners are set to send: with the `]C1` symbology prefix, with FNC1 as the ASCII
group separator, or as human-readable text with the AIs in brackets — `(00)` SSCC carton ids,
`(400)` the customer's order number, `(01)` GTINs, `(420)`+`(92…)` USPS IMpb tracking labels.
The `biip` package reads them (imported when a barcode first needs it: its GS1 tables are
~16 MB a process, and only scan stations read barcodes); check digits are always checked.

Badges and step cards are the shop's own: `BADGE:<operator>`, `STATION:<station>` and
`STEP:PICK|PACK|LABEL|HANDOFF|RELABEL` (printable as Code 128).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from ordertrail.app.intake.commands import RecordScan
from ordertrail.domain.model import DomainError
from ordertrail.domain.warehouse import Step
from ordertrail.sources.tracking_numbers import identify


@dataclass(frozen=True, slots=True)
class Badge:
    operator: str | None = None
    station: str | None = None


@dataclass(frozen=True, slots=True)
class StepCard:
    step: Step


@dataclass(frozen=True, slots=True)
class Carton:
    """A GS1 SSCC; `order` when the label carries the customer's order number (AI 400)."""

    sscc: str
    order: str | None = None


@dataclass(frozen=True, slots=True)
class TrackingLabel:
    tracking_number: str
    carrier: str | None = None


@dataclass(frozen=True, slots=True)
class Product:
    gtin: str


@dataclass(frozen=True, slots=True)
class Reference:
    """Anything else: an order number or a parcel id, as printed on a pick list."""

    text: str


Scanned = Badge | StepCard | Carton | TrackingLabel | Product | Reference

MAX_SCAN = 200
_PREFIXED = re.compile(r"^(BADGE|OP|STATION|STEP):(.*)$", re.IGNORECASE)
_GS = "\x1d"
_IMPB = ("92", "93", "94", "95")


def read_scan(text: str) -> Scanned:
    """What the scanned text names; a DomainError("scan", reason) for what it cannot be."""
    code = text.strip().replace("\r", "").replace("\n", "")
    if not code:
        raise DomainError("scan", "nothing was scanned")
    if len(code) > MAX_SCAN or any(ch < " " and ch != _GS for ch in code):
        raise DomainError("scan", "this is not a barcode this station reads")
    if prefixed := _PREFIXED.match(code):
        return _card(prefixed.group(1).upper(), prefixed.group(2).strip())
    if code.startswith(("]C1", "]d2", "]Q3", "]e0", "(")) or _GS in code:
        return _gs1(code)
    if code.isdigit() and len(code) == 20 and code.startswith("00"):
        return _gs1("]C1" + code)  # an SSCC with its AI, as a scanner without a prefix sends
    return _plain(code)


def _card(kind: str, value: str) -> Scanned:
    if not value:
        raise DomainError("scan", f"the {kind.lower()} card holds no value")
    if kind in ("BADGE", "OP"):
        return Badge(operator=value)
    if kind == "STATION":
        return Badge(station=value)
    try:
        return StepCard(Step(value.lower()))
    except ValueError:
        steps = ", ".join(s.value.upper() for s in Step)
        raise DomainError("scan", f"'{value}' is not a step (one of {steps})") from None


def _gs1(code: str) -> Scanned:
    """A GS1 element string: the carton, the tracking label, or the product it names."""
    import biip
    from biip.gs1_messages import GS1Message

    try:
        if code.startswith("("):
            message = GS1Message.parse_hri(code)
        else:
            parsed = biip.parse(code)
            if parsed.gs1_message is None:
                raise DomainError("scan", f"not a readable GS1 label: {parsed.gs1_message_error}")
            message = parsed.gs1_message
    except biip.ParseError as error:
        raise DomainError("scan", f"not a readable GS1 label: {error}") from None
    found = {element.ai.ai: element for element in message.element_strings}
    if "00" in found:
        element = found["00"]
        if element.sscc is None:
            raise DomainError("scan", f"carton label unreadable: {element.sscc_error}")
        order = found["400"].value if "400" in found else None
        return Carton(element.sscc.value, order)
    for ai in _IMPB:
        if ai in found:  # USPS IMpb: the tracking number is the AI and its data
            return _tracking(ai + found[ai].value)
    if "01" in found and found["01"].gtin is not None:
        return Product(found["01"].gtin.value)
    raise DomainError("scan", "this GS1 label names no carton, parcel or product")


def _plain(code: str) -> Scanned:
    """A bare SSCC first (tracking-numbers takes any 18 digits for FedEx Ground), then
    tracking numbers before products (a 12-digit FedEx number is also a valid UPC-A)."""
    import biip

    if code.isdigit() and len(code) == 18:
        parsed = biip.parse(code)
        if parsed.sscc is not None:
            return Carton(parsed.sscc.value)
    try:
        known = identify(code)
    except DomainError as error:
        raise DomainError("scan", error.message) from None
    if known.carrier:
        return TrackingLabel(code.replace(" ", "").upper(), known.carrier)
    if code.isdigit() and len(code) in (8, 13, 14):
        parsed = biip.parse(code)
        if parsed.gtin is not None:
            return Product(parsed.gtin.value)
    return Reference(code)


def _tracking(number: str) -> TrackingLabel:
    try:
        known = identify(number)
    except DomainError as error:
        raise DomainError("scan", error.message) from None
    return TrackingLabel(number, known.carrier)


def scan_command(
    *,
    site: str,
    station: str,
    operator: str,
    step: Step,
    target: str,
    label: str | None = None,
    order: str | None = None,
    scanned_at: datetime | None = None,
) -> RecordScan:
    """The use-case input for one step, from the barcodes as scanned: `target` is the
    carton, parcel or order; `label` the new label a label/relabel step puts on it."""
    what = read_scan(target)
    target_id, order_id = _target(what)
    command = RecordScan(
        site=site,
        station=station,
        operator=operator,
        step=step,
        target=target_id,
        barcode=target.strip()[:MAX_SCAN],
        order=order_id or order,
        scanned_at=scanned_at,
    )
    if label is None:
        return command
    new = read_scan(label)
    if isinstance(new, TrackingLabel):
        return replace(command, label=new.tracking_number, label_carrier=new.carrier)
    if isinstance(new, Carton):
        return replace(command, label=new.sscc, label_is_tracking=False)
    raise DomainError("label", "scan the carrier's label (or the new carton label)")


def _target(what: Scanned) -> tuple[str, str | None]:
    """The id a scan names as the thing worked on, and the order its label names."""
    if isinstance(what, Carton):
        return what.sscc, what.order
    if isinstance(what, TrackingLabel):
        return what.tracking_number, None
    if isinstance(what, Reference):
        return what.text, None
    if isinstance(what, Product):
        raise DomainError("scan", f"product {what.gtin}: scan the order or the carton")
    raise DomainError("scan", "a badge or step card names no order or carton")
