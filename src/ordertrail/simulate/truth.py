"""What the system concluded, checked against what really happened in the simulated store."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from ordertrail.app.cases import find_cases
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.queries import shipment_detail
from ordertrail.simulate.run import Sent
from ordertrail.simulate.store import EXPECTED, Fate, Store

#: fates in which the parcel reaches the customer
ARRIVES = frozenset({Fate.SMOOTH, Fate.FAILED_ATTEMPT, Fate.DELAYED})
#: messages that would be untrue of a parcel that never reached the customer
ONLY_IF_ARRIVED = frozenset({"delivered"})
ONLY_IF_MOVING = frozenset({"shipped", "out_for_delivery", "delivered"})
#: customer messages about trouble, which staff must have heard of first
TROUBLE_MESSAGES = frozenset({"failed_attempt"})


@dataclass(slots=True)
class Verdict:
    misses: list[str] = field(default_factory=list)
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


def judge(uows: UnitOfWorkFactory, store: Store, sent: list[Sent]) -> Verdict:
    verdict = Verdict()
    cases = find_cases(uows, CaseQuery(status=None, limit=1_000_000))
    by_parcel: dict[str, set[str]] = defaultdict(set)
    for case in cases:
        by_parcel[case.subject.id].add(case.kind.value)
    verdict.exceptions_by_kind = dict(Counter(case.kind.value for case in cases))
    for parcel in store.parcels:
        found = by_parcel.get(parcel.tracking, set())
        wanted = EXPECTED.get(parcel.fate)
        if wanted and wanted not in found:
            verdict.misses.append(f"{parcel.tracking} ({parcel.fate}): no {wanted} case")
        if parcel.fate is Fate.SMOOTH and found:
            verdict.false_alarms.append(f"{parcel.tracking}: {sorted(found)}")
        if parcel.fate in ARRIVES:
            detail = shipment_detail(uows, parcel.tracking)
            if detail is None or detail.status != "delivered":
                verdict.not_shown_delivered.append(parcel.tracking)
    _messages(store, sent, verdict)
    return verdict


def _messages(store: Store, sent: list[Sent], verdict: Verdict) -> None:
    fates = {p.tracking: p.fate for p in store.parcels}
    customer = [s for s in sent if s.audience == "customer" and s.channel == "email"]
    verdict.messages_by_kind = dict(Counter(s.kind for s in customer))
    seen: set[tuple[str, str]] = set()
    for message in customer:
        fate = fates.get(message.subject_id)
        if fate is not None and message.kind in ONLY_IF_ARRIVED and fate not in ARRIVES:
            verdict.contradicting.append(f"{message.subject_id} ({fate}): {message.kind}")
        if fate is Fate.NEVER_HANDED_OFF and message.kind in ONLY_IF_MOVING:
            verdict.contradicting.append(f"{message.subject_id} ({fate}): {message.kind}")
        key = (message.subject_id, message.kind)
        if key in seen and message.kind != "failed_attempt":
            verdict.duplicates.append(f"{key}")
        seen.add(key)
    _order_budgets(store, customer, verdict)
    _staff_first(sent, customer, verdict)
    _nothing_late(customer, verdict)


def _order_budgets(store: Store, customer: list[Sent], verdict: Verdict) -> None:
    """Smooth single-parcel routine orders: at most 4 messages; others: one more per
    problem the customer can act on (a failed attempt)."""
    per_order = Counter(message.order_id for message in customer)
    parcels: dict[str, list[Fate]] = defaultdict(list)
    for parcel in store.parcels:
        parcels[parcel.order_id].append(parcel.fate)
    for order_id, fates in parcels.items():
        if len(fates) != 1:
            continue
        count = per_order.get(order_id, 0)
        if fates == [Fate.SMOOTH] and store.priorities[order_id] == "routine":
            verdict.max_smooth_routine = max(verdict.max_smooth_routine, count)
        budget = 4 + sum(1 for fate in fates if fate in (Fate.FAILED_ATTEMPT, Fate.DELAYED))
        if store.priorities[order_id] == "routine" and count > budget:
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
