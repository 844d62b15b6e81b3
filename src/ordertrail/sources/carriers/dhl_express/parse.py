"""DHL Express XML-PI TrackingResponse: AWBInfo[] / ShipmentInfo / ShipmentEvent[].

Read with defusedxml (no entity expansion, no external entities). Event `Date` and `Time`
are local to the event's service area and carry no offset; they are placed in that area's
country (and state, for US areas like "SPRINGFIELD GARDENS,NY-USA") and flagged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from ordertrail.app.commands import EventReport
from ordertrail.domain.model import Location, Source
from ordertrail.sources.carriers.base import CarrierParseError, event_key
from ordertrail.sources.carriers.countries import alpha2
from ordertrail.sources.carriers.dhl_express.codes import BY_EVENT_CODE
from ordertrail.sources.carriers.local_time import place

SOURCE = Source.parse("carrier:dhl")


class DhlExpressAdapter:
    name = "dhl-express"

    def parse(self, payload: bytes) -> list[EventReport]:
        try:
            root = ElementTree.fromstring(payload)
        except (ElementTree.ParseError, DefusedXmlException, ValueError, LookupError) as error:
            raise CarrierParseError("(payload)", f"is not readable XML: {error}") from None
        if _local(root.tag) != "TrackingResponse":
            raise CarrierParseError("(payload)", "is not a DHL Express TrackingResponse")
        reports = []
        for a, awb in enumerate(_children(root, "AWBInfo")):
            where = f"AWBInfo[{a}]"
            number = _text(awb, "AWBNumber")
            if not number:
                raise CarrierParseError(f"{where}.AWBNumber", "is missing")
            info = _child(awb, "ShipmentInfo")
            if info is None:
                continue  # "no shipments found": DHL has nothing on this number
            promised = _promised(_text(info, "EstDlvyDate"))
            for e, event in enumerate(_children(info, "ShipmentEvent")):
                reports.append(_report(number, event, f"{where}.ShipmentEvent[{e}]", promised))
        return reports


def _report(number: str, event: Element, where: str, promised: str | None) -> EventReport:
    service = _child(event, "ServiceEvent")
    code = _text(service, "EventCode") if service is not None else None
    description = _text(service, "Description") if service is not None else None
    milestone, reason = BY_EVENT_CODE.lookup(code)
    area = _child(event, "ServiceArea")
    location = _location(_text(area, "Description") if area is not None else None)
    day, time = _text(event, "Date"), _text(event, "Time") or "00:00:00"
    try:
        local = datetime.fromisoformat(f"{day}T{time}")
    except ValueError:
        raise CarrierParseError(f"{where}.Date", f"'{day} {time}' is not a date and time") from None
    if local.utcoffset() is not None:
        occurred_at, assumed = local, None
    else:
        occurred_at, assumed = place(local, location)
    data = {
        "service_area": _text(area, "ServiceAreaCode") if area is not None else None,
        "signatory": _text(event, "Signatory"),
        "time_zone_assumed": assumed,
        "estimated_delivery": promised,
    }
    return EventReport(
        source=SOURCE,
        occurred_at=occurred_at,
        milestone=milestone,
        reason=reason,
        shipment=number,
        key=event_key("dhl", number, f"{day}T{time}", code, description),
        location=location,
        raw_code=code,
        raw_description=description,
        data={name: value for name, value in data.items() if value},
    )


def _location(area: str | None) -> Location | None:
    """A service area description: "KINGSTON-JAM" or "SPRINGFIELD GARDENS,NY-USA"."""
    if not area:
        return None
    place_name, _, country = area.rpartition("-")
    if not place_name:
        return Location(city=area.strip() or None)
    city, _, region = place_name.partition(",")
    return Location(
        city=city.strip() or None, region=region.strip() or None, country=alpha2(country)
    )


def _promised(value: str | None) -> str | None:
    try:
        return datetime.fromisoformat(value[:10]).date().isoformat() if value else None
    except ValueError:
        return None


def _local(tag: Any) -> str:
    return str(tag).rpartition("}")[2]


def _children(parent: Element, name: str) -> list[Element]:
    return [child for child in parent if _local(child.tag) == name]


def _child(parent: Element, name: str) -> Element | None:
    found = _children(parent, name)
    return found[0] if found else None


def _text(parent: Element | None, name: str) -> str | None:
    child = _child(parent, name) if parent is not None else None
    value = (child.text or "").strip() if child is not None else ""
    return value or None


ADAPTER = DhlExpressAdapter()
