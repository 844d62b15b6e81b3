"""The help a tracking page offers, matched to where the parcel is: for a stall we already
noticed, the case we opened and when; for a failed attempt, what happens next; for an address
problem, confirm the address; for a delivery that is not there, the carrier's proof and the
steps to take. Said in whole sentences, marked for translation, at request time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum

from ordertrail.domain.casework.cases import Case, CaseStatus
from ordertrail.domain.casework.exceptions import ExceptionKind
from ordertrail.domain.customer.delivery_proof import DeliveryProof
from ordertrail.domain.customer.trouble_details import TroubleDetails
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.languages import dates
from ordertrail.languages.speech import _


class Situation(StrEnum):
    ADDRESS_ISSUE = "address_issue"
    FAILED_ATTEMPT = "failed_attempt"
    AT_PICKUP_POINT = "at_pickup_point"
    STALLED = "stalled"
    DELIVERED = "delivered"
    ON_ITS_WAY = "on_its_way"


@dataclass(frozen=True, slots=True)
class SupportPrompt:
    situation: Situation
    heading: str
    says: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)  # in order, for a list the reader follows
    #: when a case on this parcel was opened, and when the customer last wrote, if they did
    case_opened_at: datetime | None = None
    message_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ParcelSituation:
    status: Milestone | None
    reason: Reason | None
    trouble: TroubleDetails
    proof: DeliveryProof | None
    open_cases: Sequence[Case]  # this parcel's open cases
    zone: tzinfo


def support_prompt(parcel: ParcelSituation) -> SupportPrompt:
    """The prompt for the parcel's situation, the most pressing first."""
    stall = _opened(parcel.open_cases, {ExceptionKind.STALLED})
    anything = _opened(parcel.open_cases, None)
    wrote = _last_message(parcel.open_cases)
    at = _time(stall, parcel.zone) if stall else None
    if parcel.reason is Reason.ADDRESS_ISSUE:
        prompt = _address()
    elif parcel.status is Milestone.DELIVERY_ATTEMPTED:
        prompt = _failed_attempt(parcel.trouble)
    elif parcel.status is Milestone.AVAILABLE_FOR_PICKUP:
        prompt = _at_pickup(parcel.trouble)
    elif stall is not None and at is not None:
        prompt = SupportPrompt(
            Situation.STALLED,
            _("We noticed your parcel has stopped moving"),
            [
                _("We noticed and opened a case with the carrier at %(time)s on %(day)s.")
                % {"time": at[0], "day": at[1]},
                _("We will write to you when the carrier answers; you do not need to do anything."),
            ],
        )
    elif parcel.status is Milestone.DELIVERED:
        prompt = _delivered(parcel.proof)
    else:
        prompt = SupportPrompt(
            Situation.ON_ITS_WAY,
            _("Questions about your parcel?"),
            [_("Our support team is happy to help.")],
        )
    return SupportPrompt(
        prompt.situation,
        prompt.heading,
        prompt.says,
        prompt.steps,
        case_opened_at=anything.astimezone(parcel.zone) if anything else None,
        message_at=wrote.astimezone(parcel.zone) if wrote else None,
    )


def _address() -> SupportPrompt:
    return SupportPrompt(
        Situation.ADDRESS_ISSUE,
        _("Please confirm your address"),
        [_("The carrier could not deliver: the address could not be found or is incomplete.")],
        [
            _("Check the address on your order confirmation."),
            _("Contact support below with the full address, with any flat number or door code."),
            _("We pass it to the carrier, who tries again."),
        ],
    )


def _failed_attempt(trouble: TroubleDetails) -> SupportPrompt:
    says = []
    if trouble.next_attempt is not None:
        day = dates.weekday_date(trouble.next_attempt)
        says.append(_("The carrier will try again on %(day)s.") % {"day": day})
    else:
        says.append(_("The carrier usually tries again on the next working day."))
    if trouble.pickup_point:
        says.append(_("You can also collect it at %(place)s.") % {"place": trouble.pickup_point})
    says.append(_("If nobody will be in, contact support and we will find another way."))
    return SupportPrompt(Situation.FAILED_ATTEMPT, _("The carrier could not deliver"), says)


def _at_pickup(trouble: TroubleDetails) -> SupportPrompt:
    says = [_("Bring an ID and your tracking number to collect it.")]
    if trouble.pickup_point:
        says.insert(
            0, _("Your parcel is waiting for you at %(place)s.") % {"place": trouble.pickup_point}
        )
    if trouble.opening_hours:
        says.append(_("Opening hours: %(hours)s.") % {"hours": trouble.opening_hours})
    return SupportPrompt(Situation.AT_PICKUP_POINT, _("Ready to collect"), says)


def _delivered(proof: DeliveryProof | None) -> SupportPrompt:
    says = []
    if proof is not None and proof.left:
        says.append(_("The carrier says: %(proof)s.") % {"proof": proof.left})
    return SupportPrompt(
        Situation.DELIVERED,
        _("Shown as delivered, but not there?"),
        says,
        [
            _("Look around your door, your mailbox and any safe place."),
            _("Ask your neighbours and anyone else at your address."),
            _("Still missing? Tell us, and we open a case with the carrier."),
        ],
    )


def _opened(cases: Sequence[Case], kinds: set[ExceptionKind] | None) -> datetime | None:
    opened = [
        case.opened_at
        for case in cases
        if case.status is CaseStatus.OPEN and (kinds is None or case.kind in kinds)
    ]
    return min(opened, default=None)


def _last_message(cases: Sequence[Case]) -> datetime | None:
    return max(
        (note.at for case in cases for note in case.history if note.by == CUSTOMER),
        default=None,
    )


#: who a customer's own note on a case is by
CUSTOMER = "customer"


def _time(at: datetime, zone: tzinfo) -> tuple[str, str]:
    local = at.astimezone(zone)
    return dates.clock(local), dates.short_day(local)
