"""What each simulated return should come to, checked against what OrderTrail derived.

A return's plan (made before the run, from what really happens) lists the status it should
show from each moment on; at the end of the run each return that anybody could know of by
then is compared with the status its events fold to. A refused parcel that came back without
becoming a return is reported apart (`refused_not_returned`): the returns team never saw it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.returns.views import list_returns, return_view
from ordertrail.simulate.store import ARRIVES, Parcel, Store

Line = tuple[str, int, str]  # sku, quantity, reason

#: What the demo counts each return status as.
STATES = {
    "return_requested": "requested",
    "return_approved": "approved",
    "return_pickup_scheduled": "approved",
    "return_in_transit": "in_transit",
    "return_received": "received",
    "inspection_pending": "received",
    "disposition_decided": "received",
    "refund_released": "refunded",
    "replacement_released": "replaced",
    "return_rejected": "rejected",
}
#: Customers ask for a return within this of delivery (the late ones aside): the return rate
#: is measured over the orders delivered at least this long before the end.
ASKED_WITHIN = timedelta(days=7)
#: Enough for every return of a simulated shop in one page.
ALL = 1_000_000


@dataclass(frozen=True, slots=True)
class ReturnPlan:
    """One return as it really goes, and what OrderTrail should show of it when."""

    ref: str  # the simulator's name for it, until OrderTrail gives it an RMA
    order_id: str
    lines: tuple[Line, ...]
    #: (when the news reaches us, the return's status from then on), oldest first
    steps: tuple[tuple[datetime, str], ...]
    automatic: bool = False  # a refused parcel coming back, opened by OrderTrail itself
    parcel: str | None = None  # that parcel's tracking number
    label: str | None = None  # the return label's tracking number

    def expected(self, at: datetime) -> str | None:
        """The status the return should show at `at` (None: nobody could know of it yet)."""
        shown = None
        for when, status in self.steps:
            if when <= at:
                shown = status
        return shown

    @property
    def outcome(self) -> str:
        return self.steps[-1][1]


def delivered(parcel: Parcel) -> datetime | None:
    """When the parcel reached its customer (None if it never did)."""
    if parcel.fate not in ARRIVES:
        return None
    return next((s.at for s in parcel.scans if s.word == "delivered"), None)


def find_automatic(uows: UnitOfWorkFactory, order_id: str, parcel: str) -> str | None:
    """The RMA OrderTrail opened by itself for a parcel coming back (its request names it)."""
    for listed in list_returns(uows, order_id=order_id, limit=ALL).returns:
        view = return_view(uows, listed.id)
        if view and view.timeline and view.timeline[0].data.get("parcel") == parcel:
            return view.id
    return None


@dataclass(slots=True)
class ReturnVerdict:
    judged: int = 0
    mismatches: list[str] = field(default_factory=list)
    refused_not_returned: list[str] = field(default_factory=list)
    #: every return OrderTrail holds, counted by what it shows (see STATES)
    by_state: dict[str, int] = field(default_factory=dict)
    #: orders delivered long enough ago that their customers have asked (ASKED_WITHIN) ...
    delivered_orders: int = 0
    #: ... and the returns their customers asked for
    customer_returns: int = 0

    @property
    def rate(self) -> float:
        """Customer returns per delivered order, over the orders delivered a while ago."""
        return self.customer_returns / self.delivered_orders if self.delivered_orders else 0.0


def judge_returns(
    uows: UnitOfWorkFactory, store: Store, rmas: dict[str, str], end: datetime
) -> ReturnVerdict:
    """`rmas`: the RMA each simulated return got (the run's `RunResult.rmas`)."""
    verdict = ReturnVerdict()
    shown = {r.id: r.status for r in list_returns(uows, limit=ALL).returns}
    verdict.by_state = dict(Counter(STATES.get(s or "", s or "none") for s in shown.values()))
    for plan in store.returns:
        expected = plan.expected(end)
        if expected is None:
            continue
        verdict.judged += 1
        rma = rmas.get(plan.ref)
        if rma is None and plan.automatic and plan.parcel:
            rma = find_automatic(uows, plan.order_id, plan.parcel)
        name = f"{plan.ref} (order {plan.order_id})"
        if rma is None and plan.automatic:
            verdict.refused_not_returned.append(f"{name}: parcel {plan.parcel}")
        elif rma is None:
            verdict.mismatches.append(f"{name}: no return opened, expected {expected}")
        elif shown.get(rma) != expected:
            verdict.mismatches.append(f"{name} {rma}: expected {expected}, shows {shown.get(rma)}")
    settled = _delivered_orders(store, end - ASKED_WITHIN)
    verdict.delivered_orders = len(settled)
    verdict.customer_returns = sum(
        1
        for plan in store.returns
        if not plan.automatic and plan.ref in rmas and plan.order_id in settled
    )
    return verdict


def _delivered_orders(store: Store, by: datetime) -> set[str]:
    """Orders whose every parcel reached its customer by `by`."""
    arrived: dict[str, list[datetime | None]] = {}
    for parcel in store.parcels:
        arrived.setdefault(parcel.order_id, []).append(delivered(parcel))
    return {o for o, times in arrived.items() if all(t is not None and t <= by for t in times)}
