"""EasyPost statuses → canonical milestones. Data only; docs/carrier-codes.md cites them.

A tracking detail's `status_detail` is read first when it says something of its own; its
`status` otherwise. `status_update` and `unknown` say nothing and fall through.
"""

from __future__ import annotations

from ordertrail.domain.milestones import Milestone as M
from ordertrail.domain.milestones import Reason as R
from ordertrail.sources.carriers.base import CodeTable

BY_STATUS = CodeTable.of(
    "easypost",
    {
        "pre_transit": (M.LABEL_CREATED, None),
        "in_transit": (M.IN_TRANSIT, None),
        "out_for_delivery": (M.OUT_FOR_DELIVERY, None),
        "delivered": (M.DELIVERED, None),
        "available_for_pickup": (M.AVAILABLE_FOR_PICKUP, None),
        "return_to_sender": (M.RETURNED_TO_SENDER, None),
        "failure": (M.EXCEPTION, R.OTHER),
    },
)

#: details that add nothing to their status
SILENT_DETAILS = frozenset({"status_update", "unknown"})

BY_STATUS_DETAIL = CodeTable.of(
    "easypost",
    {
        "label_created": (M.LABEL_CREATED, None),
        "received_at_origin_facility": (M.CARRIER_ACCEPTED, None),
        "arrived_at_pickup_location": (M.AVAILABLE_FOR_PICKUP, None),
        **dict.fromkeys(
            [
                "in_transit",
                "arrived_at_facility",
                "departed_facility",
                "departed_origin_facility",
                "arrived_at_destination",
                "received_at_destination_facility",
                "transferred_to_destination_carrier",
            ],
            (M.IN_TRANSIT, None),
        ),
        "out_for_delivery": (M.OUT_FOR_DELIVERY, None),
        "weather_delay": (M.DELAYED, R.WEATHER),
        "delayed": (M.DELAYED, R.OTHER),
        "missorted": (M.DELAYED, R.CARRIER_DELAY),
        "address_correction": (M.DELAYED, R.ADDRESS_ISSUE),
        "delivery_exception": (M.EXCEPTION, R.OTHER),
        "damaged": (M.EXCEPTION, R.DAMAGED),
        "lost": (M.EXCEPTION, R.LOST),
        "refused": (M.EXCEPTION, R.REFUSED),
        "return": (M.RETURNED_TO_SENDER, None),
    },
)

# `delivery_exception` covers failed attempts and other trouble alike; only the carrier's
# message tells them apart. First matching pattern wins; no match keeps the table's meaning.
SHARPER_BY_MESSAGE = {
    "delivery_exception": (
        (
            r"no authori[sz]ed recipient|recipient not available|no one available",
            (M.DELIVERY_ATTEMPTED, R.RECIPIENT_UNAVAILABLE),
        ),
        (r"business closed", (M.DELIVERY_ATTEMPTED, R.BUSINESS_CLOSED)),
        (r"notice left|delivery attempted|attempted delivery", (M.DELIVERY_ATTEMPTED, R.OTHER)),
    ),
}
