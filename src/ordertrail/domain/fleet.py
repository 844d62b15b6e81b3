"""A shop's own fleet (or a white-glove partner) as a carrier: routes of stops, each stop one or
more parcels, and what a driver does at a stop, in the canonical milestones.

A fleet speaks as `carrier:<fleet>` and uses the milestones every carrier uses; what is its own
(the route, the stop, the promised hours, the proof) travels in the event's `data`:

- stop assigned → `carrier_accepted` (the day's route takes the parcel on)
- route started → `out_for_delivery`, with the stop's promised window
- arrived at the stop → `out_for_delivery` again (still on the van, at the door)
- delivered → `delivered`, with the proof (who signed, handed to / left at, photo, signature,
  GPS position and its accuracy)
- attempted → `delivery_attempted` with a reason
- back at the depot → `in_transit` (after an attempt the fold counts it as news)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import DomainError, require_aware

#: A promised window longer than a working day promises nothing a customer can plan around.
LONGEST_WINDOW = timedelta(hours=12)
#: Fewer stops than this between the van and the customer: "2 stops away" is worth showing.
NEAR = 5
#: What a phone's geolocation may claim and still be a position: beyond this it is a guess.
WIDEST_ACCURACY_M = 5000.0
MAX_STOPS = 500
MAX_PARCELS_PER_STOP = 50


class StopAction(StrEnum):
    """What a driver (or a partner's system) says happened at a stop."""

    ASSIGNED = "assigned"
    STARTED = "started"  # the route left the depot: every stop is out for delivery
    ARRIVED = "arrived"
    DELIVERED = "delivered"
    ATTEMPTED = "attempted"
    BACK_AT_DEPOT = "back_at_depot"


MILESTONE_OF: dict[StopAction, Milestone] = {
    StopAction.ASSIGNED: Milestone.CARRIER_ACCEPTED,
    StopAction.STARTED: Milestone.OUT_FOR_DELIVERY,
    StopAction.ARRIVED: Milestone.OUT_FOR_DELIVERY,
    StopAction.DELIVERED: Milestone.DELIVERED,
    StopAction.ATTEMPTED: Milestone.DELIVERY_ATTEMPTED,
    StopAction.BACK_AT_DEPOT: Milestone.IN_TRANSIT,
}

#: What the timeline says of each action (the event's raw description).
SAID: dict[StopAction, str] = {
    StopAction.ASSIGNED: "Assigned to the day's route",
    StopAction.STARTED: "Out for delivery with the driver",
    StopAction.ARRIVED: "The driver arrived at the address",
    StopAction.DELIVERED: "Delivered",
    StopAction.ATTEMPTED: "Delivery attempted",
    StopAction.BACK_AT_DEPOT: "Back at the depot",
}


class Handoff(StrEnum):
    HANDED_TO = "handed_to"  # into someone's hands: `where` is who
    LEFT_AT = "left_at"  # left without a person: `where` is the place ("front door")


@dataclass(frozen=True, slots=True)
class Window:
    """The hours the customer was promised, as instants (shown in the destination's zone)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        require_aware("window.from", self.start)
        require_aware("window.until", self.end)
        if self.end <= self.start:
            raise DomainError("window.until", "the window ends before it starts")
        if self.end - self.start > LONGEST_WINDOW:
            raise DomainError("window.until", "a promised window is at most 12 hours")

    def as_data(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "until": self.end.isoformat()}


@dataclass(frozen=True, slots=True)
class Stop:
    sequence: int  # 1, 2, 3 … the order the driver drives them
    shipments: tuple[str, ...]  # shipment ids
    window: Window | None = None
    #: where the driver goes (the street address): shown to the driver, never to the public
    address: str | None = None

    def __post_init__(self) -> None:
        if self.sequence < 1:
            raise DomainError("stops.sequence", f"a stop's number starts at 1 ({self.sequence})")
        if not self.shipments:
            raise DomainError(f"stops[{self.sequence}].shipments", "a stop needs a parcel")
        if len(self.shipments) > MAX_PARCELS_PER_STOP:
            raise DomainError(
                f"stops[{self.sequence}].shipments", f"at most {MAX_PARCELS_PER_STOP} parcels"
            )
        if self.address is not None and len(self.address) > 300:
            raise DomainError(f"stops[{self.sequence}].address", "at most 300 characters")


@dataclass(frozen=True, slots=True)
class Route:
    """One driver's day: stops in the order they are driven."""

    id: str
    fleet: str
    driver: str
    day: date
    stops: tuple[Stop, ...]

    def __post_init__(self) -> None:
        if not self.id.strip() or len(self.id) > 100 or ":" in self.id:
            raise DomainError("id", "a route id is 1–100 characters without ':'")
        if not self.fleet.strip() or len(self.fleet) > 50 or ":" in self.fleet:
            raise DomainError("fleet", "a fleet name is 1–50 characters without ':'")
        if not 1 <= len(self.stops) <= MAX_STOPS:
            raise DomainError("stops", f"a route has 1 to {MAX_STOPS} stops")
        numbers = [stop.sequence for stop in self.stops]
        if len(set(numbers)) != len(numbers):
            raise DomainError("stops", "two stops have the same number")
        parcels = [parcel for stop in self.stops for parcel in stop.shipments]
        if len(set(parcels)) != len(parcels):
            twice = next(p for p in parcels if parcels.count(p) > 1)
            raise DomainError("stops", f"parcel '{twice}' is on two stops of the route")

    @property
    def source(self) -> str:
        return f"carrier:{self.fleet}"

    def stop(self, sequence: int) -> Stop | None:
        return next((stop for stop in self.stops if stop.sequence == sequence), None)


@dataclass(frozen=True, slots=True)
class GpsFix:
    """Where the phone was, and how sure it was: a point without its accuracy cannot settle a
    dispute (is 40 m off the neighbour's door or ours?), so it is refused."""

    latitude: float
    longitude: float
    accuracy_m: float

    def __post_init__(self) -> None:
        for name, value, bound in (
            ("gps.latitude", self.latitude, 90.0),
            ("gps.longitude", self.longitude, 180.0),
        ):
            if not math.isfinite(value) or abs(value) > bound:
                raise DomainError(name, f"must be between -{bound:g} and {bound:g}")
        if not math.isfinite(self.accuracy_m) or not 0 < self.accuracy_m <= WIDEST_ACCURACY_M:
            raise DomainError(
                "gps.accuracy", f"must be metres above 0 and at most {WIDEST_ACCURACY_M:g}"
            )

    @classmethod
    def given(
        cls, latitude: float | None, longitude: float | None, accuracy_m: float | None
    ) -> GpsFix | None:
        """The fix from a form's fields; None when no position was sent at all."""
        if latitude is None and longitude is None and accuracy_m is None:
            return None
        if latitude is None or longitude is None:
            raise DomainError("gps", "a position needs both latitude and longitude")
        if accuracy_m is None:
            raise DomainError("gps.accuracy", "a GPS point needs its accuracy in metres")
        return cls(latitude, longitude, accuracy_m)

    def as_data(self) -> dict[str, float]:
        return {
            "latitude": self.latitude,
            "longitude": self.longitude,
            "accuracy_m": self.accuracy_m,
        }


@dataclass(frozen=True, slots=True)
class Proof:
    """What shows a parcel was delivered: `photo` and `signature` are references into the
    proof store, never the images themselves."""

    handoff: Handoff
    where: str  # who took it, or where it was left
    signed_by: str | None = None
    photo: str | None = None
    signature: str | None = None

    def __post_init__(self) -> None:
        if not self.where.strip() or len(self.where) > 100:
            raise DomainError(str(self.handoff), "say who took it or where it was left (≤100)")
        if self.signed_by is not None and len(self.signed_by) > 100:
            raise DomainError("signed_by", "a name has at most 100 characters")

    @property
    def description(self) -> str:
        """The words `domain.delivery_proof` reads the place from."""
        if self.handoff is Handoff.LEFT_AT:
            return f"Delivered, left at the {self.where}"
        return f"Delivered, handed to {self.where}"


def stop_data(
    route: Route,
    stop: Stop,
    action: StopAction,
    *,
    driver: str | None = None,
    proof: Proof | None = None,
    gps: GpsFix | None = None,
) -> dict[str, Any]:
    """The event's `data` for an action at a stop: what the tracking page and staff read."""
    data: dict[str, Any] = {
        "fleet": {"route": route.id, "stop": stop.sequence, "action": str(action)}
    }
    if driver:
        data["fleet"]["driver"] = driver
    if stop.window is not None and action in (StopAction.STARTED, StopAction.ARRIVED):
        data["window"] = stop.window.as_data()
    if proof is not None:
        data["proof"] = {
            key: value
            for key, value in (
                ("handoff", str(proof.handoff)),
                ("where", proof.where),
                ("photo", proof.photo),
                ("signature", proof.signature),
            )
            if value
        }
        if proof.signed_by:
            data["signed_by"] = proof.signed_by
    if gps is not None:
        data["gps"] = gps.as_data()
    return data


def window_of(data: Mapping[str, Any]) -> Window | None:
    """The promised window an event carries (a driver's or a partner's), if it reads as one."""
    given = data.get("window")
    if not isinstance(given, Mapping):
        return None
    try:
        return Window(
            datetime.fromisoformat(str(given.get("from"))),
            datetime.fromisoformat(str(given.get("until"))),
        )
    except (ValueError, TypeError):
        return None


def gps_of(data: Mapping[str, Any]) -> GpsFix | None:
    given = data.get("gps")
    if not isinstance(given, Mapping):
        return None
    try:
        return GpsFix(
            float(given["latitude"]), float(given["longitude"]), float(given["accuracy_m"])
        )
    except (KeyError, ValueError, TypeError):
        return None


#: Statuses of a parcel still to be delivered on today's round: its stop is not done yet.
STILL_TO_DO = frozenset({Milestone.CARRIER_ACCEPTED, Milestone.OUT_FOR_DELIVERY})


def stop_done(statuses: Sequence[Milestone | None]) -> bool:
    """A stop is done once none of its parcels waits on the van (delivered, attempted, back
    at the depot)."""
    return not any(status is None or status in STILL_TO_DO for status in statuses)


def stops_ahead(pending: Sequence[int], mine: int) -> int:
    """How many stops the driver still has to make before `mine` (`pending`: the numbers of
    the stops not done yet)."""
    return sum(1 for sequence in pending if sequence < mine)


def attempt_reason(text: str | None) -> Reason:
    """An attempt needs its reason from the one list."""
    try:
        return Reason(text or "")
    except ValueError:
        choices = ", ".join(reason.value for reason in Reason)
        raise DomainError("reason", f"an attempt needs a reason, one of {choices}") from None
