"""The simulated shop's returns desk: what staff do with returns, and how long they take.

Planning is pure (seeded, in the store's returns stream): the warranty team decides a claim
within a day or so; the desk attaches a return label soon after approval, books in goods that
came without one (and every refused parcel the carrier brings back), inspects what the policy
inspects within a working day or two (scrapping or refurbishing damaged units, recording how
many were damaged; sending defective ones back to the maker), then releases the refund or a
replacement. At run time each step is the use case the console and the API call.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ordertrail.app.returns import commands as do
from ordertrail.domain.milestones import Disposition, Milestone, SourceKind
from ordertrail.domain.model import DomainError, Source
from ordertrail.domain.returns.policy import ReturnPolicy
from ordertrail.domain.returns.return_lines import ReturnReason
from ordertrail.simulate.returns.truth import Line, ReturnPlan, find_automatic
from ordertrail.simulate.store import Parcel, Report, Store

if TYPE_CHECKING:
    from ordertrail.bootstrap import System
    from ordertrail.simulate.run import RunResult

DESK = Source(SourceKind.OPS, "staff:returns@sim-shop.example")
WARRANTY_DESK = Source(SourceKind.OPS, "staff:warranty@sim-shop.example")
#: Reasons whose goods the policy inspects before any refund (the default policy's).
INSPECTED = ReturnPolicy().inspect_reasons
#: Reasons after which a customer may take a replacement instead of the money, and how often.
REPLACED = {
    ReturnReason.WARRANTY: 0.7,
    ReturnReason.DAMAGED: 0.35,
    ReturnReason.DEFECTIVE: 0.35,
    ReturnReason.WRONG_ITEM: 0.35,
    ReturnReason.MISSING_PART: 0.35,
}
_R = ReturnReason


def approve_claim(store: Store, rng: random.Random, ref: str, asked: datetime) -> datetime:
    """The warranty team accepts a claim; when."""
    at = asked + timedelta(hours=rng.uniform(3, 30))
    _act(store, at, "approve", ref, why="warranty claim accepted: within the maker's warranty")
    return at


def attach_label(
    store: Store, rng: random.Random, ref: str, approved: datetime, tracking: str, carrier: str
) -> datetime:
    """The return label bought for an approved return, attached to it; when."""
    at = approved + timedelta(hours=rng.uniform(0.5, 3))
    _act(store, at, "label", ref, tracking=tracking, carrier=carrier)
    return at


def book_in(store: Store, ref: str, at: datetime, **more: Any) -> datetime:
    """Goods that came without a label, booked in at the desk; when."""
    _act(store, at, "receive", ref, **more)
    return at


def after_receipt(
    store: Store, rng: random.Random, ref: str, lines: tuple[Line, ...], back: datetime
) -> list[tuple[datetime, str]]:
    """What follows the goods' return, and what the return shows from when: refunded at
    once (the policy inspects none of its reasons), or inspected, then refunded or replaced."""
    reasons = [ReturnReason(reason) for _, _, reason in lines]
    if not any(reason in INSPECTED for reason in reasons):
        return [(back, Milestone.REFUND_RELEASED.value)]
    inspected = back + timedelta(hours=rng.uniform(3, 40))
    decided = [_inspection(rng, sku, quantity, ReturnReason(why)) for sku, quantity, why in lines]
    _act(store, inspected, "inspect", ref, lines=decided)
    released = inspected + timedelta(hours=rng.uniform(1, 30))
    replace = rng.random() < max(REPLACED.get(reason, 0.0) for reason in reasons)
    _act(store, released, "replace" if replace else "refund", ref)
    outcome = Milestone.REPLACEMENT_RELEASED if replace else Milestone.REFUND_RELEASED
    return [
        (back, Milestone.INSPECTION_PENDING.value),
        (inspected, Milestone.DISPOSITION_DECIDED.value),
        (released, outcome.value),
    ]


def _inspection(
    rng: random.Random, sku: str, quantity: int, reason: ReturnReason
) -> dict[str, Any]:
    damaged = 0
    if reason is _R.DAMAGED:
        disposition = Disposition.SCRAP if rng.random() < 0.6 else Disposition.REFURBISH
        damaged = quantity if rng.random() < 0.7 else rng.randint(1, quantity)
    elif reason in (_R.DEFECTIVE, _R.WARRANTY):
        disposition = Disposition.VENDOR_RETURN if rng.random() < 0.6 else Disposition.REFURBISH
    else:
        disposition = Disposition.RESTOCK
    return {"sku": sku, "disposition": disposition.value, "damaged": damaged}


def refused_parcel(store: Store, rng: random.Random, parcel: Parcel) -> ReturnPlan:
    """A refused parcel: OrderTrail opens its return when the carrier says so; the desk books
    it in when the carrier brings it back, and the policy refunds it on receipt."""
    ref = f"auto-{parcel.carton}"
    assert parcel.last_news is not None
    heard = parcel.last_news  # by then the return is open, whichever news opened it
    back = heard + timedelta(hours=rng.uniform(24, 72))
    book_in(store, ref, back, order=parcel.order_id, parcel=parcel.tracking)
    steps = ((heard, Milestone.RETURN_APPROVED.value), (back, Milestone.REFUND_RELEASED.value))
    return ReturnPlan(ref, parcel.order_id, (), steps, automatic=True, parcel=parcel.tracking)


def _act(store: Store, at: datetime, action: str, ref: str, **more: Any) -> None:
    store.reports.append(Report(at, "desk", {"action": action, "ref": ref, **more}))


def act(system: System, body: dict[str, Any], result: RunResult) -> None:
    """One step at the desk, through the returns use cases; a refusal is kept as the run's."""
    ref = body["ref"]
    rma = result.rmas.get(ref)
    if rma is None and body.get("parcel"):
        rma = find_automatic(system.uows, body["order"], body["parcel"])
        if rma:
            result.rmas[ref] = rma
    if rma is None:
        result.refused.append(f"returns desk {body['action']} {ref}: no return to act on")
        return
    try:
        for command in _commands(rma, body):
            system.handle(command)
    except DomainError as error:
        result.refused.append(f"returns desk {body['action']} {ref} ({rma}): {error}")


def _commands(rma: str, body: dict[str, Any]) -> list[Any]:
    action = body["action"]
    if action == "approve":
        return [do.DecideReturn(rma, True, WARRANTY_DESK, body["why"])]
    if action == "label":
        return [do.AttachLabel(rma, body["tracking"], DESK, body["carrier"])]
    if action == "receive":
        return [do.ReceiveReturn(rma, DESK, why="goods booked in at the returns desk")]
    if action == "inspect":
        return [
            do.InspectLine(rma, line["sku"], line["disposition"], DESK, line["damaged"])
            for line in body["lines"]
        ]
    if action == "refund":
        return [do.ReleaseRefund(rma, DESK, "refund released after inspection")]
    if action == "replace":
        return [do.ReleaseReplacement(rma, DESK, "replacement sent after inspection")]
    raise ValueError(f"the returns desk does not '{action}'")
