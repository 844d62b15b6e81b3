"""What the returns flow refuses, each with a message naming the field and the reason.

Every check runs before anything is recorded, so a refused action changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ordertrail.domain.milestones import Disposition, Milestone
from ordertrail.domain.model import DomainError, Money
from ordertrail.domain.returns.return_lines import LineProgress, ReturnFile, ReturnLine

#: Once goods are in hand a return can no longer be turned down, only decided line by line.
_BEFORE_RECEIPT = frozenset(
    {
        None,
        Milestone.RETURN_REQUESTED,
        Milestone.RETURN_APPROVED,
        Milestone.RETURN_PICKUP_SCHEDULED,
        Milestone.RETURN_IN_TRANSIT,
    }
)


def check_request(
    order_id: str,
    lines: Sequence[ReturnLine],
    ordered: Mapping[str, int],
    delivered: Mapping[str, int],
    returned: Mapping[str, int],
) -> None:
    """`ordered`/`delivered` units per SKU of the order; `returned` those already on its
    other returns (rejected ones aside)."""
    if not lines:
        raise DomainError("lines", "name at least one line to return (SKU, quantity, reason)")
    seen: set[str] = set()
    for line in lines:
        if line.sku in seen:
            raise DomainError("lines", f"'{line.sku}' is listed twice; give it once")
        seen.add(line.sku)
        if line.sku not in ordered:
            on_order = ", ".join(sorted(ordered)) or "none"
            raise DomainError(
                "lines.sku", f"'{line.sku}' is not on order {order_id} (its lines: {on_order})"
            )
        left = delivered.get(line.sku, 0) - returned.get(line.sku, 0)
        if line.quantity > left:
            raise DomainError("lines.quantity", _too_many(line, delivered, returned))


def _too_many(line: ReturnLine, delivered: Mapping[str, int], returned: Mapping[str, int]) -> str:
    got, back = delivered.get(line.sku, 0), returned.get(line.sku, 0)
    if not got:
        return f"{line.sku}: none has been delivered yet, so none can be returned"
    said = f"{line.sku}: {line.quantity} asked back, but {got} delivered"
    if back:
        return f"{said} and {back} already on another return"
    return said


def check_open(file: ReturnFile, action: str) -> None:
    if file.rejected:
        raise DomainError("return", f"{file.id} was rejected; approve it first to {action}")
    if file.status in (Milestone.REFUND_RELEASED, Milestone.REPLACEMENT_RELEASED):
        raise DomainError("return", f"{file.id} is closed ({file.status}); nothing to {action}")


def check_approval(file: ReturnFile, approve: bool) -> None:
    word = "approved" if approve else "rejected"
    if file.status in (Milestone.REFUND_RELEASED, Milestone.REPLACEMENT_RELEASED):
        raise DomainError("return", f"{file.id} is closed ({file.status}); it cannot be {word}")
    if file.stage not in _BEFORE_RECEIPT:
        raise DomainError(
            "return", f"{file.id} is {file.stage}: its goods are in, it can no longer be {word}"
        )
    if approve and not file.rejected and file.stage is not Milestone.RETURN_REQUESTED:
        raise DomainError("return", f"{file.id} is already approved")
    if not approve and file.rejected:
        raise DomainError("return", f"{file.id} is already rejected")


def check_receipt(file: ReturnFile, counted: Mapping[str, int]) -> None:
    check_open(file, "receive")
    for sku, quantity in counted.items():
        progress = file.line(sku)
        outstanding = progress.line.quantity - progress.received
        if quantity < 1:
            raise DomainError("lines.quantity", f"{sku}: receive at least 1 (got {quantity})")
        if quantity > outstanding:
            raise DomainError(
                "lines.quantity",
                f"{sku}: {quantity} received, but only {outstanding} of "
                f"{progress.line.quantity} asked back are still out",
            )
    if not counted and all(p.received >= p.line.quantity for p in file.lines):
        raise DomainError("return", f"{file.id}: every unit is already received")


def check_disposition(file: ReturnFile, sku: str, disposition: str, damaged: int) -> Disposition:
    if file.rejected:
        raise DomainError("return", f"{file.id} was rejected; there is nothing to inspect")
    progress = file.line(sku)
    if not progress.received:
        raise DomainError(
            "sku", f"{sku} has not been received on {file.id}: inspect it once it is back"
        )
    try:
        decided = Disposition(disposition)
    except ValueError:
        choices = ", ".join(Disposition)
        raise DomainError("disposition", f"'{disposition}' is not one of {choices}") from None
    if not 0 <= damaged <= progress.received:
        raise DomainError(
            "damaged", f"{sku}: {damaged} damaged, but {progress.received} were received"
        )
    return decided


@dataclass(frozen=True, slots=True)
class RefundDue:
    """What a refund would pay now: per SKU the units and the value after the fee."""

    units: Mapping[str, int]
    amount: Money
    fee: int


def refund_due(file: ReturnFile) -> RefundDue:
    """The refund the policy allows now, or a DomainError saying what it waits for."""
    check_open(file, "refund")
    if not file.received_any:
        raise DomainError(
            "return",
            f"{file.id}: nothing has been received yet; the refund waits for the goods",
        )
    decision = file.decision
    waiting = [p.line.sku for p in file.lines if _awaits_inspection(p, decision)]
    if waiting:
        raise DomainError(
            "return",
            f"{file.id}: {', '.join(waiting)} must be inspected before the refund "
            f"(reason {', '.join(str(file.line(s).line.reason) for s in waiting)})",
        )
    units: Counter[str] = Counter()
    gross = fee = 0
    for progress in file.lines:
        count = progress.received - progress.refunded
        if count <= 0:
            continue
        units[progress.line.sku] = count
        value = int(decision.get("unit_value", {}).get(progress.line.sku, 0)) * count
        kept = value * int(decision.get("fee_percent", {}).get(progress.line.sku, 0)) // 100
        gross, fee = gross + value, fee + kept
    currency = str(decision.get("currency") or "")
    return RefundDue(units, Money(gross - fee, currency), fee)


def awaiting_inspection(file: ReturnFile) -> list[str]:
    """SKUs of received lines the policy looks at before any refund, not inspected yet."""
    return [p.line.sku for p in file.lines if _awaits_inspection(p, file.decision)]


def _awaits_inspection(progress: LineProgress, decision: Mapping[str, object]) -> bool:
    inspect = decision.get("inspect")
    needs = isinstance(inspect, Mapping) and bool(inspect.get(progress.line.sku))
    return needs and progress.received > 0 and progress.disposition is None


def check_replacement(file: ReturnFile) -> bool:
    """May a replacement leave now? Returns whether it leaves ahead of the goods."""
    check_open(file, "replace")
    if file.replacement:
        raise DomainError("return", f"{file.id}: a replacement was already released")
    if file.received_any:
        waiting = [p.line.sku for p in file.lines if _awaits_inspection(p, file.decision)]
        if waiting:
            raise DomainError(
                "return", f"{file.id}: {', '.join(waiting)} must be inspected before replacing"
            )
        return False
    if file.decision.get("advance_replacement") and file.stage is not Milestone.RETURN_REQUESTED:
        return True
    raise DomainError(
        "return",
        f"{file.id}: the policy sends a replacement only once the goods are back "
        "(no advance replacement for this order)",
    )


def follow_ups(file: ReturnFile) -> list[tuple[Milestone, dict[str, object]]]:
    """What the policy does by itself once goods are back, whoever reported them: lines it
    inspects wait for inspection; when every unit is back and none needs looking at, the
    refund is released on receipt (unless a replacement went out already)."""
    if file.rejected or file.closed or not file.received_any or not file.decision:
        return []  # (no decision: the shop runs this return elsewhere, Shopify say)
    waiting = [p.line.sku for p in file.lines if _awaits_inspection(p, file.decision)]
    if waiting:
        if file.stage is not Milestone.RETURN_RECEIVED:
            return []
        why = f"the policy inspects {', '.join(waiting)} before any refund"
        return [(Milestone.INSPECTION_PENDING, {"why": why, "skus": waiting})]
    inspect = file.decision.get("inspect")
    inspected = isinstance(inspect, Mapping) and any(inspect.values())
    all_back = all(p.received >= p.line.quantity for p in file.lines)
    if inspected or not all_back or file.replacement:
        return []
    due = refund_due(file)
    return [(Milestone.REFUND_RELEASED, {**refund_data(due), "why": "refunded on receipt"})]


def refund_data(due: RefundDue) -> dict[str, object]:
    return {
        "amount": due.amount.amount,
        "currency": due.amount.currency,
        "fee": due.fee,
        "lines": [{"sku": sku, "quantity": n} for sku, n in sorted(due.units.items())],
    }
