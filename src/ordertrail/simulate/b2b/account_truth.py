"""What the B2B accounts' orders and the van's parcels should show once their stories have
played out, against what OrderTrail concluded:

- an account's order: `partially_delivered` while a line shipped short is open (`delivered`
  otherwise), per line the units shipped, delivered, short and damaged as they really were,
  and one `dock_appointment_missed` case for each missed appointment, resolved once the
  truck was booked again;
- a van parcel: `delivered`, with its proof (the photo and the signature), after as many
  attempts as really happened.

Only what has fully reached us by the end of the run is judged (the demo stops at the hour
it is run)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.queries import order_detail, shipment_detail
from ordertrail.domain.casework.exceptions import ExceptionKind
from ordertrail.domain.model import Subject, SubjectKind
from ordertrail.simulate.b2b.accounts import B2BOrder
from ordertrail.simulate.fleet.local_round import LocalParcel
from ordertrail.simulate.store import Store


@dataclass(slots=True)
class AccountsVerdict:
    judged: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    missed: int = 0  # appointments missed, as the cases say
    still_open: list[str] = field(default_factory=list)  # a missed case not resolved
    mismatches: list[str] = field(default_factory=list)


@dataclass(slots=True)
class VanVerdict:
    judged: int = 0
    delivered_with_proof: int = 0
    attempts: int = 0
    routes: int = 0
    mismatches: list[str] = field(default_factory=list)


def judge_accounts(uows: UnitOfWorkFactory, store: Store, ended: datetime) -> AccountsVerdict:
    verdict = AccountsVerdict()
    for plan in store.accounts:
        if plan.last_news is None or plan.last_news > ended:
            continue
        verdict.judged += 1
        detail = order_detail(uows, plan.order_id)
        if detail is None:
            verdict.mismatches.append(f"{plan.order_id}: not known")
            continue
        status = str(detail.status)
        verdict.by_status[status] += 1
        expected = "partially_delivered" if plan.short else "delivered"
        if status != expected:
            verdict.mismatches.append(f"{plan.order_id}: {status}, not {expected}")
        lines = {
            line.sku: (line.shipped, line.delivered, line.short, line.damaged)
            for line in detail.line_progress
        }
        if lines != _lines(plan):
            verdict.mismatches.append(f"{plan.order_id}: lines {lines}, not {_lines(plan)}")
        _judge_cases(uows, plan, verdict)
    return verdict


def _lines(plan: B2BOrder) -> dict[str, tuple[int, int, int, int]]:
    shipped = Counter[str]()
    for pallet in plan.pallets:
        shipped.update(dict(pallet.lines))
    short, damaged = dict(plan.short), dict(plan.damaged)
    skus = set(shipped) | set(short)
    return {
        sku: (shipped[sku], shipped[sku], short.get(sku, 0), damaged.get(sku, 0)) for sku in skus
    }


def _judge_cases(uows: UnitOfWorkFactory, plan: B2BOrder, verdict: AccountsVerdict) -> None:
    """One missed-appointment case per miss, each resolved; no other case on the order or its
    pallets (a pallet waiting days for its dock slot is not stalled: its carrier says so)."""
    order = Subject(SubjectKind.ORDER, plan.order_id)
    pallets = [Subject(SubjectKind.SHIPMENT, pallet.sscc) for pallet in plan.pallets]
    with uows(read_only=True) as uow:
        found = uow.cases.for_subjects([order, *pallets], open_only=False)
    cases = [case for subject_cases in found.values() for case in subject_cases]
    missed = [case for case in cases if case.kind is ExceptionKind.DOCK_APPOINTMENT_MISSED]
    verdict.missed += len(missed)
    if len(missed) != plan.misses:
        said = f"{len(missed)} dock_appointment_missed cases, not {plan.misses}"
        verdict.mismatches.append(f"{plan.order_id}: {said}")
    verdict.still_open += [plan.order_id for case in missed if case.status.value != "resolved"]
    verdict.mismatches += [
        f"{plan.order_id}: a false alarm on {case.subject.id}: {case.kind.value}"
        for case in cases
        if case.kind is not ExceptionKind.DOCK_APPOINTMENT_MISSED
    ]


def judge_van(uows: UnitOfWorkFactory, store: Store, ended: datetime) -> VanVerdict:
    verdict = VanVerdict(routes=sum(1 for r in store.rounds if r.planned <= ended))
    for parcel in store.local:
        if parcel.delivered is None or parcel.last_news is None or parcel.last_news > ended:
            continue
        verdict.judged += 1
        verdict.attempts += parcel.attempts
        problem = _van_parcel(uows, parcel)
        if problem:
            verdict.mismatches.append(f"{parcel.tracking} ({parcel.order_id}): {problem}")
        else:
            verdict.delivered_with_proof += 1
    return verdict


def _van_parcel(uows: UnitOfWorkFactory, parcel: LocalParcel) -> str | None:
    detail = shipment_detail(uows, parcel.tracking)
    if detail is None:
        return "not known"
    if detail.status != "delivered":
        return f"{detail.status}, not delivered"
    attempts = sum(1 for row in detail.timeline if row.milestone == "delivery_attempted")
    if attempts != parcel.attempts:
        return f"{attempts} attempts shown, not {parcel.attempts}"
    with uows(read_only=True) as uow:
        subject = Subject(SubjectKind.SHIPMENT, detail.id)
        cases = uow.cases.for_subjects([subject], open_only=False).get(subject, [])
    kinds = sorted(case.kind.value for case in cases)
    if kinds != ["failed_attempt"] * bool(parcel.attempts):  # at most one, once delivered
        return f"cases {kinds} after {parcel.attempts} attempts"
    if any(case.status.value != "resolved" for case in cases):
        return "its failed attempt's case is still open after delivery"
    delivery = [row for row in detail.timeline if row.milestone == "delivered"]
    proof = delivery[-1].data.get("proof") if delivery else None
    if not isinstance(proof, dict) or not (proof.get("photo") and proof.get("signature")):
        return "delivered without its photo and signature"
    return None


def account_figures(
    accounts: AccountsVerdict, van: VanVerdict, store: Store, tokens: Mapping[str, str]
) -> dict[str, Any]:
    """The demo's figures of the accounts and the van (with the truth's counts); `tokens` are
    the order links' tokens customers were sent, by order."""
    return {
        "b2b": {
            "orders": len(store.accounts),
            "by_status": dict(sorted(accounts.by_status.items())),
            "dock_appointments_missed": accounts.missed,
            "missed_still_open": len(accounts.still_open),
            "judged": accounts.judged,
            "mismatches": len(accounts.mismatches),
        },
        "van": {
            "routes": van.routes,
            "parcels": len(store.local),
            "delivered_with_proof": van.delivered_with_proof,
            "attempts": van.attempts,
            "judged": van.judged,
            "mismatches": len(van.mismatches),
        },
        "b2b_and_van_details": accounts.mismatches + van.mismatches,
        "b2b_showcase": showcase_b2b(store, tokens),
    }


def showcase_b2b(store: Store, tokens: Mapping[str, str]) -> dict[str, str | None]:
    """An account's order whose appointment was missed, and a van parcel delivered with proof
    (after an attempt, if one was) with its order's link, worth opening first."""
    missed = next((p.order_id for p in store.accounts if p.misses), None)
    ranked = sorted(
        (p for p in store.local if p.delivered),
        key=lambda p: (p.order_id not in tokens, p.attempts == 0, p.delivered),
    )
    parcel = ranked[0] if ranked else None
    return {
        "missed_order": missed,
        "van_parcel": parcel.tracking if parcel else None,
        "van_order_token": tokens.get(parcel.order_id) if parcel else None,
    }
