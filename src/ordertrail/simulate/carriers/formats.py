"""Carrier news in each carrier's own payload format, shaped as the recorded payloads in
tests/fixtures/carriers are: UPS Track API and FedEx Track API answers (what polling and
`ingest --format` read), EasyPost `tracker.updated` events and AfterShip tracking webhooks
(what `/hooks/easypost` and `/hooks/aftership` receive). Every payload holds the parcel's
whole history as the carrier knows it at that moment, as the real ones do.

A scan is said in carrier-neutral words ("transit", "attempt", "damaged" ...); each carrier's
vocabulary below says which of its codes it uses for them. A carrier without a word for a
fate (UPS has no code for a damaged parcel) is never given that fate.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ordertrail.simulate.carriers.lanes import Place

#: How each carrier's news reaches OrderTrail: its payload format.
FORMAT = {"ups": "ups", "fedex": "fedex", "usps": "easypost", "dhl": "aftership"}


@dataclass(frozen=True, slots=True)
class Scan:
    """One thing a carrier saw happen to a parcel: when, where, in neutral words."""

    at: datetime
    word: str
    place: Place


# UPS: (status.type, status.code, status.statusCode or "", description)
_UPS = {
    "unmapped": ("I", "LM", "044", "Your package is on its way to UPS"),
    "accepted": ("P", "PU", "", "Pickup Scan"),
    "transit": ("I", "AR", "005", "Arrived at Facility"),
    "departed": ("I", "DP", "005", "Departed from Facility"),
    "weather": ("X", "EJ", "032", "A severe weather condition has delayed delivery."),
    "out": ("I", "OT", "005", "Out For Delivery Today"),
    "attempt": (
        "X",
        "3J",
        "022",
        "THE RECEIVER WAS NOT AVAILABLE FOR DELIVERY. WE'LL MAKE A SECOND ATTEMPT THE NEXT "
        "BUSINESS DAY.",
    ),
    "address": ("X", "AD", "029", "The address is incomplete. We're attempting to update it."),
    "delivered": ("D", "KB", "011", "DELIVERED"),
}

# FedEx: (eventType, exceptionCode or "", eventDescription, derivedStatusCode)
_FEDEX = {
    "accepted": ("PU", "", "Picked up", "PU"),
    "transit": ("AR", "", "Arrived at FedEx location", "IT"),
    "departed": ("DP", "", "Departed FedEx location", "IT"),
    "weather": ("DY", "", "Delay - weather", "IT"),
    "out": ("OD", "", "On FedEx vehicle for delivery", "IT"),
    "attempt": ("DE", "007", "Delivery exception", "DE"),
    "delivered": ("DL", "", "Delivered", "DL"),
}

# EasyPost (USPS underneath): (status, status_detail, message)
_EASYPOST = {
    "label": ("pre_transit", "label_created", "Shipping Label Created"),
    "accepted": ("in_transit", "received_at_origin_facility", "USPS in possession of item"),
    "transit": ("in_transit", "arrived_at_facility", "Arrived at USPS Regional Facility"),
    "departed": ("in_transit", "departed_facility", "Departed USPS Regional Facility"),
    "weather": ("in_transit", "weather_delay", "Delayed: weather"),
    "out": ("out_for_delivery", "out_for_delivery", "Out for Delivery"),
    "attempt": (
        "failure",
        "delivery_exception",
        "Notice Left (No Authorized Recipient Available)",
    ),
    "address": ("in_transit", "address_correction", "Addressee Unknown: address correction"),
    "damaged": ("failure", "damaged", "Item damaged in transit"),
    "lost": ("failure", "lost", "Item could not be located"),
    "refused": ("failure", "refused", "Refused by addressee"),
    "returned": ("return_to_sender", "return", "Return to Sender Processed"),
    "delivered": ("delivered", "status_update", "Delivered, In/At Mailbox"),
}

# AfterShip (DHL underneath): (tag, subtag, message, raw_tag)
_AFTERSHIP = {
    "label": ("InfoReceived", "InfoReceived_001", "Shipment information received", ""),
    "accepted": ("InTransit", "InTransit_002", "Shipment picked up", "PU"),
    "transit": ("InTransit", "InTransit_001", "Arrived at DHL Sort Facility", "AF"),
    "departed": ("InTransit", "InTransit_007", "Departed Facility", "PL"),
    "weather": ("Exception", "Exception_017", "Delayed due to weather", "WC"),
    "out": ("OutForDelivery", "OutForDelivery_001", "With delivery courier", "WC"),
    "attempt": ("AttemptFail", "AttemptFail_002", "Recipient not available", "NH"),
    "address": ("Exception", "Exception_007", "Incorrect address", "BA"),
    "damaged": ("Exception", "Exception_012", "Shipment damaged", "DM"),
    "lost": ("Exception", "Exception_013", "Shipment lost", "MS"),
    "refused": ("Exception", "Exception_003", "Delivery refused by recipient", "RD"),
    "returned": ("Exception", "Exception_011", "Returned to shipper", "RT"),
    "delivered": ("Delivered", "Delivered_001", "Delivered", "OK"),
}

VOCABULARY: dict[str, dict[str, Any]] = {
    "ups": _UPS,
    "fedex": _FEDEX,
    "usps": _EASYPOST,
    "dhl": _AFTERSHIP,
}


def says(carrier: str, words: set[str]) -> bool:
    return words <= VOCABULARY[carrier].keys()


def render(carrier: str, tracking: str, scans: Sequence[Scan]) -> bytes:
    """The carrier's payload holding `scans` (its whole history so far)."""
    body = _RENDERERS[FORMAT[carrier]](tracking, sorted(scans, key=lambda s: s.at))
    return json.dumps(body, separators=(",", ":")).encode()


