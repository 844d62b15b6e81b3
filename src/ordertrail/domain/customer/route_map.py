"""The parcel's route as points on a small map: places projected from latitude and longitude
into a box, the route a line from each place to the next.

An equirectangular projection squeezed by the cosine of the middle latitude: at the scale of
one parcel's journey it looks right, and it needs no map data. A route that barely moves is
drawn at a minimum span so its points do not sit on top of each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ordertrail.domain.places import KnownPlace

WIDTH, HEIGHT, MARGIN = 600, 300, 60
MIN_SPAN = 1.0  # degrees: a route inside one city is still drawn as a route


@dataclass(frozen=True, slots=True)
class MapPoint:
    place: KnownPlace
    x: float
    y: float
    last: bool  # where the parcel is (or was) last seen


@dataclass(frozen=True, slots=True)
class RouteMap:
    points: list[MapPoint]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def legs(self) -> list[tuple[MapPoint, MapPoint]]:
        return list(zip(self.points, self.points[1:], strict=False))


def route_map(places: list[KnownPlace]) -> RouteMap | None:
    """The map of `places`, oldest first, a place repeated in a row drawn once; None when
    there is nowhere to draw."""
    route: list[KnownPlace] = []
    for place in places:
        if not route or (route[-1].latitude, route[-1].longitude) != (
            place.latitude,
            place.longitude,
        ):
            route.append(place)
    if not route:
        return None
    middle = math.radians(sum(p.latitude for p in route) / len(route))
    squeeze = max(math.cos(middle), 0.2)
    xs = [p.longitude * squeeze for p in route]
    ys = [p.latitude for p in route]
    wide, tall = max(xs) - min(xs), max(ys) - min(ys)
    centre_x, centre_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    scale = min(
        (WIDTH - 2 * MARGIN) / max(wide, MIN_SPAN), (HEIGHT - 2 * MARGIN) / max(tall, MIN_SPAN)
    )
    points = [
        MapPoint(
            place,
            round(WIDTH / 2 + (x - centre_x) * scale, 1),
            round(HEIGHT / 2 - (y - centre_y) * scale, 1),  # north is up
            last=n == len(route) - 1,
        )
        for n, (place, x, y) in enumerate(zip(route, xs, ys, strict=True))
    ]
    return RouteMap(points)
