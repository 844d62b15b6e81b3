"""FedEx codes → canonical milestones. Data only; docs/carrier-codes.md cites each meaning.

Read from each scan's `eventType`. FedEx's `derivedStatusCode` is only a fallback: in real
responses it says IT for out-for-delivery and pickup-ready scans and DL for a parcel going
back to the shipper, so preferring it would lose exactly the news that matters.
"""

from __future__ import annotations

from ordertrail.domain.milestones import Milestone as M
from ordertrail.domain.milestones import Reason as R
from ordertrail.sources.carriers.base import CodeTable

_MOVING = (M.IN_TRANSIT, None)

BY_EVENT_TYPE = CodeTable.of(
    "fedex",
    {
        "OC": (M.LABEL_CREATED, None),  # shipment information sent to FedEx
        "PU": (M.CARRIER_ACCEPTED, None),
        "PX": (M.CARRIER_ACCEPTED, None),
        **dict.fromkeys(
            [
                "AR",
                "AF",
                "DP",
                "IT",
                "IX",
                "AA",
                "AC",
                "AX",
                "EA",
                "EO",
                "FD",
                "SF",
                "LO",
                "TR",
                "PF",
                "PL",
                "CC",
                "CP",
                "AE",
                "AO",
                "CH",
                "BR",
                "CU",
            ],
            _MOVING,
        ),
        "CD": (M.EXCEPTION, R.CUSTOMS_HOLD),  # clearance delay
        "DY": (M.DELAYED, R.OTHER),
        "DD": (M.DELAYED, R.CARRIER_DELAY),  # delivery delay
        "OD": (M.OUT_FOR_DELIVERY, None),
        "ED": (M.OUT_FOR_DELIVERY, None),  # enroute to delivery
        "HP": (M.AVAILABLE_FOR_PICKUP, None),  # ready for recipient pickup
        "HL": (M.AVAILABLE_FOR_PICKUP, None),  # hold at location
        "DL": (M.DELIVERED, None),
        "DE": (M.EXCEPTION, R.OTHER),  # delivery exception, sharpened by its exceptionCode
        "SE": (M.EXCEPTION, R.OTHER),  # shipment exception
        "RS": (M.RETURNED_TO_SENDER, None),
    },
)

# A DE (delivery exception) scan says more through its exceptionCode.
DELIVERY_EXCEPTIONS = CodeTable.of(
    "fedex",
    {
        "007": (M.DELIVERY_ATTEMPTED, R.OTHER),  # customer not available or business closed
        "08": (M.DELIVERY_ATTEMPTED, R.OTHER),
        "A13": _MOVING,  # redirected to FedEx Office as requested: not a failure
    },
)

BY_DERIVED_STATUS = CodeTable.of(
    "fedex",
    {
        "IN": (M.LABEL_CREATED, None),
        "PU": (M.CARRIER_ACCEPTED, None),
        "IT": _MOVING,
        "DE": (M.EXCEPTION, R.OTHER),
    },
)
