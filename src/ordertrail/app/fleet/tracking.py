"""What a customer sees of a local delivery on the tracking page: the promised hours in their
own zone, how many stops the van has before theirs, and the proof (the photo and signature
through signed, short-lived links, only on the order's own page); and what staff see of a
disputed delivery: where the phone was, and how sure it was, beside the address's region."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from ordertrail.app.fleet.proof_links import REFERENCE, proof_link
from ordertrail.app.fleet.views import stops_away
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.queries import ShipmentDetail, TimelineRow
from ordertrail.domain.fleet import GpsFix, Window, gps_of, window_of
from ordertrail.domain.fold import Effect
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import Customer
from ordertrail.languages import dates
from ordertrail.languages.speech import _, ngettext


@dataclass(frozen=True, slots=True)
class LocalDelivery:
    window: str | None  # "between 14:00 and 16:00 on Wed 25 Nov"
    near: str | None  # "2 stops away"
    photo: str | None  # a signed link
    signature: str | None


def local_deliveries(
    uows: UnitOfWorkFactory,
    details: Mapping[str, ShipmentDetail],
    zone: tzinfo,
    now: datetime,
    *,
    with_proof: bool,
) -> dict[str, LocalDelivery]:
    """By tracking number, for the parcels (their details, as the page read them) that have
    something of a local delivery to show; the photo and signature only `with_proof` (the
    order was matched, not just a number)."""
    found: dict[str, LocalDelivery] = {}
    for number, detail in details.items():
        shown = _shown(uows, detail, zone, now, with_proof)
        if shown is not None:
            found[number] = shown
    return found


def _shown(
    uows: UnitOfWorkFactory, detail: ShipmentDetail, zone: tzinfo, now: datetime, with_proof: bool
) -> LocalDelivery | None:
    delivered = detail.status == Milestone.DELIVERED.value
    window = None if delivered else _latest_window(detail.timeline)
    near = None if delivered else _near_words(stops_away(uows, detail.id))
    photo = signature = None
    proof = _delivery_data(detail.timeline) if delivered and with_proof else None
    if proof is not None:
        given = proof.get("proof")
        files = given if isinstance(given, Mapping) else {}
        photo, signature = (_link(uows, files.get(name), now) for name in ("photo", "signature"))
    if window is None and near is None and photo is None and signature is None:
        return None
    return LocalDelivery(_window_words(window, zone) if window else None, near, photo, signature)


def _latest_window(rows: list[TimelineRow]) -> Window | None:
    for row in reversed(rows):
        if row.milestone == Milestone.OUT_FOR_DELIVERY.value and row.effect in _STANDS:
            window = window_of(row.data)
            if window is not None:
                return window
    return None


_STANDS = (Effect.APPLIED, Effect.CORRECTION, Effect.SUPERSEDED)


def _delivery_data(rows: list[TimelineRow]) -> Mapping[str, Any] | None:
    """The data of the delivery that stands (the last one a source with the right to say so
    reported)."""
    for row in reversed(rows):
        if row.milestone == Milestone.DELIVERED.value and row.effect is not Effect.CONFLICT:
            return row.data
    return None


def _window_words(window: Window, zone: tzinfo) -> str:
    start, end = window.start.astimezone(zone), window.end.astimezone(zone)
    return _("between %(start)s and %(end)s on %(day)s") % {
        "start": dates.clock(start),
        "end": dates.clock(end),
        "day": dates.short_day(start),
    }


def _near_words(ahead: int | None) -> str | None:
    if ahead is None:
        return None
    if ahead == 0:
        return _("The driver comes to you next")
    return ngettext("%(count)s stop away", "%(count)s stops away", ahead) % {"count": ahead}


def _link(uows: UnitOfWorkFactory, reference: Any, now: datetime) -> str | None:
    if not isinstance(reference, str) or not REFERENCE.fullmatch(reference):
        return None
    return proof_link(uows.link_secret(), reference, now)


@dataclass(frozen=True, slots=True)
class DeliveryPosition:
    """Where the driver's phone was when a parcel was marked delivered."""

    gps: GpsFix
    at: datetime
    driver: str | None


def delivery_positions(shipments: Iterable[ShipmentDetail]) -> dict[str, DeliveryPosition]:
    """By shipment id, the GPS fix of each delivered parcel's delivery that stands."""
    found: dict[str, DeliveryPosition] = {}
    for detail in shipments:
        if detail.status != Milestone.DELIVERED.value:
            continue
        data = _delivery_data(detail.timeline)
        gps = gps_of(data) if data is not None else None
        if data is not None and gps is not None:
            fleet = data.get("fleet")
            driver = fleet.get("driver") if isinstance(fleet, Mapping) else None
            at = next(r.occurred_at for r in reversed(detail.timeline) if r.data is data)
            found[detail.id] = DeliveryPosition(gps, at, str(driver) if driver else None)
    return found


def address_region(customer: Customer) -> str | None:
    """The region of the delivery address (postal code and country), what a GPS point is held
    against; never the street."""
    return " ".join(filter(None, (customer.postal_code, customer.country))) or None
