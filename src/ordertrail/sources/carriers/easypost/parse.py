"""EasyPost trackers: `tracking_details[]` of a Tracker, bare or inside a webhook Event.

EasyPost relays the underlying carrier (`carrier`, kept in `data`); the events' source is
`carrier:easypost` because EasyPost is who told us. Its `datetime`s are UTC (`Z`).
"""

from __future__ import annotations

import re
from typing import Any

from ordertrail.app.intake.commands import EventReport
from ordertrail.domain.milestones import TROUBLE, Milestone, Reason
from ordertrail.domain.model import Source
from ordertrail.sources.carriers.base import (
    CarrierParseError,
    carrier_report,
    dig,
    event_key,
    iso_date,
    items,
    load_json,
    moment,
    place_of,
    text,
)
from ordertrail.sources.carriers.easypost.codes import (
    BY_STATUS,
    BY_STATUS_DETAIL,
    SHARPER_BY_MESSAGE,
    SILENT_DETAILS,
)

SOURCE = Source.parse("carrier:easypost")


class EasypostAdapter:
    name = "easypost"

    def parse(self, payload: bytes) -> list[EventReport]:
        body = load_json(payload)
        where = ""
        if isinstance(body, dict) and body.get("object") == "Event":
            body, where = dig(body, "", "result"), "result"
        if not isinstance(body, dict) or body.get("object") != "Tracker":
            raise CarrierParseError(where or "(payload)", "is not an EasyPost Tracker")
        tracking = text(dig(body, where, "tracking_code"), f"{where}.tracking_code")
        if tracking is None:
            raise CarrierParseError(f"{where}.tracking_code", "is empty")
        carrier = text(body.get("carrier"), f"{where}.carrier")
        promised = iso_date(body.get("est_delivery_date"))
        details = items(body.get("tracking_details"), f"{where}.tracking_details")
        return [
            _report(tracking, detail, f"{where}.tracking_details[{d}]", carrier, promised)
            for d, detail in enumerate(details)
        ]


def _report(
    tracking: str, detail: Any, where: str, carrier: str | None, promised: str | None
) -> EventReport:
    status = text(dig(detail, where, "status"), f"{where}.status")
    status_detail = text(detail.get("status_detail"), f"{where}.status_detail")
    message = text(detail.get("message"), f"{where}.message")
    milestone, reason, raw_code = _meaning(status, status_detail, message)
    location = place_of(
        detail.get("tracking_location"),
        f"{where}.tracking_location",
        city="city",
        region="state",
        country="country",
        postal_code="zip",
    )
    occurred_at, assumed = moment(dig(detail, where, "datetime"), f"{where}.datetime", location)
    data = {
        "carrier": carrier,
        "easypost_status_detail": status_detail,
        "time_zone_assumed": assumed,
        "estimated_delivery": promised,
    }
    return carrier_report(
        SOURCE,
        tracking,
        occurred_at,
        (milestone, reason, raw_code),
        key=event_key(
            "easypost", tracking, str(detail.get("datetime")), status, status_detail, message
        ),
        location=location,
        description=message,
        data=data,
    )


def _meaning(
    status: str | None, detail: str | None, message: str | None
) -> tuple[Milestone | None, Reason | None, str | None]:
    """A detail with a meaning of its own (sharpened by the message where the detail is
    ambiguous), else EasyPost's status: its own normalized summary, which an unfamiliar
    detail does not make less true — nor does a progress detail behind an ended journey
    (`delivered` with `arrived_at_destination` is delivered)."""
    summary = BY_STATUS.lookup(status)
    if detail and detail.lower() not in SILENT_DETAILS:
        for pattern, sharper in SHARPER_BY_MESSAGE.get(detail.lower(), ()):
            if message and re.search(pattern, message, re.IGNORECASE):
                return (*sharper, detail)
        meant = BY_STATUS_DETAIL.lookup(detail)
        if meant[0] is not None and not _lags(meant[0], summary[0]):
            return (*meant, detail)
    return (*summary, status)


def _lags(detail: Milestone, summary: Milestone | None) -> bool:
    """Progress a journey's end is already past. EasyPost's `in_transit` spans acceptance to
    arrival, so only an ended journey (delivered, returned) outranks a detail; trouble in a
    detail always counts."""
    if summary is None or detail in TROUBLE or not summary.spec.terminal:
        return False
    return detail.spec.phase is summary.spec.phase and detail.spec.rank < summary.spec.rank


ADAPTER = EasypostAdapter()
