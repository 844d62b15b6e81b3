"""Where a parcel has been: each scan's place as the carrier named it and as a gazetteer
reads it, and the route between them for the map. Only scans' places (city, region,
country), never the customer's address."""

from __future__ import annotations

from dataclasses import dataclass

from ordertrail.app.customer.place_ports import Gazetteer
from ordertrail.app.queries import TimelineRow
from ordertrail.domain.customer.route_map import RouteMap, route_map
from ordertrail.domain.fold import Effect
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.places import KnownPlace, place_query, said


@dataclass(frozen=True, slots=True)
class ScanPlace:
    milestone: Milestone
    said: str  # as the carrier named it ("MEMPHIS HUB TN")
    known: KnownPlace | None  # as the gazetteer reads it ("Memphis, TN, US")


@dataclass(frozen=True, slots=True)
class Route:
    places: list[ScanPlace]  # oldest first
    map: RouteMap | None

    @property
    def unknown(self) -> list[ScanPlace]:
        return [place for place in self.places if place.known is None]


def parcel_route(timeline: list[TimelineRow], gazetteer: Gazetteer) -> Route:
    """The places of the parcel's customer-visible scans, oldest first, and its map."""
    places: list[ScanPlace] = []
    for row in timeline:
        if row.milestone is None or row.location is None:
            continue
        if row.effect not in (Effect.APPLIED, Effect.CORRECTION):
            continue
        milestone = Milestone(row.milestone)
        if not milestone.spec.customer_visible:
            continue
        named = said(row.location)
        if not named:
            continue
        query = place_query(row.location)
        known = gazetteer.find(query) if query else None
        if places and places[-1].said == named:
            continue  # the same place again: one stop
        places.append(ScanPlace(milestone, named, known))
    drawn = route_map([place.known for place in places if place.known is not None])
    return Route(places, drawn)
