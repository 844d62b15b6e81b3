"""Canada Post `tracking-detail` responses: significant-events/occurrence[].

Read with defusedxml. Each occurrence gives `event-date`, `event-time` and a time zone
*abbreviation* (`EDT`), which is turned into its offset; an abbreviation nobody knows falls
back to the province's zone and is flagged.
"""

from __future__ import annotations

from datetime import timedelta, timezone
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
from ordertrail.sources.carriers.canadapost.codes import BY_EVENT
from ordertrail.sources.carriers.local_time import settle

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
        root = xmldoc.read(payload, "tracking-detail", "a Canada Post tracking-detail")
        pin = xmldoc.child_text(root, "pin")
        if not pin:
            raise CarrierParseError("pin", "is missing")
        promised = xmldoc.child_text(root, "changed-expected-date") or xmldoc.child_text(
            root, "expected-delivery-date"
        )
        events = xmldoc.child(root, "significant-events")
        occurrences = xmldoc.children(events, "occurrence") if events is not None else []
        return [
            _report(pin, occurrence, f"occurrence[{n}]", promised)
            for n, occurrence in enumerate(occurrences)
        ]


def _report(pin: str, occurrence: Element, where: str, promised: str | None) -> EventReport:
    code = xmldoc.child_text(occurrence, "event-identifier")
    description = xmldoc.child_text(occurrence, "event-description")
    milestone, reason = BY_EVENT.lookup(code)
    location = Location(
        city=xmldoc.child_text(occurrence, "event-site"),
        region=xmldoc.child_text(occurrence, "event-province"),
        country="CA",
    )
    day, time = (
        xmldoc.child_text(occurrence, "event-date"),
        xmldoc.child_text(occurrence, "event-time") or "00:00:00",
    )
    local = wall_clock(day, time, f"{where}.event-date")
    abbreviation = (xmldoc.child_text(occurrence, "event-time-zone") or "").upper()
    if abbreviation in _ZONES:
        local = local.replace(tzinfo=timezone(timedelta(hours=_ZONES[abbreviation])))
    occurred_at, assumed = settle(local, location)
    data = {
        "signatory": xmldoc.child_text(occurrence, "signatory-name"),
        "time_zone_assumed": assumed,
        "estimated_delivery": promised if promised and len(promised) == 10 else None,
    }
    return carrier_report(
        SOURCE,
        pin,
        occurred_at,
        (milestone, reason, code),
        key=event_key("canadapost", pin, f"{day}T{time}{abbreviation}", code, description),
        location=location if location.city or location.region else None,
        description=description,
        data=data,
    )


ADAPTER = CanadaPostAdapter()
