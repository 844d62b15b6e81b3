"""DHL Unified tracking responses: shipments[].events[].

Event timestamps come with or without an offset; without one they are placed in the event's
country and flagged. `addressLocality` sometimes carries a street ("Oderweg 2, AMSTERDAM");
only its last part, the town, is kept, so no street address is ever stored.
"""

from __future__ import annotations

from typing import Any

from ordertrail.app.intake.commands import EventReport
from ordertrail.domain.model import Location, Source
from ordertrail.sources.carriers.base import (
    CarrierParseError,
    carrier_report,
    dig,
    event_key,
    get,
    iso_date,
    items,
    load_json,
    moment,
    text,
)
from ordertrail.sources.carriers.countries import alpha2
from ordertrail.sources.carriers.dhl_unified.codes import BY_STATUS_CODE

SOURCE = Source.parse("carrier:dhl")


class DhlUnifiedAdapter:
    name = "dhl-unified"

    def parse(self, payload: bytes) -> list[EventReport]:
        body = load_json(payload)
        reports: list[EventReport] = []
        for s, shipment in enumerate(items(dig(body, "", "shipments"), "shipments")):
            where = f"shipments[{s}]"
            tracking = text(dig(shipment, where, "id"), f"{where}.id")
            if tracking is None:
                raise CarrierParseError(f"{where}.id", "is empty")
            promised = iso_date(shipment.get("estimatedTimeOfDelivery"))
            events = items(shipment.get("events"), f"{where}.events")
            reports.extend(
                _report(tracking, event, f"{where}.events[{e}]", promised)
                for e, event in enumerate(events)
            )
        return reports


def _report(tracking: str, event: Any, where: str, promised: str | None) -> EventReport:
    if not isinstance(event, dict):
        raise CarrierParseError(where, "should be an object")
    code = text(event.get("statusCode"), f"{where}.statusCode")
    milestone, reason = BY_STATUS_CODE.lookup(code)
    words = [text(event.get(k), f"{where}.{k}") for k in ("status", "description", "remark")]
    description = " - ".join(w for w in words if w) or None
    location = _location(get(get(event, "location"), "address"), where)
    occurred_at, assumed = moment(dig(event, where, "timestamp"), f"{where}.timestamp", location)
    data = {
        "time_zone_assumed": assumed,
        "estimated_delivery": promised,
        "next_steps": text(event.get("nextSteps"), f"{where}.nextSteps"),
    }
    return carrier_report(
        SOURCE,
        tracking,
        occurred_at,
        (milestone, reason, code),
        key=event_key("dhl", tracking, str(event.get("timestamp")), code, description),
        location=location,
        description=description,
        data=data,
    )


def _location(address: Any, where: str) -> Location | None:
    if not isinstance(address, dict):
        return None
    locality = text(address.get("addressLocality"), f"{where}.addressLocality")
    parts = {
        "city": locality.split(",")[-1].strip() or None if locality else None,
        "country": alpha2(text(address.get("countryCode"), f"{where}.countryCode")),
        "postal_code": text(address.get("postalCode"), f"{where}.postalCode"),
    }
    return Location(**parts) if any(parts.values()) else None


ADAPTER = DhlUnifiedAdapter()
