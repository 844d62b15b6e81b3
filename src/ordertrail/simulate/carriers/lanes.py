"""Where the simulated shop ships from and to, and how long each carrier takes on each lane.

Two warehouses, a handful of destination cities, one sorting hub per carrier. Transit time
depends on the lane (the carrier, the warehouse, the destination's distance zone from it), so
a UPS parcel from Louisville to Chicago is a day on the road and a USPS one from Reno to
Boston three and a half.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class Place:
    city: str
    state: str
    postal_code: str
    time_zone: str


SITES = {
    "louisville": Place("Louisville", "KY", "40213", "America/New_York"),
    "reno": Place("Reno", "NV", "89502", "America/Los_Angeles"),
}

#: Destination cities, with their distance zone from each warehouse (1 near, 3 far).
DESTINATIONS = (
    (Place("Chicago", "IL", "60607", "America/Chicago"), {"louisville": 1, "reno": 3}),
    (Place("Columbus", "OH", "43215", "America/New_York"), {"louisville": 1, "reno": 3}),
    (Place("Atlanta", "GA", "30303", "America/New_York"), {"louisville": 1, "reno": 3}),
    (Place("Boston", "MA", "02108", "America/New_York"), {"louisville": 2, "reno": 3}),
    (Place("Austin", "TX", "78701", "America/Chicago"), {"louisville": 2, "reno": 2}),
    (Place("Denver", "CO", "80202", "America/Denver"), {"louisville": 2, "reno": 2}),
    (Place("Phoenix", "AZ", "85004", "America/Phoenix"), {"louisville": 3, "reno": 1}),
    (Place("Portland", "OR", "97201", "America/Los_Angeles"), {"louisville": 3, "reno": 1}),
)

#: Each carrier's sorting hub, where every parcel passes.
HUBS = {
    "ups": Place("Louisville", "KY", "40209", "America/New_York"),
    "fedex": Place("Memphis", "TN", "38118", "America/Chicago"),
    "usps": Place("Denver", "CO", "80266", "America/Denver"),
    "dhl": Place("Hebron", "KY", "41048", "America/New_York"),
}

#: How much slower than the day-per-zone baseline each carrier is.
PACE = {"ups": 1.0, "fedex": 0.9, "usps": 1.2, "dhl": 1.1}


def transit(carrier: str, site: str, zone: int) -> timedelta:
    """The usual time from acceptance to the destination's delivery station on a lane."""
    return timedelta(hours=24 * zone * PACE[carrier])
