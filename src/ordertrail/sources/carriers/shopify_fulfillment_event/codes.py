"""Shopify fulfillment event statuses → canonical milestones. Data only (Shopify's documented
FulfillmentEvent statuses)."""

from __future__ import annotations

from ordertrail.domain.milestones import Milestone as M
from ordertrail.domain.milestones import Reason as R
from ordertrail.sources.carriers.base import CodeTable

BY_STATUS = CodeTable.of(
    "shopify",
    {
        "label_printed": (M.LABEL_CREATED, None),
        "label_purchased": (M.LABEL_CREATED, None),
        "confirmed": (M.LABEL_CREATED, None),  # the carrier knows of it, has not received it
        "carrier_picked_up": (M.CARRIER_ACCEPTED, None),
        "in_transit": (M.IN_TRANSIT, None),
        "delayed": (M.DELAYED, R.OTHER),
        "out_for_delivery": (M.OUT_FOR_DELIVERY, None),
        "attempted_delivery": (M.DELIVERY_ATTEMPTED, R.OTHER),
        "ready_for_pickup": (M.AVAILABLE_FOR_PICKUP, None),
        "picked_up": (M.DELIVERED, None),  # collected by the customer
        "delivered": (M.DELIVERED, None),
        "failure": (M.EXCEPTION, R.OTHER),
    },
)
