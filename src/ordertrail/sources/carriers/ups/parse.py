"""UPS Track API v1 responses: trackResponse.shipment[].package[].activity[].

UPS reports each scan's wall-clock time at the facility (`date` YYYYMMDD, `time` HHMMSS)
without an offset, unless the newer `gmtDate`/`gmtTime`/`gmtOffset` fields are present; the
local time is then placed in the facility's zone and the event says which zone was assumed.
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
    get,
    items,
    load_json,
    text,
)
from ordertrail.sources.carriers.local_time import place, zone_of
from ordertrail.sources.carriers.ups.codes import BY_ACTIVITY_CODE, BY_STATUS_CODE, BY_TYPE

SOURCE = Source.parse("carrier:ups")


class UpsAdapter:
    name = "ups"

    def parse(self, payload: bytes) -> list[EventReport]:
        body = load_json(payload)
        reports = []
        shipments = items(dig(body, "", "trackResponse", "shipment"), "trackResponse.shipment")
        for s, shipment in enumerate(shipments):
            where = f"trackResponse.shipment[{s}]"
            for p, package in enumerate(items(get(shipment, "package"), f"{where}.package")):
                reports.extend(self._package(package, f"{where}.package[{p}]"))
        return reports

    def _package(self, package: Any, where: str) -> list[EventReport]:
        tracking = text(dig(package, where, "trackingNumber"), f"{where}.trackingNumber")
        if tracking is None:
            raise CarrierParseError(f"{where}.trackingNumber", "is empty")
        promised = _promised(package, where)
        activities = items(get(package, "activity"), f"{where}.activity")
        # any wall-clock moment will do to tell a place's zone; offsets are settled later
        probe = datetime(2000, 1, 1)  # noqa: DTZ001
        zones = (zone_of(_location(_address(a)), probe) for a in activities)
        usual_zone = next((zone for zone in zones if zone), None)
        return [
            _report(tracking, activity, f"{where}.activity[{a}]", promised, usual_zone)
            for a, activity in enumerate(activities)
        ]


def _report(
    tracking: str, activity: Any, where: str, promised: str | None, usual_zone: str | None
) -> EventReport:
    status = dig(activity, where, "status")
    status_code = text(get(status, "statusCode"), f"{where}.status.statusCode")
    kind = text(get(status, "type"), f"{where}.status.type")
    activity_code = text(get(status, "code"), f"{where}.status.code")
    description = text(get(status, "description"), f"{where}.status.description")
    milestone, reason, raw_code = _meaning(activity_code, status_code, kind)
    location = _location(_address(activity))
    occurred_at, assumed = _when(activity, where, location, usual_zone)
    data: dict[str, Any] = {"ups_type": kind, "ups_activity_code": activity_code}
    if assumed:  # UPS gave wall-clock time only: say which zone it was read in
        data["time_zone_assumed"] = assumed
    if promised:
        data["estimated_delivery"] = promised
    return carrier_report(
        SOURCE,
        tracking,
        occurred_at,
        (milestone, reason, raw_code),
        key=event_key(
            "ups", tracking, _said_at(activity), status_code or kind, activity_code, description
        ),
        location=location,
        description=description,
        data=data,
    )


def _said_at(activity: Any) -> str:
    """The scan's time exactly as UPS wrote it (date, time, offset when given)."""
    return "|".join(str(get(activity, name) or "") for name in ("date", "time", "gmtOffset"))


def _meaning(
    activity_code: str | None, status_code: str | None, kind: str | None
) -> tuple[Milestone | None, Reason | None, str | None]:
    """The canonical meaning and the code it was read from: a sharp activity code first, then
    UPS's summary statusCode. The coarse type speaks only when UPS sent no statusCode: a
    statusCode no table knows stays unmapped rather than be guessed from its type."""
    milestone, reason = BY_ACTIVITY_CODE.lookup(activity_code)
    if milestone is not None:
        return milestone, reason, activity_code
    if status_code:
        return (*BY_STATUS_CODE.lookup(status_code), status_code)
    return (*BY_TYPE.lookup(kind), kind or activity_code)


def _when(
    activity: Any, where: str, location: Location | None, usual_zone: str | None
) -> tuple[datetime, str | None]:
    """The scan's instant, and the zone assumed for it (None when UPS gave the offset)."""
    date = text(dig(activity, where, "date"), f"{where}.date")
    time = text(get(activity, "time"), f"{where}.time") or "000000"
    local = _parse(f"{date}T{time}", "%Y%m%dT%H%M%S", f"{where}.date")
    offset = text(get(activity, "gmtOffset"), f"{where}.gmtOffset")
    if offset:
        return local.replace(tzinfo=_parse(offset, "%z", f"{where}.gmtOffset").tzinfo), None
    return place(local, location, usual_zone)


def _parse(value: str, pattern: str, where: str) -> datetime:
    try:
        return datetime.strptime(value, pattern)  # noqa: DTZ007 - wall-clock time, placed later
    except ValueError:
        raise CarrierParseError(where, f"'{value}' is not a UPS date and time") from None


def _promised(package: Any, where: str) -> str | None:
    """The scheduled (or rescheduled) delivery date UPS gives, as an ISO date."""
    for entry in items(get(package, "deliveryDate"), f"{where}.deliveryDate"):
        if get(entry, "type") in ("SDD", "RDD") and get(entry, "date"):
            value = text(entry["date"], f"{where}.deliveryDate")
            return _parse(value or "", "%Y%m%d", f"{where}.deliveryDate").date().isoformat()
    return None


def _location(address: Any) -> Location | None:
    if not isinstance(address, dict):
        return None
    parts = {
        "city": text(address.get("city"), "address.city"),
        "region": text(address.get("stateProvince"), "address.stateProvince"),
        "country": text(address.get("countryCode") or address.get("country"), "address.country"),
        "postal_code": text(address.get("postalCode"), "address.postalCode"),
    }
    return Location(**parts) if any(parts.values()) else None


def _address(activity: Any) -> Any:
    return get(get(activity, "location"), "address")


ADAPTER = UpsAdapter()