def _local(scan: Scan) -> datetime:
    return scan.at.astimezone(ZoneInfo(scan.place.time_zone))


def _ups(tracking: str, scans: list[Scan]) -> dict[str, Any]:
    activities = []
    for scan in reversed(scans):  # UPS lists the newest first
        kind, code, status_code, description = _UPS[scan.word]
        local = _local(scan)
        status = {"type": kind, "description": description, "code": code}
        if status_code:
            status["statusCode"] = status_code
        offset = local.strftime("%z")
        activities.append(
            {
                "location": {
                    "address": {
                        "city": scan.place.city.upper(),
                        "stateProvince": scan.place.state,
                        "postalCode": scan.place.postal_code,
                        "countryCode": "US",
                        "country": "US",
                    }
                },
                "status": status,
                "date": local.strftime("%Y%m%d"),
                "time": local.strftime("%H%M%S"),
                "gmtDate": scan.at.strftime("%Y%m%d"),
                "gmtTime": scan.at.strftime("%H:%M:%S"),
                "gmtOffset": f"{offset[:3]}:{offset[3:]}",
            }
        )
    package = {"trackingNumber": tracking, "activity": activities}
    return {"trackResponse": {"shipment": [{"inquiryNumber": tracking, "package": [package]}]}}


def _fedex(tracking: str, scans: list[Scan]) -> dict[str, Any]:
    events = []
    for scan in reversed(scans):  # FedEx lists the newest first
        event_type, exception, description, derived = _FEDEX[scan.word]
        event = {
            "date": _local(scan).isoformat(),
            "eventType": event_type,
            "eventDescription": description,
            "scanLocation": {
                "city": scan.place.city.upper(),
                "stateOrProvinceCode": scan.place.state,
                "postalCode": scan.place.postal_code,
                "countryCode": "US",
            },
            "derivedStatusCode": derived,
        }
        if exception:
            event["exceptionCode"] = exception
            event["exceptionDescription"] = "Customer not available or business closed"
        events.append(event)
    result = {
        "trackingNumberInfo": {"trackingNumber": tracking, "carrierCode": "FDXE"},
        "scanEvents": events,
    }
    return {
        "transactionId": f"sim-{tracking}-{len(scans)}",
        "output": {
            "completeTrackResults": [{"trackingNumber": tracking, "trackResults": [result]}]
        },
    }


def _easypost(tracking: str, scans: list[Scan]) -> dict[str, Any]:
    details = []
    for scan in scans:
        status, detail, message = _EASYPOST[scan.word]
        details.append(
            {
                "object": "TrackingDetail",
                "message": message,
                "status": status,
                "status_detail": detail,
                "datetime": _utc(scan.at),
                "source": "USPS",
                "tracking_location": {
                    "object": "TrackingLocation",
                    "city": scan.place.city.upper(),
                    "state": scan.place.state,
                    "country": "US",
                    "zip": scan.place.postal_code,
                },
            }
        )
    last = scans[-1]
    status, detail, _ = _EASYPOST[last.word]
    return {
        "object": "Event",
        "id": f"evt_sim{tracking}{len(scans):03d}",
        "mode": "test",
        "description": "tracker.updated",
        "created_at": _utc(last.at),
        "result": {
            "id": f"trk_sim{tracking}",
            "object": "Tracker",
            "mode": "test",
            "tracking_code": tracking,
            "status": status,
            "status_detail": detail,
            "created_at": _utc(scans[0].at),
            "updated_at": _utc(last.at),
            "carrier": "USPS",
            "tracking_details": details,
        },
    }


def _aftership(tracking: str, scans: list[Scan]) -> dict[str, Any]:
    checkpoints = []
    for scan in scans:
        tag, subtag, message, raw_tag = _AFTERSHIP[scan.word]
        checkpoint = {
            "slug": "dhl",
            "checkpoint_time": _local(scan).isoformat(),
            "message": message,
            "tag": tag,
            "subtag": subtag,
            "country_iso3": "USA",
            "state": scan.place.state,
            "city": scan.place.city.upper(),
            "zip": scan.place.postal_code,
        }
        if raw_tag:
            checkpoint["raw_tag"] = raw_tag
        checkpoints.append(checkpoint)
    last = _AFTERSHIP[scans[-1].word]
    return {
        "event": "tracking_update",
        "event_id": f"sim-{tracking}-{len(scans)}",
        "is_tracking_first_tag": len(scans) == 1,
        "ts": int(scans[-1].at.timestamp()),
        "msg": {
            "id": f"sim{tracking}",
            "tracking_number": tracking,
            "slug": "dhl",
            "tag": last[0],
            "subtag": last[1],
            "checkpoints": checkpoints,
        },
    }


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_RENDERERS = {"ups": _ups, "fedex": _fedex, "easypost": _easypost, "aftership": _aftership}
