"""How staff read what the rules and carriers said: milestones and reasons in words, and how
long a parcel has gone without news counted when it is shown, not when its case opened.

The codes stay in the data (cases, events, the API); only what people read is put in words.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from ordertrail.domain.casework.cases import CaseStatus
from ordertrail.domain.casework.exceptions import ExceptionKind, Team
from ordertrail.domain.milestones import Milestone, Reason

#: Where a code alone would mislead: `exception` is the carrier's, not ours.
_MILESTONE = {Milestone.EXCEPTION: "carrier exception"}
_MILESTONES = frozenset(m.value for m in Milestone)
_CODES = _MILESTONES | {r.value for r in Reason}
#: `delivery_attempted (recipient_unavailable)`, `returned_to_sender`, `exception (lost)`:
#: how the rules write what a carrier said into a case.
_SAID = re.compile(r"\b(?P<code>[a-z]+(?:_[a-z]+)*)(?: \((?P<reason>[a-z]+(?:_[a-z]+)*)\))?")


def milestone_words(milestone: Milestone | str) -> str:
    code = Milestone(milestone)
    return _MILESTONE.get(code, code.value.replace("_", " "))


def reason_words(reason: Reason | str) -> str:
    return Reason(reason).value.replace("_", " ")


def in_words(text: str) -> str:
    """A case's detail or note with the codes the rules wrote put in words:
    `delivery_attempted (recipient_unavailable)` reads `delivery attempted: recipient
    unavailable`. A plain word someone typed (`delivered`, `lost`) is left as it is."""

    def words(found: re.Match[str]) -> str:
        code, reason = found.group("code"), found.group("reason")
        if code not in _CODES or (reason and reason not in _CODES):
            return found.group(0)
        if reason:
            return f"{_said(code)}: {_said(reason)}"
        return _said(code) if "_" in code else code

    return _SAID.sub(words, text)


def _said(code: str) -> str:
    return milestone_words(code) if code in _MILESTONES else reason_words(code)


def quiet_for(status: Milestone, since: datetime, now: datetime) -> str:
    """A stalled parcel, as of `now`: `in transit, no news for 14 days`."""
    return f"{milestone_words(status)}, no news for {duration(now - since)}"


def duration(span: timedelta) -> str:
    hours = max(0, int(span.total_seconds() // 3600))
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


#: What each kind of case is about, as staff say it (the code stays in the data and filters).
_KINDS = {
    ExceptionKind.STALLED: "no news from the carrier",
    ExceptionKind.FAILED_ATTEMPT: "delivery attempt failed",
    ExceptionKind.ADDRESS_ISSUE: "address problem",
    ExceptionKind.DESTINATION_MISMATCH: "delivered somewhere else",
    ExceptionKind.REFUSED: "refused at the door",
    ExceptionKind.DAMAGED: "damaged",
    ExceptionKind.LOST: "lost",
    ExceptionKind.CUSTOMS_HOLD: "held at customs",
    ExceptionKind.CARRIER_EXCEPTION: "carrier reported a problem",
    ExceptionKind.RETURNED_TO_SENDER: "on its way back to us",
    ExceptionKind.MISSING_SCAN: "a scan is missing",
    ExceptionKind.RETURN_IN_MOTION: "return on its way",
    ExceptionKind.RETURN_NOT_INSPECTED: "return not inspected yet",
    ExceptionKind.REFUND_HELD: "refund held",
    ExceptionKind.REPORTED_MISSING: "delivered, but the customer says it never came",
    ExceptionKind.STATUS_CONFLICT: "sources disagree",
    ExceptionKind.PROMISE_MISSED: "promised day missed",
    ExceptionKind.DOCK_APPOINTMENT_MISSED: "dock appointment missed",
    ExceptionKind.DELIVERY_CHANGE: "customer asked to change the delivery",
    ExceptionKind.CUSTOMER_MESSAGE: "message from the customer",
}
_TEAMS = {
    Team.OPERATIONS: "Operations",
    Team.SUPPORT: "Customer support",
    Team.WAREHOUSE: "Warehouse",
    Team.RETURNS: "Returns desk",
    Team.ACCOUNTS: "Account managers",
}
_STATUSES = {CaseStatus.OPEN: "open", CaseStatus.RESOLVED: "resolved"}
_AGES = {"4h": "4 hours", "24h": "a day", "3d": "3 days"}


def kind_words(kind: ExceptionKind | str) -> str:
    return _KINDS[ExceptionKind(kind)]


def team_words(team: Team | str) -> str:
    return _TEAMS[Team(team)]


def case_status_words(status: CaseStatus | str) -> str:
    return _STATUSES[CaseStatus(status)]


def age_words(age: str) -> str:
    """`24h` as a filter's label says it: older than `a day`."""
    return _AGES.get(age, age)


def kinds_in_words(counted: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """A chart's (kind, count) rows with each kind in words."""
    return [(kind_words(kind) if kind in _KIND_CODES else kind, n) for kind, n in counted]


_KIND_CODES = frozenset(kind.value for kind in ExceptionKind)


def message_words(kind: str) -> str:
    """What a queued message is, in words: `exception:failed_attempt` is an alert to staff."""
    topic, _, about = kind.partition(":")
    if topic == "exception" and about in _KIND_CODES:
        return f"alert to staff: {kind_words(about)}"
    return kind.replace("_", " ").replace(":", ": ")
