"""DHL Express checkpoint codes → canonical milestones. Data only; docs/carrier-codes.md cites
each meaning (DHL's own checkpoint list; karrio's table disagrees with it and is not used)."""

from __future__ import annotations

from ordertrail.domain.milestones import Milestone as M
from ordertrail.domain.milestones import Reason as R
from ordertrail.sources.carriers.base import CodeTable

_MOVING = (M.IN_TRANSIT, None)

BY_EVENT_CODE = CodeTable.of(
    "dhl",
    {
        "DUMMY_PU": (M.LABEL_CREATED, None),  # shipment information received
        "PU": (M.CARRIER_ACCEPTED, None),
        "SA": (M.CARRIER_ACCEPTED, None),  # shipment acceptance
        **dict.fromkeys(
            [
                "PL",
                "AF",
                "DF",
                "CI",
                "RW",
                "UV",
                "HN",
                "TR",
                "FD",
                "TP",
                "CU",
                "AR",
                "IC",
                "CR",
                "BR",
                "ES",
                "BN",
            ],
            _MOVING,
        ),
        "CD": (M.EXCEPTION, R.CUSTOMS_HOLD),  # controllable clearance delay
        "UD": (M.EXCEPTION, R.CUSTOMS_HOLD),  # uncontrollable clearance delay
        "TD": (M.DELAYED, R.CARRIER_DELAY),  # transport delay
        **dict.fromkeys(["MS", "MC", "IR", "MD"], (M.DELAYED, R.CARRIER_DELAY)),  # mis-sorts
        "WC": (M.OUT_FOR_DELIVERY, None),  # with delivering courier
        "NH": (M.DELIVERY_ATTEMPTED, R.RECIPIENT_UNAVAILABLE),  # not home
        "CA": (M.DELIVERY_ATTEMPTED, R.BUSINESS_CLOSED),  # closed on arrival
        "BA": (M.DELIVERY_ATTEMPTED, R.ADDRESS_ISSUE),  # bad address
        "RD": (M.DELIVERY_ATTEMPTED, R.REFUSED),  # refused delivery
        "ND": (M.DELIVERY_ATTEMPTED, R.OTHER),  # not delivered
        "CM": (M.EXCEPTION, R.ADDRESS_ISSUE),  # customer moved
        "CC": (M.AVAILABLE_FOR_PICKUP, None),  # awaiting consignee collection
        "HP": (M.EXCEPTION, R.PAYMENT_REQUIRED),  # held for payment
        "DM": (M.EXCEPTION, R.DAMAGED),
        "OK": (M.DELIVERED, None),
        "PD": (M.DELIVERED, None),  # partial delivery
        "RT": (M.RETURNED_TO_SENDER, None),
    },
)
