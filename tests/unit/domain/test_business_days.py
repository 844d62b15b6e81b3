"""Business days as carriers count them: weekends, the destination's public holidays (the
`holidays` package's tables, by country and state or province) and each site's cut-off."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from ordertrail.app.promise.eta_ports import EtaRules
from ordertrail.domain.fold import SubjectState
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.promise.business_days import BusinessCalendar, ship_day
from ordertrail.domain.promise.eta import Basis, Journey, estimate
from ordertrail.domain.promise.transit_model import Destination, Histogram, Leg, lane_keys
from ordertrail.sources.public_holidays import PublicHolidays

LOUISVILLE = ZoneInfo("America/Kentucky/Louisville")
RULES = EtaRules(PublicHolidays())


def calendar(country: str, region: str | None, year: int = 2026) -> BusinessCalendar:
    return RULES.calendar(country, region, date(year, 6, 1))


def test_a_friday_evening_hand_off_after_the_cut_off_leaves_on_monday() -> None:
    us = calendar("US", "KY")
    friday_evening = datetime(2026, 11, 13, 18, 30, tzinfo=LOUISVILLE)
    friday_noon = datetime(2026, 11, 13, 12, 0, tzinfo=LOUISVILLE)
    cutoff = time(17, 0)

    assert ship_day(friday_evening, LOUISVILLE, cutoff, us) == date(2026, 11, 16)
    assert ship_day(friday_noon, LOUISVILLE, cutoff, us) == date(2026, 11, 13)
    # no cut-off known: the day the carrier took it
    assert ship_day(friday_evening, LOUISVILLE, None, us) == date(2026, 11, 13)
    # the cut-off is the site's local time, whatever zone the scan's time came in
    assert ship_day(friday_evening.astimezone(UTC), LOUISVILLE, cutoff, us) == date(2026, 11, 16)
    # two business days from that Monday departure: Wednesday
    assert us.add(date(2026, 11, 16), 2) == date(2026, 11, 18)


def test_a_us_thanksgiving_week_skips_thanksgiving_day() -> None:
    us = calendar("US", "IL")
    wednesday = date(2026, 11, 25)

    assert not us.is_open(date(2026, 11, 26))  # Thanksgiving
    # two business days after the Wednesday before Thanksgiving: Friday, then Monday
    assert us.add(wednesday, 2) == date(2026, 11, 30)
    assert us.count(wednesday, date(2026, 11, 30)) == 2
    # handed over on Thanksgiving itself (no collection): it leaves on the next business day
    thanksgiving_noon = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("America/Chicago"))
    assert ship_day(thanksgiving_noon, ZoneInfo("America/Chicago"), None, us) == date(2026, 11, 27)


def test_a_canadian_holiday_that_is_not_a_us_one_counts_only_in_canada() -> None:
    ontario, kentucky = calendar("CA", "ON"), calendar("US", "KY")
    friday = date(2026, 5, 15)  # Victoria Day is Monday 18 May 2026 in Canada

    assert not ontario.is_open(date(2026, 5, 18))
    assert kentucky.is_open(date(2026, 5, 18))
    assert ontario.add(friday, 1) == date(2026, 5, 19)
    assert kentucky.add(friday, 1) == date(2026, 5, 18)


def test_a_lane_with_no_history_falls_back_to_the_carriers_date_then_the_promise() -> None:
    us = calendar("US", "IL")
    keys = lane_keys("ups", "Ground", "louisville", Destination("US", "IL", "60607"))
    handed = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
    moving = SubjectState(status=Milestone.IN_TRANSIT, possession_at=handed, status_at=handed)
    now = datetime(2026, 11, 16, 16, 0, tzinfo=UTC)
    chicago = ZoneInfo("America/Chicago")

    def journey(state: SubjectState, promised: date | None = None) -> Journey:
        return Journey(state, keys, us, chicago, us, LOUISVILLE, promised_by=promised)

    nothing = estimate(journey(moving), {}, now)
    assert (nothing.basis, nothing.earliest, nothing.latest) == (Basis.NONE, None, None)

    promised = estimate(journey(moving, date(2026, 11, 20)), {}, now)
    assert (promised.basis, promised.latest) == (Basis.PROMISE, date(2026, 11, 20))

    said = SubjectState(
        status=Milestone.IN_TRANSIT, possession_at=handed, status_at=handed, eta="2026-11-18"
    )
    carrier = estimate(journey(said, date(2026, 11, 20)), {}, now)
    assert (carrier.basis, carrier.earliest, carrier.latest) == (
        Basis.CARRIER_ESTIMATE,
        date(2026, 11, 18),
        date(2026, 11, 18),
    )

    # a thin lane (fewer parcels than it takes to trust it) is passed over for a wider one
    thin = {(keys[1], Leg.TRANSIT): Histogram.of([1] * 5)}
    wide = {(keys[2], Leg.TRANSIT): Histogram.of([2] * 25 + [3] * 3)}
    wider = estimate(journey(said), {**thin, **wide}, now)
    assert (wider.basis, wider.earliest, wider.latest) == (
        Basis.CARRIER,
        date(2026, 11, 18),
        date(2026, 11, 19),
    )
