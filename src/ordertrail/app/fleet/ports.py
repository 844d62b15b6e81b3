"""What the fleet's use cases need from the outside: its records, and where proof files live."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from ordertrail.domain.fleet import Route
from ordertrail.domain.milestones import Milestone


@dataclass(frozen=True, slots=True)
class Driver:
    name: str
    fleet: str
    pin_hash: str  # argon2, like a staff password: a PIN is short, so slow to try
    id: int | None = None
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class RouteParcel:
    """A parcel on a route, where it stands now (its derived status)."""

    stop: int
    shipment_id: str
    tracking_number: str | None
    status: Milestone | None


class Fleet(Protocol):
    def add_driver(self, driver: Driver, at: datetime) -> bool:
        """Add a driver, or give one of that name a new PIN (and fleet); True when new."""
        ...

    def driver(self, name: str) -> Driver | None: ...

    def set_disabled(self, name: str, disabled: bool, at: datetime) -> bool:
        """Lock a driver out (their phone's next request is refused) or let them in again;
        False when there is no driver of that name."""
        ...

    def driver_by_id(self, driver_id: int) -> Driver | None: ...

    def drivers(self) -> list[Driver]: ...

    def save_route(self, route: Route, driver_id: int, at: datetime) -> None:
        """Store a new route with its stops (the caller checked the id is free)."""
        ...

    def route(self, route_id: str) -> Route | None: ...

    def routes_of(self, driver_id: int, day: date) -> list[Route]:
        """The driver's routes of that day, by id."""
        ...

    def routes_with(self, shipment_ids: Iterable[str], day: date) -> dict[str, str]:
        """For each of these parcels already on a route of that day, the route's id."""
        ...

    def latest_route_of(self, shipment_id: str) -> Route | None:
        """The route of the latest day that carries the parcel."""
        ...

    def parcels_of(self, route_id: str) -> list[RouteParcel]:
        """Every parcel of the route with its status, by stop."""
        ...


class ProofRefused(ValueError):
    """An upload that is not a proof we keep: too large, or not an image of a kind we know."""

    def __init__(self, field: str, message: str, *, too_large: bool = False) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.too_large = field, message, too_large


class ProofFiles(Protocol):
    """Photos and signatures of deliveries: private, addressed by what they hold.

    A folder by default (`store/proofs/proof_files.py`); any store that keeps bytes under a name
    (S3-compatible, through a client library) fits the same two methods."""

    def put(self, content: bytes, media_type: str) -> str:
        """Keep `content` (already checked) and answer its reference; the same bytes always
        get the same reference, so a resent photo is not kept twice."""
        ...

    def get(self, reference: str) -> tuple[bytes, str] | None:
        """The bytes and media type under `reference`; None when there are none."""
        ...

    def delete(self, reference: str) -> bool:
        """Remove what `reference` names (a customer's data erased); False if nothing was."""
        ...
