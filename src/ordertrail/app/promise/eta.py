"""Delivery estimates: learning each lane's transit times from delivered parcels, and keeping
every parcel's estimate — and the window its customer sees — up to date as it moves, in the
same unit of work as the events that moved it (and each round of the worker for the parcels
whose window has passed without news)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ordertrail.app.ports import UnitOfWork, UnitOfWorkFactory
from ordertrail.app.promise.eta_ports import EtaRules, LaneStats, ParcelFacts
from ordertrail.domain.customer.customer_zone import customer_zone
from ordertrail.domain.fold import SubjectState, fold
from ordertrail.domain.milestones import Milestone, SourceKind
from ordertrail.domain.model import Location, Site, Subject, SubjectKind, TrackingEvent
from ordertrail.domain.promise.business_days import local_day
from ordertrail.domain.promise.eta import Journey, estimate
from ordertrail.domain.promise.eta_window import Shown, WindowChange, settle
from ordertrail.domain.promise.transit_model import (
    Destination,
    Sample,
    destination_of,
    lane_keys,
    learn,
)

#: The worker learns lanes again when the last learning is this old.
LEARN_EVERY = timedelta(hours=24)
#: Learn from parcels delivered in this many days.
LEARN_DAYS = 90


def journey_of(
    facts: ParcelFacts,
    site: Site | None,
    rules: EtaRules,
    now: datetime,
    reached: datetime | None = None,
    state: SubjectState | None = None,
) -> Journey:
    """What the estimate reads about a parcel: its lanes, the business days at both ends,
    the site's cut-off, where its customer's days begin and end."""
    customer = facts.customer
    to = destination_of(customer.country, customer.postal_code)
    place = Location(postal_code=customer.postal_code, country=customer.country)
    zone = customer_zone(customer.time_zone, place, [], now).zone
    origin_country = (site.location.country if site else None) or to.country
    origin_region = site.location.region if site else to.region
    return Journey(
        state=state or facts.state,
        keys=lane_keys(facts.carrier, facts.service, facts.site, to),
        destination=rules.calendar(to.country, to.region, now.date()),
        destination_zone=zone,
        origin=rules.calendar(origin_country, origin_region, now.date()),
        origin_zone=_zone(site.time_zone) if site else None,
        cutoff=site.cutoff if site else None,
        reached_destination_at=reached,
        promised_from=facts.promised_from,
        promised_by=facts.promised_by,
    )


def _zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def reached_destination(
    events: Iterable[TrackingEvent], to: Destination, known: datetime | None = None
) -> datetime | None:
    """When the carrier first scanned the parcel in its destination region."""
    if not to.region:
        return known
    found = known
    for event in events:
        where = event.location
        if (
            event.source.kind is SourceKind.CARRIER
            and event.milestone is not None
            and event.milestone is not Milestone.DELIVERED
            and where is not None
            and (where.country or "").upper() == to.country
            and (where.region or "").upper() == to.region
            and (found is None or event.occurred_at < found)
        ):
            found = event.occurred_at
    return found


# ---- learning -------------------------------------------------------------------------------


def sample_of(
    facts: ParcelFacts, events: Sequence[TrackingEvent], site: Site | None, rules: EtaRules
) -> Sample | None:
    """What one delivered parcel teaches: its lanes and its business days on the road."""
    state = fold(events)
    if state.delivered_at is None or state.possession_at is None:
        return None
    to = destination_of(facts.customer.country, facts.customer.postal_code)
    reached = reached_destination(events, to)
    journey = journey_of(facts, site, rules, state.delivered_at, reached, state)
    left = journey.left_on
    assert left is not None
    delivered = local_day(state.delivered_at, journey.destination_zone)
    calendar = journey.destination
    from_destination = None
    if reached is not None and reached <= state.delivered_at:
        start = local_day(reached, journey.destination_zone)
        from_destination = calendar.count(start, delivered)
    return Sample(journey.keys, calendar.count(left, delivered), from_destination)


def learn_lanes(uows: UnitOfWorkFactory, now: datetime, days: int = LEARN_DAYS) -> int:
    """Learn every lane's histograms from parcels delivered in the last `days`; lanes learned."""
    with uows() as uow:
        rules = uow.eta_rules
        delivered = uow.estimates.delivered(now - timedelta(days=days), limit=100_000)
        sites = {site.id: site for site in uow.sites.all()}
        samples = [
            sample
            for facts, events in delivered
            if (sample := sample_of(facts, events, sites.get(facts.site), rules)) is not None
        ]
        learned = learn(samples)
        uow.estimates.replace_lanes(learned, now)
        uow.commit()
    rules.forget_lanes()
    return len({key for key, _ in learned})


