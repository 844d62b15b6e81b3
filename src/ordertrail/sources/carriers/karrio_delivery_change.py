"""Delivery changes (redirect to a pickup point, hold, another day) through karrio.

karrio's connectors track, rate, ship and book pickups, but none of them offers a call to
change where or when a parcel in transit is delivered (UPS My Choice and FedEx Delivery
Manager are consumer products without a karrio mapping). So this adapter answers every
question with a decline that says why, and the customer's choice becomes a case for
operations (app/customer/delivery_change.py). When karrio gains such a call, it is made here, in the
one place the use case asks.
"""

from __future__ import annotations

from collections.abc import Collection

from ordertrail.app.customer.delivery_change_ports import CarrierAnswer
from ordertrail.domain.customer.delivery_change import DeliveryChange


class KarrioDeliveryChanges:
    def __init__(self, connected: Collection[str]) -> None:
        self._connected = frozenset(connected)  # carriers set up for karrio (polling)

    def ask(self, carrier: str, tracking_number: str, change: DeliveryChange) -> CarrierAnswer:
        if carrier not in self._connected:
            return CarrierAnswer(False, why=f"{carrier} is not connected through karrio")
        return CarrierAnswer(
            False, why=f"karrio has no delivery-change call for {carrier} ({change.choice})"
        )
