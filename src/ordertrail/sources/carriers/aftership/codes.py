"""AfterShip tags and subtags → canonical milestones. Data only; docs/carrier-codes.md cites
each meaning. A checkpoint's subtag is read first; its tag when the subtag is unknown."""

from __future__ import annotations

from ordertrail.domain.milestones import Milestone as M
from ordertrail.domain.milestones import Reason as R
from ordertrail.sources.carriers.base import CodeTable

BY_TAG = CodeTable.of(
    "aftership",
    {
        "InfoReceived": (M.LABEL_CREATED, None),
        "InTransit": (M.IN_TRANSIT, None),
        "OutForDelivery": (M.OUT_FOR_DELIVERY, None),
        "AttemptFail": (M.DELIVERY_ATTEMPTED, R.OTHER),
        "Delivered": (M.DELIVERED, None),
        "AvailableForPickup": (M.AVAILABLE_FOR_PICKUP, None),
        "Exception": (M.EXCEPTION, R.OTHER),
    },
)

BY_SUBTAG = CodeTable.of(
    "aftership",
    {
        **dict.fromkeys(
            ["Delivered_001", "Delivered_002", "Delivered_003", "Delivered_004", "Delivered_005"],
            (M.DELIVERED, None),
        ),
        "AvailableForPickup_001": (M.AVAILABLE_FOR_PICKUP, None),
        "Exception_001": (M.EXCEPTION, R.OTHER),
        "Exception_002": (M.EXCEPTION, R.ADDRESS_ISSUE),  # customer moved
        "Exception_003": (M.EXCEPTION, R.REFUSED),
        "Exception_004": (M.EXCEPTION, R.CUSTOMS_HOLD),  # held in customs clearance
        "Exception_005": (M.DELAYED, R.OTHER),  # delayed: external factors
        "Exception_006": (M.EXCEPTION, R.PAYMENT_REQUIRED),
        "Exception_007": (M.EXCEPTION, R.ADDRESS_ISSUE),
        "Exception_008": (M.EXCEPTION, R.OTHER),  # pickup missed
        "Exception_009": (M.EXCEPTION, R.OTHER),  # rejected by carrier
        "Exception_010": (M.RETURNED_TO_SENDER, None),  # returning to sender
        "Exception_011": (M.RETURNED_TO_SENDER, None),
        "Exception_012": (M.EXCEPTION, R.DAMAGED),
        "Exception_013": (M.EXCEPTION, R.LOST),
        "Exception_016": (M.DELAYED, R.CARRIER_DELAY),  # processing issue, missort, misroute
        "Exception_017": (M.DELAYED, R.WEATHER),
        "Exception_018": (M.EXCEPTION, R.CUSTOMS_HOLD),  # documents missing for customs
        "Exception_019": (M.DELAYED, R.CARRIER_DELAY),  # late flight
        "Exception_021": (M.EXCEPTION, R.OTHER),  # disposed of
        "AttemptFail_001": (M.DELIVERY_ATTEMPTED, R.OTHER),
        "AttemptFail_002": (M.DELIVERY_ATTEMPTED, R.RECIPIENT_UNAVAILABLE),
        "AttemptFail_003": (M.DELIVERY_ATTEMPTED, R.BUSINESS_CLOSED),
        "InTransit_002": (M.CARRIER_ACCEPTED, None),  # acceptance scan
        **dict.fromkeys(
            [
                "InTransit_001",
                "InTransit_003",
                "InTransit_004",
                "InTransit_005",
                "InTransit_006",
                "InTransit_007",
                "InTransit_008",
                "InTransit_009",
            ],
            (M.IN_TRANSIT, None),
        ),
        "InfoReceived_001": (M.LABEL_CREATED, None),
        "OutForDelivery_001": (M.OUT_FOR_DELIVERY, None),
        "OutForDelivery_003": (M.OUT_FOR_DELIVERY, None),
    },
)

#: subtags that are known and deliberately left unmapped (cancelled, appointment scheduled,
#: no information yet); their tag must not be used instead either
SILENT_SUBTAGS = frozenset(
    {"Exception_020", "OutForDelivery_004", "Expired_001"} | {f"Pending_00{n}" for n in range(1, 7)}
)
