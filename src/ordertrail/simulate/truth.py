"""What the system concluded, checked against what really happened in the simulated store.

Only parcels whose fate could be known by the end of the run are judged: a parcel still on
the road when the run stops is neither a miss nor a success yet.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ordertrail.app.casework.cases import find_cases
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.queries import ShipmentDetail, shipment_detail
from ordertrail.domain.casework.cases import Case
from ordertrail.domain.casework.exceptions import DEFAULT_RHYTHM
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.warehouse import HandOffPromise
from ordertrail.simulate.run import Sent
from ordertrail.simulate.store import ARRIVES, EXPECTED, TELLING, Fate, Parcel, Store

#: messages that would be untrue of a parcel that never reached the customer
ONLY_IF_ARRIVED = frozenset({"delivered"})
ONLY_IF_MOVING = frozenset({"shipped", "out_for_delivery", "delivered"})
#: customer messages about trouble (which staff must have heard of first), and the fates of
#: which each is true
TROUBLE_MESSAGES = {
    "failed_attempt": {Fate.FAILED_ATTEMPT},
    "address_issue": {Fate.ADDRESS_ISSUE},
    "damaged": {Fate.DAMAGED},
    "lost": {Fate.DECLARED_LOST},
    "returned_to_sender": {Fate.REFUSED},
}
#: how long after the rule could first see it a time-based case may open (the sweep's hour)
SLACK = timedelta(hours=2)


@dataclass(slots=True)
class Verdict:
    judged: int = 0
    misses: list[str] = field(default_factory=list)
    #: trouble that reached us already overtaken (the attempt in one backlog with the
    #: delivery): no rule should act on it, so it is neither flagged nor a miss
    overtaken: list[str] = field(default_factory=list)
    flagged_late: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    not_shown_delivered: list[str] = field(default_factory=list)
    contradicting: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    customer_before_staff: list[str] = field(default_factory=list)
    max_smooth_routine: int = 0
    over_budget: list[str] = field(default_factory=list)
    exceptions_by_kind: dict[str, int] = field(default_factory=dict)
    messages_by_kind: dict[str, int] = field(default_factory=dict)
    messages_per_order: dict[str, int] = field(default_factory=dict)
    #: delivered parcels that had a delivery window, and how often their customers saw it
    #: change (out for delivery narrows it to the day itself: whether it held is what
    #: `bench eta` measures, from hand-off on)
    eta_judged: int = 0
    eta_changes: int = 0


def judge(uows: UnitOfWorkFactory, store: Store, sent: list[Sent], end: datetime) -> Verdict:
    verdict = Verdict()
    cases = find_cases(uows, CaseQuery(status=None, limit=1_000_000))
    by_parcel: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        by_parcel[case.subject.id].append(case)
    verdict.exceptions_by_kind = dict(Counter(case.kind.value for case in cases))
    for parcel in store.parcels:
        if evident(parcel) > end:
            continue
        verdict.judged += 1
        _parcel(uows, store, parcel, by_parcel.get(parcel.carton, []), verdict)
    _messages(store, sent, end, verdict)
    return verdict


def evident(parcel: Parcel) -> datetime:
    """When the system could know the parcel's fate: its last news, plus, for trouble that is
    the absence of news, the wait its rule allows."""
    assert parcel.last_news is not None
    if parcel.fate is Fate.LOST:
        return parcel.scans[-1].at + DEFAULT_RHYTHM[Milestone.IN_TRANSIT] + SLACK
    if parcel.fate is Fate.NEVER_HANDED_OFF:
        assert parcel.packed is not None
        return parcel.packed + HandOffPromise().packed_within + SLACK
    return parcel.last_news + SLACK


def _parcel(
    uows: UnitOfWorkFactory, store: Store, parcel: Parcel, cases: list[Case], verdict: Verdict
) -> None:
    found = {case.kind.value for case in cases}
    wanted = EXPECTED.get(parcel.fate)
    name = f"{parcel.carton} ({parcel.carrier} {parcel.tracking}, {parcel.fate})"
    telling = TELLING.get(parcel.fate)
    if wanted and telling and telling not in parcel.heard_newest and wanted not in found:
        verdict.overtaken.append(f"{name}: {telling} reached us overtaken")
    elif wanted and wanted not in found:
        verdict.misses.append(f"{name}: no {wanted} case")
    elif wanted in ("stalled", "missing_scan"):
        opened = min(c.opened_at for c in cases if c.kind.value == wanted)
        if opened > evident(parcel):
            verdict.flagged_late.append(f"{name}: {wanted} opened {opened.isoformat()}")
    if parcel.fate is Fate.SMOOTH and found:
        outage = store.outage
        silenced = parcel.carrier == outage.carrier and any(
            outage.begins <= case.opened_at <= outage.ends + SLACK for case in cases
        )
        why = " while its carrier was silent" if silenced else ""
        verdict.false_alarms.append(f"{name}: {sorted(found)}{why}")
    if parcel.fate in ARRIVES:
        detail = shipment_detail(uows, parcel.carton)
        if detail is None or detail.status != "delivered":
            verdict.not_shown_delivered.append(name)
        else:
            _window_kept(detail, verdict)


def _window_kept(detail: ShipmentDetail, verdict: Verdict) -> None:
    """How often the window its customer saw changed."""
    if detail.eta.earliest is None:
        return
    verdict.eta_judged += 1
    verdict.eta_changes += detail.eta.changed


def _messages(store: Store, sent: list[Sent], end: datetime, verdict: Verdict) -> None:
    fates = {p.carton: p.fate for p in store.parcels}
    customer = [s for s in sent if s.audience == "customer" and s.channel == "email"]
    verdict.messages_by_kind = dict(Counter(s.kind for s in customer))
    verdict.messages_per_order = dict(Counter(s.order_id for s in customer))
    seen: set[tuple[str, str]] = set()
    for message in customer:
        fate = fates.get(message.subject_id)
        if fate is not None and message.kind in ONLY_IF_ARRIVED and fate not in ARRIVES:
            verdict.contradicting.append(f"{message.subject_id} ({fate}): {message.kind}")
        if fate is Fate.NEVER_HANDED_OFF and message.kind in ONLY_IF_MOVING:
            verdict.contradicting.append(f"{message.subject_id} ({fate}): {message.kind}")
        if (
            message.kind in TROUBLE_MESSAGES
            and fate is not None
            and fate not in TROUBLE_MESSAGES[message.kind]
        ):
            verdict.contradicting.append(f"{message.subject_id} ({fate}): {message.kind}")
        key = (message.subject_id, message.kind)
        if key in seen and message.kind != "failed_attempt":
            verdict.duplicates.append(f"{key}")
        seen.add(key)
    _order_budgets(store, customer, end, verdict)
    _staff_first(sent, customer, verdict)
    _nothing_late(customer, verdict)


def _order_budgets(store: Store, customer: list[Sent], end: datetime, verdict: Verdict) -> None:
    """Smooth single-parcel routine orders: at most 4 messages; others: one more per
    problem the customer can act on or must know of (a failed attempt, a delay, trouble).
    A return's messages answer the customer's own request: they are not counted here."""
    per_order = Counter(m.order_id for m in customer if m.subject_kind != "return")
    parcels: dict[str, list[Parcel]] = defaultdict(list)
    for parcel in store.parcels:
        parcels[parcel.order_id].append(parcel)
    priorities = store.priorities
    for order_id, theirs in parcels.items():
        if len(theirs) != 1 or evident(theirs[0]) > end:
            continue
        fates = [p.fate for p in theirs]
        count = per_order.get(order_id, 0)
        if fates == [Fate.SMOOTH] and priorities[order_id] == "routine":
            verdict.max_smooth_routine = max(verdict.max_smooth_routine, count)
        told = {fate for fates in TROUBLE_MESSAGES.values() for fate in fates} | {Fate.DELAYED}
        budget = 4 + sum(1 for fate in fates if fate in told)
        if priorities[order_id] == "routine" and count > budget:
            verdict.over_budget.append(f"{order_id}: {count} messages")


def _staff_first(sent: list[Sent], customer: list[Sent], verdict: Verdict) -> None:
    first_alert: dict[str, datetime] = {}
    for s in sorted(sent, key=lambda s: s.at):
        if s.audience == "staff" and s.channel == "team":
            first_alert.setdefault(s.subject_id, s.at)
    for message in customer:
        if message.kind in TROUBLE_MESSAGES:
            alert = first_alert.get(message.subject_id)
            if alert is None or alert > message.at:
                verdict.customer_before_staff.append(message.subject_id)


def _nothing_late(customer: list[Sent], verdict: Verdict) -> None:
    """No "out for delivery" (or "in transit") once "delivered" went out for the parcel."""
    delivered = {m.subject_id: m.at for m in customer if m.kind == "delivered"}
    for message in customer:
        done = delivered.get(message.subject_id)
        moving = message.kind in ("out_for_delivery", "in_transit", "shipped")
        if moving and done and message.at > done:
            verdict.late.append(f"{message.subject_id}: {message.kind} after delivered")
