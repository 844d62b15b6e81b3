"""USPS Tracking API v3 responses: `trackingEvents[]` of one tracking number.

`eventTimestamp` is local to the facility; `GMTOffset` says its offset and is kept, else the
time is placed by the event's state and flagged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ordertrail.app.intake.commands import EventReport
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Location, Source
from ordertrail.sources.carriers.base import (
    CarrierParseError,
    carrier_report,
    dig,
    event_key,
    iso_date,
    items,
    load_json,
    text,
)
from ordertrail.sources.carriers.local_time import settle
from ordertrail.sources.carriers.usps.codes import BY_EVENT_CODE, BY_EVENT_TYPE

SOURCE = Source.parse("carrier:usps")


class UspsAdapter:
    name = "usps"

    def parse(self, payload: bytes) -> list[EventReport]:
        body = load_json(payload)
        tracking = text(dig(body, "", "trackingNumber"), "trackingNumber")
        if tracking is None:
            raise CarrierParseError("trackingNumber", "is empty")
        promised = iso_date(
            body.get("expectedDeliveryTimeStamp") or body.get("predictedDeliveryDate")
        )
        events = items(body.get("trackingEvents"), "trackingEvents")
        return [
            _report(tracking, event, f"trackingEvents[{n}]", promised)
            for n, event in enumerate(events)
        ]


def _report(tracking: str, event: Any, where: str, promised: str | None) -> EventReport:
    if not isinstance(event, dict):
        raise CarrierParseError(where, "should be an object")
    code = text(event.get("eventCode"), f"{where}.eventCode")
    kind = text(event.get("eventType"), f"{where}.eventType")
    milestone, reason, raw_code = _meaning(code, kind)
    location = Location(
        city=text(event.get("eventCity"), f"{where}.eventCity"),
        region=text(event.get("eventState"), f"{where}.eventState"),
        country=text(event.get("eventCountry"), f"{where}.eventCountry") or "US",
        postal_code=text(event.get("eventZIP") or event.get("eventZIPCode"), f"{where}.eventZIP"),
    )
    stamp = text(dig(event, where, "eventTimestamp"), f"{where}.eventTimestamp") or ""
    offset = text(event.get("GMTOffset"), f"{where}.GMTOffset")
    occurred_at, assumed = _when(stamp, offset, where, location)
    data = {"time_zone_assumed": assumed, "estimated_delivery": promised}
    return carrier_report(
        SOURCE,
        tracking,
        occurred_at,
        (milestone, reason, raw_code),
        key=event_key("usps", tracking, f"{stamp}{offset or ''}", code, kind),
        location=location,
        description=kind,
        data=data,
    )


def _meaning(
    code: str | None, kind: str | None
) -> tuple[Milestone | None, Reason | None, str | None]:
    said = (kind or "").strip().lower()
    for phrase, found, why in BY_EVENT_TYPE:
        if said.startswith(phrase):
            return found, why, code or kind
    milestone, reason = BY_EVENT_CODE.lookup(code)
    return milestone, reason, code or kind


def _when(
    stamp: str, offset: str | None, where: str, location: Location
) -> tuple[datetime, str | None]:
    try:
        said = datetime.fromisoformat(stamp)
        if said.utcoffset() is None and offset:
            said = datetime.fromisoformat(f"{stamp}{offset}")
    except ValueError:
        raise CarrierParseError(
            f"{where}.eventTimestamp", f"'{stamp}' (offset '{offset}') is not an ISO 8601 time"
        ) from None
    return settle(said, location)


ADAPTER = UspsAdapter()
