"""What the read side shows of a parcel's delivery estimate: the window its customer sees
(`eta` in `order show` / `shipment show` JSON and the API), every change of it with its cause,
and, for staff, our latest raw estimate beside the carrier's own date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ordertrail.domain.promise.eta import Basis, Estimate, carrier_date
from ordertrail.domain.promise.eta_window import Shown, WindowChange


@dataclass(frozen=True, slots=True)
class RawEstimate:
    """Our latest estimate, whether or not it moved the customer's window."""

    earliest: date | None
    latest: date | None
    confidence: float | None
    basis: str
    paused: str | None


@dataclass(frozen=True, slots=True)
class EtaView:
    earliest: date | None
    latest: date | None
    confidence: float | None
    basis: str
    #: how many times the window customers see has changed
    changed: int
    #: why there is no fresh estimate until the parcel moves again (failed_attempt,
    #: exception, at_pickup_point, returning, late), with the carrier's reason
    paused: str | None = None
    reason: str | None = None
    #: what the latest change was blamed on
    cause: str | None = None
    model: RawEstimate | None = None
    carrier: date | None = None  # the carrier's own date
    estimated_at: datetime | None = None


def eta_view(shown: Shown | None, changes: list[WindowChange], carrier_eta: str | None) -> EtaView:
    carrier = carrier_date(carrier_eta)
    if shown is None:  # never estimated (registered without news): the carrier's date, if any
        basis = Basis.CARRIER_ESTIMATE if carrier else Basis.NONE
        return EtaView(carrier, carrier, None, basis.value, 0, carrier=carrier)
    return EtaView(
        earliest=shown.earliest,
        latest=shown.latest,
        confidence=shown.confidence,
        basis=shown.basis.value,
        changed=shown.changed,
        paused=shown.paused.value if shown.paused else None,
        reason=shown.reason.value if shown.reason else None,
        cause=changes[-1].cause.value if changes else None,
        model=_raw(shown.model) if shown.model else None,
        carrier=carrier,
        estimated_at=shown.estimated_at,
    )


def _raw(estimate: Estimate) -> RawEstimate:
    return RawEstimate(
        estimate.earliest,
        estimate.latest,
        estimate.confidence,
        estimate.basis.value,
        estimate.paused.value if estimate.paused else None,
    )
