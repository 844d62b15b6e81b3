"""The customer's choice of another way to get a parcel in trouble: a pickup point, holding it
at the carrier's facility, or another day.

Offered only where the choice can still help: the address was a problem, or the carrier has
already failed twice (a first failed attempt is followed by a second try anyway). Never two
choices at once: while one waits for the carrier or for staff, another is refused. A new day
is one of the carrier's next business days at the customer's place.

Pure: the caller reads the parcel's events and cases and the business calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.promise.business_days import BusinessCalendar


class Choice(StrEnum):
    PICKUP_POINT = "pickup_point"
    HOLD_AT_FACILITY = "hold_at_facility"
    ANOTHER_DAY = "another_day"


#: How many business days ahead the customer may pick.
DAYS_OFFERED = 5
#: Failed attempts after which the customer is asked rather than the carrier trying again.
ATTEMPTS_BEFORE_ASKING = 2
#: Statuses in which an address problem can still be worked around before it goes back.
_ADDRESS_TROUBLE = frozenset({Milestone.DELAYED, Milestone.DELIVERY_ATTEMPTED, Milestone.EXCEPTION})


@dataclass(frozen=True, slots=True)
class ParcelSituation:
    """What the rules read about one parcel."""

    status: Milestone | None
    reason: Reason | None
    failed_attempts: int
    #: the event key of a choice still waiting for the carrier or staff, if any
    pending: str | None = None
    #: a choice was already made (and taken care of) for the trouble the parcel is in now:
    #: asking again waits for new news from the carrier
    already_chosen: bool = False


@dataclass(frozen=True, slots=True)
class DeliveryChange:
    """A choice the rules accepted, ready to be recorded and sent to the carrier."""

    choice: Choice
    day: date | None  # only for ANOTHER_DAY

    def as_data(self) -> dict[str, str]:
        data = {"choice": self.choice.value}
        if self.day is not None:
            data["day"] = self.day.isoformat()
        return data


class ChangeRefused(Exception):
    """Why a choice is not taken; `why` is one of the codes the page words (not_offered,
    pending, chosen, unknown_choice, day_needed, day_not_offered)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def offered(situation: ParcelSituation) -> bool:
    """Whether the page offers a choice for this parcel now (a pending one shows instead)."""
    status, reason = situation.status, situation.reason
    if status is None or status.spec.terminal or situation.already_chosen:
        return False
    if reason is Reason.ADDRESS_ISSUE and status in _ADDRESS_TROUBLE:
        return True
    return (
        status is Milestone.DELIVERY_ATTEMPTED
        and situation.failed_attempts >= ATTEMPTS_BEFORE_ASKING
    )


def days_offered(today: date, calendar: BusinessCalendar, count: int = DAYS_OFFERED) -> list[date]:
    """The next business days after today: never today (the van has left), never a day off."""
    days = [calendar.next_open(today)]
    while len(days) < count:
        days.append(calendar.next_open(days[-1]))
    return days


def choose(
    situation: ParcelSituation,
    choice: str,
    day: str,
    today: date,
    calendar: BusinessCalendar,
) -> DeliveryChange:
    """The customer's choice as typed (`day` as ISO, empty unless another day), checked."""
    if situation.pending is not None:
        raise ChangeRefused("pending")
    if situation.already_chosen:
        raise ChangeRefused("chosen")
    if not offered(situation):
        raise ChangeRefused("not_offered")
    try:
        chosen = Choice(choice)
    except ValueError:
        raise ChangeRefused("unknown_choice") from None
    if chosen is not Choice.ANOTHER_DAY:
        return DeliveryChange(chosen, None)
    if not day.strip():
        raise ChangeRefused("day_needed")
    try:
        wanted = date.fromisoformat(day.strip())
    except ValueError:
        raise ChangeRefused("day_not_offered") from None
    if wanted not in days_offered(today, calendar):
        raise ChangeRefused("day_not_offered")
    return DeliveryChange(chosen, wanted)


def pending_choice(
    requested: list[tuple[str, int]], confirmed: list[int], settled: set[str]
) -> str | None:
    """The key of the latest choice still waiting, from the parcel's delivery-change events in
    fold order (`requested` as (key, position), `confirmed` as positions) and the keys of
    choices staff settled by hand (their case resolved)."""
    if not requested:
        return None
    key, at = requested[-1]
    if any(position > at for position in confirmed) or key in settled:
        return None
    return key


def failed_attempts(milestones: list[Milestone]) -> int:
    """Failed attempts on the parcel's journey, from its milestones in fold order (the
    caller leaves out duplicates and events their source may not assert)."""
    return sum(1 for milestone in milestones if milestone is Milestone.DELIVERY_ATTEMPTED)
