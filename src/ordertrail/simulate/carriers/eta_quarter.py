"""A quarter of parcels with known true delivery days, made fast for `ordertrail bench eta`:
no shop, no webhooks, just each parcel's carrier scans as canonical events, drawn from the
carriers' behaviour table (carrier_behaviour.py) on the simulated shop's lanes. Pure and
seeded: the same seed gives the same quarter."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ordertrail.app.promise.eta_ports import EtaRules, ParcelFacts
from ordertrail.domain.fold import SubjectState
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import (
    Customer,
    Location,
    Site,
    Source,
    Subject,
    SubjectKind,
    TrackingEvent,
)
from ordertrail.domain.promise.business_days import BusinessCalendar, ship_day
from ordertrail.simulate.carriers import carrier_behaviour as world
from ordertrail.simulate.carriers.lanes import DESTINATIONS, HUBS, SITES, Place

CARRIERS = {"ups": 0.35, "fedex": 0.25, "usps": 0.25, "dhl": 0.15}
CUTOFF = time(17, 0)


@dataclass(frozen=True, slots=True)
class QuarterParcel:
    facts: ParcelFacts
    site: Site
    events: list[TrackingEvent]  # in event time order
    handed_over: datetime
    delivered_on: date  # the truth, in the customer's zone


def sites() -> dict[str, Site]:
    return {
        name: Site(
            name,
            place.city,
            time_zone=place.time_zone,
            location=Location(place.city, place.state, "US"),
            cutoff=CUTOFF,
        )
        for name, place in SITES.items()
    }


def quarter(
    rng: random.Random, rules: EtaRules, start: date, days: int, per_day: int
) -> Iterator[QuarterParcel]:
    """`per_day` parcels handed over on each business day from `start` for `days` days."""
    known = sites()
    for offset in range(days):
        day = start + timedelta(days=offset)
        for n in range(per_day):
            site = rng.choice(sorted(known))
            origin = rules.calendar("US", SITES[site].state, day)
            if not origin.is_open(day):
                continue  # no collection at that site on its day off
            yield _parcel(rng, rules, known[site], day, f"{day:%Y%m%d}{n:04d}")


def _parcel(
    rng: random.Random, rules: EtaRules, site: Site, day: date, number: str
) -> QuarterParcel:
    carrier = rng.choices(list(CARRIERS), weights=list(CARRIERS.values()))[0]
    place, zones = rng.choice(DESTINATIONS)
    zone = zones[site.id]
    behaviour = world.behaviour(carrier, zone)
    site_zone, dest_zone = ZoneInfo(site.time_zone or "UTC"), ZoneInfo(place.time_zone)
    origin = rules.calendar("US", site.location.region, day)
    destination = rules.calendar("US", place.state, day)
    clock = time(10, 0) if rng.random() < 0.5 else time(rng.randint(10, 19), rng.randint(0, 59))
    handed = datetime.combine(day, clock, site_zone)
    left = ship_day(handed, site_zone, site.cutoff, origin)
    due = destination.add(left, _transit(rng, behaviour))
    due = _days_off_backlog(rng, behaviour, destination, left, due)
    shipment = f"SIM{number}"
    events = Events(shipment, carrier)
    said = destination.add(left, behaviour.says)
    events.add(Milestone.CARRIER_ACCEPTED, handed, SITES[site.id], estimated_delivery=said)
    evening = datetime.combine(left, time(23, 0), site_zone)
    events.add(Milestone.IN_TRANSIT, max(evening, handed + timedelta(hours=2)), HUBS[carrier])
    if rng.random() < world.DELAYED:
        held = _previous_open(destination, due, left)
        late = destination.add(due, rng.randint(*world.DELAY_DAYS))
        why = Reason.WEATHER if rng.random() < 0.5 else Reason.CARRIER_DELAY
        at = datetime.combine(held, time(7, 0), dest_zone)
        events.add(Milestone.DELAYED, at, place, reason=why, estimated_delivery=late)
        due = late
    before = _previous_open(destination, due, left)
    if before > left:
        events.add(Milestone.IN_TRANSIT, datetime.combine(before, time(19, 0), dest_zone), place)
    if rng.random() < world.ATTEMPTED:
        events.add(Milestone.OUT_FOR_DELIVERY, datetime.combine(due, time(8, 0), dest_zone), place)
        attempt = datetime.combine(due, time(14, 0), dest_zone)
        events.add(
            Milestone.DELIVERY_ATTEMPTED, attempt, place, reason=Reason.RECIPIENT_UNAVAILABLE
        )
        due = destination.next_open(due)
    events.add(Milestone.OUT_FOR_DELIVERY, datetime.combine(due, time(8, 0), dest_zone), place)
    delivered = datetime.combine(due, time(rng.randint(10, 17), rng.randint(0, 59)), dest_zone)
    events.add(Milestone.DELIVERED, delivered, place)
    facts = ParcelFacts(
        shipment_id=shipment,
        order_id=f"Q{number}",
        carrier=carrier,
        service="Ground",
        site=site.id,
        customer=Customer(postal_code=place.postal_code, country="US", time_zone=place.time_zone),
        state=SubjectState(),
    )
    return QuarterParcel(facts, site, events.made, handed, due)


def _transit(rng: random.Random, behaviour: world.Behaviour) -> int:
    extra = rng.choices((0, 1, 2), weights=behaviour.spread)[0]
    if rng.random() < behaviour.tail:
        extra = rng.randint(3, behaviour.tail_days)
    return behaviour.days + extra


def _days_off_backlog(
    rng: random.Random,
    behaviour: world.Behaviour,
    calendar: BusinessCalendar,
    left: date,
    due: date,
) -> date:
    """Late after days off: a holiday on the road, a Monday's (or a post-holiday) backlog."""
    if calendar.days_off_between(left, due) and rng.random() < world.HOLIDAY_LATE:
        due = calendar.next_open(due)
    after_days_off = not calendar.is_open(due - timedelta(days=1))
    if after_days_off and rng.random() < behaviour.monday:
        due = calendar.next_open(due)
    return due


def _previous_open(calendar: BusinessCalendar, day: date, not_before: date) -> date:
    earlier = day - timedelta(days=1)
    while earlier > not_before and not calendar.is_open(earlier):
        earlier -= timedelta(days=1)
    return max(earlier, not_before)


class Events:
    """One parcel's carrier scans, as canonical events."""

    def __init__(self, shipment: str, carrier: str) -> None:
        self.subject = Subject(SubjectKind.SHIPMENT, shipment)
        self.source = Source.parse(f"carrier:{carrier}")
        self.made: list[TrackingEvent] = []

    def add(
        self,
        milestone: Milestone,
        at: datetime,
        where: Place,
        *,
        reason: Reason | None = None,
        estimated_delivery: date | None = None,
    ) -> None:
        data = {"estimated_delivery": estimated_delivery.isoformat()} if estimated_delivery else {}
        location = Location(where.city, where.state, "US", where.postal_code)
        key = f"{self.subject.id}:{len(self.made)}"
        self.made.append(
            TrackingEvent(
                key=key,
                subject=self.subject,
                milestone=milestone,
                source=self.source,
                occurred_at=at,
                received_at=at + timedelta(minutes=5),
                reason=reason,
                order_id=self.subject.id,
                location=location,
                data=data,
            )
        )
