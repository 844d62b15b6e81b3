"""FedEx Track API v1 responses: output.completeTrackResults[].trackResults[].scanEvents[].

Scan times carry the facility's UTC offset, which is kept as FedEx said it. A scan without
one (FedEx sends date-only pickups that way) is placed in the scan location's zone and
flagged. A result without scans (FedEx answers "not found" that way) yields no events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ordertrail.app.intake.commands import EventReport
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Source
from ordertrail.sources.carriers.base import (
    CarrierParseError,
    carrier_report,
    dig,
    event_key,
    get,
    items,
    load_json,
    moment,
    place_of,
    text,
)
from ordertrail.sources.carriers.fedex.codes import (
    BY_DERIVED_STATUS,
    BY_EVENT_TYPE,
    DELIVERY_EXCEPTIONS,
)

SOURCE = Source.parse("carrier:fedex")


class FedexAdapter:
    name = "fedex"

    def parse(self, payload: bytes) -> list[EventReport]:
        body = load_json(payload)
        reports = []
        where = "output.completeTrackResults"
        for c, complete in enumerate(items(dig(body, "", "output", "completeTrackResults"), where)):
            here = f"{where}[{c}]"
            for t, result in enumerate(
                items(get(complete, "trackResults"), f"{here}.trackResults")
            ):
                reports.extend(_result(complete, result, f"{here}.trackResults[{t}]"))
        return reports


def _result(complete: Any, result: Any, where: str) -> list[EventReport]:
    if not isinstance(result, dict):
        raise CarrierParseError(where, "should be an object")
    scans = items(get(result, "scanEvents"), f"{where}.scanEvents")
    if not scans:
        return []  # e.g. an error result: FedEx could not track this number
    number = get(get(result, "trackingNumberInfo"), "trackingNumber")
    tracking = text(number or get(complete, "trackingNumber"), f"{where}.trackingNumber")
    if tracking is None:
        raise CarrierParseError(f"{where}.trackingNumberInfo.trackingNumber", "is missing")
    promised = _promised(result)
    return [
        _report(tracking, scan, f"{where}.scanEvents[{s}]", promised)
        for s, scan in enumerate(scans)
    ]


def _report(tracking: str, scan: Any, where: str, promised: str | None) -> EventReport:
    event_type = text(get(scan, "eventType"), f"{where}.eventType")
    derived = text(get(scan, "derivedStatusCode"), f"{where}.derivedStatusCode")
    exception = text(get(scan, "exceptionCode"), f"{where}.exceptionCode")
    description = text(get(scan, "eventDescription"), f"{where}.eventDescription")
    milestone, reason, raw_code = _meaning(event_type, exception, derived)
    location = place_of(
        get(scan, "scanLocation"),
        f"{where}.scanLocation",
        city="city",
        region="stateOrProvinceCode",
        country="countryCode",
        postal_code="postalCode",
    )
    occurred_at, assumed = moment(dig(scan, where, "date"), f"{where}.date", location)
    exception_text = text(get(scan, "exceptionDescription"), f"{where}.exceptionDescription")
    data = {
        "fedex_derived_status": derived,
        "fedex_exception_code": exception,
        "fedex_exception": exception_text,
        "time_zone_assumed": assumed,
        "estimated_delivery": promised,
    }
    return carrier_report(
        SOURCE,
        tracking,
        occurred_at,
        (milestone, reason, raw_code),
        key=event_key("fedex", tracking, str(scan.get("date")), event_type, exception, description),
        location=location,
        description=description,
        data=data,
    )


def _meaning(
    event_type: str | None, exception: str | None, derived: str | None
) -> tuple[Milestone | None, Reason | None, str | None]:
    """The scan's eventType (sharpened by a delivery exception's code), else the derived
    status; the raw code is what the meaning was read from, or the eventType when unknown."""
    if event_type and event_type.upper() == "DE" and exception:
        milestone, reason = DELIVERY_EXCEPTIONS.lookup(exception)
        if milestone is not None:
            return milestone, reason, f"DE/{exception}"
    milestone, reason = BY_EVENT_TYPE.lookup(event_type)
    if milestone is not None:
        return milestone, reason, event_type
    milestone, reason = BY_DERIVED_STATUS.lookup(derived)
    if milestone is not None and not event_type:
        return milestone, reason, derived
    return None, None, event_type or derived


def _promised(result: dict[str, Any]) -> str | None:
    """FedEx's estimated delivery date, if it gives one that reads as a date."""
    window = get(get(result, "estimatedDeliveryTimeWindow"), "window")
    stamps = [get(window, "ends")]
    for entry in items(result.get("dateAndTimes"), "dateAndTimes"):
        if get(entry, "type") == "ESTIMATED_DELIVERY":
            stamps.append(get(entry, "dateTime"))
    for stamp in stamps:
        if isinstance(stamp, str):
            try:
                return datetime.fromisoformat(stamp).date().isoformat()
            except ValueError:
                continue
    return None


ADAPTER = FedexAdapter()
