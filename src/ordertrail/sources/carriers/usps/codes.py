"""USPS event codes and event types → canonical milestones. Data only.

USPS words every event from one fixed set of phrases ("Delivered, In/At Mailbox", "Out for
Delivery", "Notice Left (Business Closed)" ...), sharper than its codes (02 is any notice left),
so a phrase is matched first, from its start. Only three event codes are confirmed from USPS's
own list (docs/carrier-codes.md); they are read when no phrase matches. Anything else stays
unmapped.
"""

from __future__ import annotations

from ordertrail.domain.milestones import Milestone as M
from ordertrail.domain.milestones import Reason as R
from ordertrail.sources.carriers.base import CodeTable

BY_EVENT_CODE = CodeTable.of(
    "usps",
    {
        "01": (M.DELIVERED, None),
        "02": (M.DELIVERY_ATTEMPTED, R.OTHER),  # notice left
        "53": (M.DELIVERY_ATTEMPTED, R.ACCESS_RESTRICTED),  # receptacle blocked
    },
)

#: USPS event-type phrases, most specific first; matched case-insensitively from the start
BY_EVENT_TYPE: tuple[tuple[str, M, R | None], ...] = (
    ("shipping label created", M.LABEL_CREATED, None),
    ("pre-shipment info sent", M.LABEL_CREATED, None),
    ("usps in possession of item", M.CARRIER_ACCEPTED, None),
    ("accepted at usps origin facility", M.CARRIER_ACCEPTED, None),
    ("picked up by shipping partner", M.CARRIER_ACCEPTED, None),
    ("out for delivery", M.OUT_FOR_DELIVERY, None),
    ("delivered to agent for final delivery", M.IN_TRANSIT, None),  # handed to a partner
    ("delivered, to original sender", M.RETURNED_TO_SENDER, None),
    ("delivered", M.DELIVERED, None),
    ("available for pickup", M.AVAILABLE_FOR_PICKUP, None),
    (
        "notice left (no authorized recipient available)",
        M.DELIVERY_ATTEMPTED,
        R.RECIPIENT_UNAVAILABLE,
    ),
    ("notice left (business closed)", M.DELIVERY_ATTEMPTED, R.BUSINESS_CLOSED),
    ("notice left (receptacle blocked)", M.DELIVERY_ATTEMPTED, R.ACCESS_RESTRICTED),
    ("notice left", M.DELIVERY_ATTEMPTED, R.OTHER),
    ("delivery attempted - no access", M.DELIVERY_ATTEMPTED, R.ACCESS_RESTRICTED),
    ("insufficient address", M.EXCEPTION, R.ADDRESS_ISSUE),
    ("addressee unknown", M.EXCEPTION, R.ADDRESS_ISSUE),
    ("refused", M.EXCEPTION, R.REFUSED),
    ("return to sender", M.RETURNED_TO_SENDER, None),
    ("arriving late", M.DELAYED, R.CARRIER_DELAY),
    ("arrived at", M.IN_TRANSIT, None),
    ("departed", M.IN_TRANSIT, None),
    ("in transit to next facility", M.IN_TRANSIT, None),
    ("processed through", M.IN_TRANSIT, None),
)
