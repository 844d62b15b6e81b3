"""What the delivery-change use case needs from outside: the carrier's own way to redirect,
hold or reschedule a parcel (sources/carriers/karrio_delivery_change.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ordertrail.domain.customer.delivery_change import DeliveryChange


@dataclass(frozen=True, slots=True)
class CarrierAnswer:
    """Whether the carrier took the change: `reference` is its confirmation; `why` says why
    not (staff read it on the case)."""

    taken: bool
    reference: str | None = None
    why: str = ""


class CarrierDeliveryChanges(Protocol):
    def ask(self, carrier: str, tracking_number: str, change: DeliveryChange) -> CarrierAnswer:
        """Ask the carrier to make the change. Declines (never raises) when the carrier has no
        such call or cannot be reached: the change then goes to staff."""
        ...


class DecliningCarriers:
    """No carrier takes changes: every choice goes to staff (tests, installs without karrio)."""

    def ask(self, carrier: str, tracking_number: str, change: DeliveryChange) -> CarrierAnswer:
        return CarrierAnswer(False, why=f"no delivery-change service is set up for {carrier}")
