"""DHL Express XML-PI TrackingResponse: AWBInfo[] / ShipmentInfo / ShipmentEvent[].

Read with defusedxml (no entity expansion, no external entities). Event `Date` and `Time`
are local to the event's service area and carry no offset; they are placed in that area's
country (and state, for US areas like "SPRINGFIELD GARDENS,NY-USA") and flagged.
"""

from __future__ import annotations

from datetime import datetime
from xml.etree.ElementTree import Element

from ordertrail.app.intake.commands import EventReport
from ordertrail.domain.model import Location, Source
from ordertrail.sources.carriers import xmldoc
from ordertrail.sources.carriers.base import (
    CarrierParseError,
    carrier_report,
    event_key,
    wall_clock,
)
from ordertrail.sources.carriers.countries import alpha2
from ordertrail.sources.carriers.dhl_express.codes import BY_EVENT_CODE
from ordertrail.sources.carriers.local_time import settle

SOURCE = Source.parse("carrier:dhl")


class DhlExpressAdapter:
    name = "dhl-express"

    def parse(self, payload: bytes) -> list[EventReport]:
        root = xmldoc.read(payload, "TrackingResponse", "a DHL Express TrackingResponse")
        reports = []
        for a, awb in enumerate(xmldoc.children(root, "AWBInfo")):
            where = f"AWBInfo[{a}]"
            number = xmldoc.child_text(awb, "AWBNumber")
            if not number:
                raise CarrierParseError(f"{where}.AWBNumber", "is missing")
            info = xmldoc.child(awb, "ShipmentInfo")
            if info is None:
                continue  # "no shipments found": DHL has nothing on this number
            promised = _promised(xmldoc.child_text(info, "EstDlvyDate"))
            for e, event in enumerate(xmldoc.children(info, "ShipmentEvent")):
                reports.append(_report(number, event, f"{where}.ShipmentEvent[{e}]", promised))
        return reports


def _report(number: str, event: Element, where: str, promised: str | None) -> EventReport:
    service = xmldoc.child(event, "ServiceEvent")
    code = xmldoc.child_text(service, "EventCode") if service is not None else None
    description = xmldoc.child_text(service, "Description") if service is not None else None
    milestone, reason = BY_EVENT_CODE.lookup(code)
    area = xmldoc.child(event, "ServiceArea")
    location = _location(xmldoc.child_text(area, "Description") if area is not None else None)
    day, time = xmldoc.child_text(event, "Date"), xmldoc.child_text(event, "Time") or "00:00:00"
    local = wall_clock(day, time, f"{where}.Date")
    occurred_at, assumed = settle(local, location)
    data = {
        "service_area": xmldoc.child_text(area, "ServiceAreaCode") if area is not None else None,
        "signatory": xmldoc.child_text(event, "Signatory"),
        "time_zone_assumed": assumed,
        "estimated_delivery": promised,
    }
    return carrier_report(
        SOURCE,
        number,
        occurred_at,
        (milestone, reason, code),
        key=event_key("dhl", number, f"{day}T{time}", code, description),
        location=location,
        description=description,
        data=data,
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


ADAPTER = DhlExpressAdapter()
