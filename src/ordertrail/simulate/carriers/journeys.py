"""A parcel's journey as its carrier sees it: acceptance, the sorting legs of its lane, the
last mile, and the fate that befalls it on the way. Pure; times are true event times."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ordertrail.simulate.carriers.formats import Scan
from ordertrail.simulate.carriers.lanes import HUBS, SITES, Place, transit

#: No two sorting scans further apart than this: carriers scan at every facility.
LONGEST_LEG = timedelta(hours=18)


@dataclass(frozen=True, slots=True)
class Outage:
    """A carrier whose systems go silent: what it sees meanwhile reaches us when it ends."""

    carrier: str
    begins: datetime
    ends: datetime

    def held(self, carrier: str, arrives: datetime, rng: random.Random) -> datetime:
        if carrier == self.carrier and self.begins <= arrives < self.ends:
            return self.ends + timedelta(minutes=rng.uniform(5, 120))  # the backlog, in a rush
        return arrives


def carrier_path(
    rng: random.Random,
    carrier: str,
    site: str,
    zone: int,
    destination: Place,
    fate: str,
    labelled: datetime,
    handed_off: datetime,
) -> list[Scan]:
    origin, hub = SITES[site], HUBS[carrier]
    path: list[Scan] = []
    if carrier in ("usps", "dhl"):  # the aggregators relay the label the carrier was sent
        path.append(Scan(labelled + timedelta(minutes=2), "label", origin))
    if carrier == "ups" and rng.random() < 0.3:  # a code UPS uses that nobody mapped
        path.append(Scan(handed_off + timedelta(minutes=10), "unmapped", origin))
    accepted = handed_off + timedelta(hours=rng.uniform(0.5, 3))
    path.append(Scan(accepted, "accepted", origin))
    total = transit(carrier, site, zone) * rng.uniform(0.85, 1.15)
    legs = max(2, math.ceil(total / LONGEST_LEG))
    for n in range(1, legs + 1):
        place = destination if n == legs else hub
        word = "transit" if n % 2 or n == legs else "departed"
        path.append(Scan(accepted + total * n / legs, word, place))
        if fate == "lost" and n == legs // 2 + 1:
            return path  # silence from here on
        if fate == "damaged" and n == legs // 2 + 1:
            path.append(Scan(path[-1].at + timedelta(hours=rng.uniform(2, 6)), "damaged", place))
            return path
        if fate == "declared_lost" and n == legs // 2 + 1:
            path.append(Scan(path[-1].at + timedelta(hours=rng.uniform(20, 30)), "lost", place))
            return path
    if fate == "delayed":
        at = path[-1].at + timedelta(hours=rng.uniform(2, 8))
        path.append(Scan(at, "weather", destination))
        path.append(Scan(at + timedelta(hours=rng.uniform(20, 30)), "transit", destination))
    if fate == "address_issue":
        at = path[-1].at + timedelta(hours=rng.uniform(3, 8))
        path.append(Scan(at, "address", destination))
        return path
    return path + _last_mile(rng, destination, fate, path[-1].at)


def _last_mile(rng: random.Random, destination: Place, fate: str, arrived: datetime) -> list[Scan]:
    """Out on the van the next morning (local time); then the fate decides the doorstep."""
    out = _morning(arrived, destination, rng)
    path = [Scan(out, "out", destination)]
    if fate == "refused":
        refused = out + timedelta(hours=rng.uniform(2, 7))
        path.append(Scan(refused, "refused", destination))
        path.append(Scan(refused + timedelta(hours=rng.uniform(18, 30)), "returned", destination))
        return path
    if fate == "failed_attempt":
        path.append(Scan(out + timedelta(hours=rng.uniform(2, 7)), "attempt", destination))
        out = _morning(out + timedelta(hours=9), destination, rng)
        path.append(Scan(out, "out", destination))
    path.append(Scan(out + timedelta(hours=rng.uniform(1, 7)), "delivered", destination))
    return path


def _morning(after: datetime, place: Place, rng: random.Random) -> datetime:
    """The next 8-9 a.m. at the place, at least six hours after `after` (a parcel arriving at
    the delivery station is sorted overnight)."""
    zone = ZoneInfo(place.time_zone)
    local = (after + timedelta(hours=6)).astimezone(zone)
    day = local.date() + timedelta(days=1 if local.hour >= 8 else 0)
    minutes = rng.uniform(0, 75)
    start = datetime(day.year, day.month, day.day, 8, tzinfo=zone) + timedelta(minutes=minutes)
    return start.astimezone(after.tzinfo)
