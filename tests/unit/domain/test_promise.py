"""The promised delivery day: when it ends for the customer, and the rule that sees it missed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ordertrail.domain.casework.exceptions import ExceptionKind, ParcelFacts
from ordertrail.domain.fold import fold
from ordertrail.domain.milestones import Milestone as M
from ordertrail.domain.milestones import Reason
from ordertrail.domain.notifications import MessageKind, Recipient, plan_apology
from ordertrail.domain.promise.promised_date import promise_ends, promise_findings
from tests.factories import PARCEL, event

PROMISED = date(2026, 11, 20)


def test_the_promised_day_ends_at_midnight_where_the_customer_is() -> None:
    assert promise_ends(PROMISED, "America/Chicago") == datetime(2026, 11, 21, 6, tzinfo=UTC)
    assert promise_ends(PROMISED, "Europe/Berlin") == datetime(2026, 11, 20, 23, tzinfo=UTC)
    # unknown zone: the last place on Earth the day still lasts
    assert promise_ends(PROMISED, None) == datetime(2026, 11, 21, 12, tzinfo=UTC)
    assert promise_ends(PROMISED, "Mars/Olympus") == promise_ends(PROMISED, None)
    assert promise_ends(None, "Europe/Berlin") is None


def facts(*milestones: M, reason: Reason | None = None) -> ParcelFacts:
    history = [event(m, hour, reason=reason) for hour, m in enumerate(milestones)]
    return ParcelFacts(fold(history), promised_by=PROMISED, time_zone="Europe/Berlin")


def test_a_parcel_still_on_its_way_when_the_day_ends_misses_its_promise() -> None:
    ends = datetime(2026, 11, 20, 23, tzinfo=UTC)
    moving = facts(M.CARRIER_ACCEPTED, M.IN_TRANSIT)
    assert promise_findings(moving, ends - timedelta(minutes=1)) == []
    [found] = promise_findings(moving, ends)
    assert (found.kind, found.cause) == (ExceptionKind.PROMISE_MISSED, "promise:2026-11-20")
    assert "2026-11-20" in found.detail and "in transit" in found.detail
    assert promise_findings(facts(M.CARRIER_ACCEPTED, M.DELIVERED), ends) == []
    assert promise_findings(facts(M.CARRIER_ACCEPTED, M.RETURNED_TO_SENDER), ends) == []
    unpromised = ParcelFacts(moving.state)
    assert promise_findings(unpromised, ends + timedelta(days=30)) == []


def test_the_apology_is_said_once_after_staff_and_not_over_trouble_already_told() -> None:
    now = datetime(2026, 11, 21, 12, tzinfo=UTC)
    customer = Recipient(promised_by=PROMISED, time_zone="Europe/Berlin")
    [planned] = plan_apology(PARCEL, facts(M.CARRIER_ACCEPTED).state, customer, now)
    assert planned.kind is MessageKind.RUNNING_LATE
    assert planned.earliest > now and planned.dedupe.endswith(":running_late")
    damaged = facts(M.CARRIER_ACCEPTED, M.EXCEPTION, reason=Reason.DAMAGED).state
    assert plan_apology(PARCEL, damaged, customer, now) == []  # "damaged" said it all
    weather = facts(M.CARRIER_ACCEPTED, M.EXCEPTION, reason=Reason.WEATHER).state
    assert [p.kind for p in plan_apology(PARCEL, weather, customer, now)] == [
        MessageKind.RUNNING_LATE
    ]