def learned_lanes(uows: UnitOfWorkFactory) -> list[LaneStats]:
    with uows(read_only=True) as uow:
        return uow.estimates.lanes()


# ---- estimating -----------------------------------------------------------------------------


def reestimate(
    uow: UnitOfWork,
    before: Mapping[Subject, SubjectState],
    after: Mapping[Subject, SubjectState],
    events: Mapping[Subject, Sequence[TrackingEvent]],
    now: datetime,
) -> dict[Subject, WindowChange]:
    """Estimate again the parcels these changes moved; the changes their customers see."""
    moved = [
        subject.id
        for subject, state in after.items()
        if subject.kind is SubjectKind.SHIPMENT and _news(before.get(subject), state)
    ]
    if not moved:
        return {}
    facts = uow.estimates.parcels(moved)
    new = {sid: events.get(Subject(SubjectKind.SHIPMENT, sid), ()) for sid in facts}
    states = {sid: after[Subject(SubjectKind.SHIPMENT, sid)] for sid in facts}
    return _settle(uow, facts, states, new, now)


def _news(before: SubjectState | None, after: SubjectState) -> bool:
    """Could this change move the estimate? An event that moved nothing cannot, nor can the
    warehouse's scans before the carrier has the parcel (nothing is estimated before then
    but the carrier's own date, which the read side shows by itself)."""
    before = before or SubjectState()
    if after.possession_at is None and before.possession_at is None:
        return False
    return before.status_key != after.status_key or before.eta != after.eta


def refresh_due(uows: UnitOfWorkFactory, now: datetime, batch: int = 500) -> int:
    """Estimate again the parcels whose shown window has passed without news; how many."""
    # every zone's day has begun by the UTC day of twelve hours ago: a window ending before
    # it has ended wherever its customer is
    ended_before = (now - timedelta(hours=12)).date()
    done = 0
    while True:
        with uows() as uow:
            due = uow.estimates.due(ended_before, batch)
            facts = uow.estimates.parcels(due)
            _settle(uow, facts, {sid: f.state for sid, f in facts.items()}, {}, now)
            uow.commit()
        done += len(due)
        if len(due) < batch:
            return done


def _settle(
    uow: UnitOfWork,
    facts: Mapping[str, ParcelFacts],
    states: Mapping[str, SubjectState],
    new_events: Mapping[str, Iterable[TrackingEvent]],
    now: datetime,
) -> dict[Subject, WindowChange]:
    if not facts:
        return {}
    rules = uow.eta_rules
    shown = uow.estimates.shown(facts)
    sites = {site.id: site for site in uow.sites.all()}
    journeys: dict[str, Journey] = {}
    for sid, parcel in facts.items():
        to = destination_of(parcel.customer.country, parcel.customer.postal_code)
        known = shown.get(sid, Shown()).reached_destination_at
        reached = reached_destination(new_events.get(sid, ()), to, known)
        site = sites.get(parcel.site)
        journeys[sid] = journey_of(parcel, site, rules, now, reached, states[sid])
    keys = {key for journey in journeys.values() for key in journey.keys}
    learned = rules.histograms(keys, uow.estimates.histograms)
    kept: dict[str, tuple[str, Shown]] = {}
    seen: list[tuple[str, str, WindowChange]] = []
    for sid, journey in journeys.items():
        prior = shown.get(sid, Shown())
        fresh = estimate(journey, learned, now, rules.share)
        reached = journey.reached_destination_at
        updated, change = settle(prior, fresh, journey.destination, now)
        updated = _with_reached(updated, reached)
        # the same estimate made again is not written again (most scans on the road)
        if replace(updated, estimated_at=None) != replace(prior, estimated_at=None):
            kept[sid] = (facts[sid].order_id, updated)
        if change is not None:
            seen.append((sid, facts[sid].order_id, change))
    uow.estimates.save_shown(kept)
    uow.estimates.add_changes(seen)
    return {Subject(SubjectKind.SHIPMENT, sid): change for sid, _, change in seen}


def _with_reached(shown: Shown, reached: datetime | None) -> Shown:
    if reached is None or shown.reached_destination_at == reached:
        return shown
    return replace(shown, reached_destination_at=reached)


def eta_round(uows: UnitOfWorkFactory, now: datetime) -> tuple[int | None, int]:
    """The worker's part: learn the lanes again when the last learning is a day old, then
    estimate again the parcels whose window passed; (lanes learned or None, parcels)."""
    with uows(read_only=True) as uow:
        last = uow.estimates.last_learned()
    learned = learn_lanes(uows, now) if last is None or now - last >= LEARN_EVERY else None
    return learned, refresh_due(uows, now)
