"""Canada Post `tracking-detail` responses: significant-events/occurrence[].

Read with defusedxml. Each occurrence gives `event-date`, `event-time` and a time zone
*abbreviation* (`EDT`), which is turned into its offset; an abbreviation nobody knows falls
back to the province's zone and is flagged.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from ordertrail.app.commands import EventReport
from ordertrail.domain.model import Location, Source
from ordertrail.sources.carriers.base import CarrierParseError, event_key
from ordertrail.sources.carriers.canadapost.codes import BY_EVENT
from ordertrail.sources.carriers.local_time import place

SOURCE = Source.parse("carrier:canadapost")

_ZONES = {  # North American abbreviations Canada Post uses, as UTC offsets in hours
    "NST": -3.5,
    "NDT": -2.5,
    "AST": -4,
    "ADT": -3,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "UTC": 0,
    "GMT": 0,
}


class CanadaPostAdapter:
    name = "canadapost"

    def parse(self, payload: bytes) -> list[EventReport]:
        try:
            root = ElementTree.fromstring(payload)
        except (ElementTree.ParseError, DefusedXmlException, ValueError, LookupError) as error:
            raise CarrierParseError("(payload)", f"is not readable XML: {error}") from None
        if _local(root.tag) != "tracking-detail":
            raise CarrierParseError("(payload)", "is not a Canada Post tracking-detail")
        pin = _text(root, "pin")
        if not pin:
            raise CarrierParseError("pin", "is missing")
        promised = _text(root, "changed-expected-date") or _text(root, "expected-delivery-date")
        events = _child(root, "significant-events")
        occurrences = _children(events, "occurrence") if events is not None else []
        return [
            _report(pin, occurrence, f"occurrence[{n}]", promised)
            for n, occurrence in enumerate(occurrences)
        ]


def _report(pin: str, occurrence: Element, where: str, promised: str | None) -> EventReport:
    code = _text(occurrence, "event-identifier")
    description = _text(occurrence, "event-description")
    milestone, reason = BY_EVENT.lookup(code)
    location = Location(
        city=_text(occurrence, "event-site"),
        region=_text(occurrence, "event-province"),
        country="CA",
    )
    day, time = _text(occurrence, "event-date"), _text(occurrence, "event-time") or "00:00:00"
    try:
        local = datetime.fromisoformat(f"{day}T{time}")
    except ValueError:
        raise CarrierParseError(
            f"{where}.event-date", f"'{day} {time}' is not a date and time"
        ) from None
    abbreviation = (_text(occurrence, "event-time-zone") or "").upper()
    if abbreviation in _ZONES:
        offset = timezone(timedelta(hours=_ZONES[abbreviation]))
        occurred_at, assumed = local.replace(tzinfo=offset), None
    else:
        occurred_at, assumed = place(local, location)
    data = {
        "signatory": _text(occurrence, "signatory-name"),
        "time_zone_assumed": assumed,
        "estimated_delivery": promised if promised and len(promised) == 10 else None,
    }
    return EventReport(
        source=SOURCE,
        occurred_at=occurred_at,
        milestone=milestone,
        reason=reason,
        shipment=pin,
        key=event_key("canadapost", pin, f"{day}T{time}{abbreviation}", code, description),
        location=location if location.city or location.region else None,
        raw_code=code,
        raw_description=description,
        data={name: value for name, value in data.items() if value},
    )


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2]


def _children(parent: Element, name: str) -> list[Element]:
    return [child for child in parent if _local(child.tag) == name]


def _child(parent: Element, name: str) -> Element | None:
    found = _children(parent, name)
    return found[0] if found else None


def _text(parent: Element, name: str) -> str | None:
    child = _child(parent, name)
    value = (child.text or "").strip() if child is not None else ""
    return value or None


ADAPTER = CanadaPostAdapter()
