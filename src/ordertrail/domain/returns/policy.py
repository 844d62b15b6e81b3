"""The shop's return policy as data, and the decision it makes about one request, in words.

The decision is written into the request's event, so a return is judged by the policy in force
when it was asked, whatever the settings say later (a rebuild reaches the same outcome).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ordertrail.domain.model import DomainError, Money
from ordertrail.domain.returns.return_lines import ReturnKind, ReturnLine, ReturnReason

_R = ReturnReason


@dataclass(frozen=True, slots=True)
class ReturnPolicy:
    window_days: int = 30
    warranty_window_days: int = 730
    #: reasons whose goods are looked at before any refund; the rest are refunded on receipt
    inspect_reasons: frozenset[ReturnReason] = frozenset(
        {_R.DAMAGED, _R.DEFECTIVE, _R.NOT_AS_DESCRIBED, _R.MISSING_PART, _R.WARRANTY}
    )
    #: a replacement may leave before the goods come back when the order is worth at least
    #: this much (minor units, in the order's currency; None: never for value alone) ...
    advance_replacement_over: int | None = None
    #: ... or when the carrier recorded the parcel as damaged
    advance_replacement_on_carrier_damage: bool = True
    #: a percentage of the returned lines' value kept back, per reason
    restocking_fee_percent: Mapping[ReturnReason, int] = field(default_factory=dict)
    returns_team: str = "returns"
    warranty_team: str = "warranty"
    #: goods back this long without their inspection: an alert, and overdue in the console
    inspection_sla_hours: int = 48
    #: a refund due (inspection done, or on receipt) and not released this long: an alert
    refund_within_hours: int = 72

    def __post_init__(self) -> None:
        if self.window_days < 0 or self.warranty_window_days < 0:
            raise DomainError("returns.window_days", "a return window cannot be negative")
        if self.inspection_sla_hours < 1 or self.refund_within_hours < 1:
            raise DomainError("returns.inspection_sla_hours", "an SLA is at least 1 hour")
        for reason, percent in self.restocking_fee_percent.items():
            if not 0 <= percent <= 100:
                raise DomainError(
                    "returns.restocking_fee_percent", f"{reason}: {percent} is not 0–100"
                )


class Outcome(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REVIEW = "review"  # a person decides (warranty claims)


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the policy looks at besides the lines."""

    now: datetime
    delivered_at: datetime | None
    order_value: Money | None
    order_units: int
    carrier_damage: bool = False
    #: an automatic return: why the carrier is bringing the parcel back (refused, ...)
    coming_back: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    kind: ReturnKind
    team: str
    window_ends: datetime | None
    advance_replacement: bool
    #: per SKU: inspected before a refund, the fee kept back (percent), one unit's value
    inspect: Mapping[str, bool]
    fee_percent: Mapping[str, int]
    unit_value: Mapping[str, int]
    currency: str | None
    why: tuple[str, ...]

    def as_data(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "kind": self.kind.value,
            "team": self.team,
            "window_ends": self.window_ends.isoformat() if self.window_ends else None,
            "advance_replacement": self.advance_replacement,
            "inspect": dict(self.inspect),
            "fee_percent": dict(self.fee_percent),
            "unit_value": dict(self.unit_value),
            "currency": self.currency,
            "why": list(self.why),
        }


def kind_of(lines: Sequence[ReturnLine]) -> ReturnKind:
    warranty = [line.reason is _R.WARRANTY for line in lines]
    if any(warranty) and not all(warranty):
        raise DomainError(
            "lines.reason", "a warranty claim is its own return: ask for its lines separately"
        )
    return ReturnKind.WARRANTY if all(warranty) and warranty else ReturnKind.RETURN


def decide(policy: ReturnPolicy, lines: Sequence[ReturnLine], facts: RequestFacts) -> Decision:
    """What the policy says about this request, and why, in words a clerk can read."""
    kind = kind_of(lines)
    warranty = kind is ReturnKind.WARRANTY
    days = policy.warranty_window_days if warranty else policy.window_days
    why: list[str] = []
    delivered = facts.delivered_at
    window_ends = delivered + timedelta(days=days) if delivered else None
    what = "warranty claims" if warranty else "returns"
    if facts.coming_back:
        outcome = Outcome.APPROVE
        why.append(f"the carrier is bringing the parcel back undelivered ({facts.coming_back})")
    elif delivered is not None and window_ends is not None and facts.now > window_ends:
        outcome = Outcome.REJECT
        why.append(
            f"delivered {delivered:%Y-%m-%d}, {(facts.now - delivered).days} days ago: "
            f"{what} are taken within {days} days of delivery"
        )
    elif warranty:
        outcome = Outcome.REVIEW
        why.append(f"warranty claim within {days} days of delivery: the warranty team decides")
    else:
        outcome = Outcome.APPROVE
        why.append(f"within the {days}-day return window")
    inspect = {line.sku: line.reason in policy.inspect_reasons for line in lines}
    for line in lines if outcome is not Outcome.REJECT else ():  # what would follow, if taken
        if inspect[line.sku]:
            why.append(f"{line.sku} ({line.reason}): inspected before any refund")
        else:
            why.append(f"{line.sku} ({line.reason}): refunded on receipt")
    fees = {line.sku: policy.restocking_fee_percent.get(line.reason, 0) for line in lines}
    why.extend(
        f"{line.sku}: a {fees[line.sku]}% restocking fee applies to {line.reason}"
        for line in lines
        if fees[line.sku] and outcome is not Outcome.REJECT
    )
    advance = _advance_replacement(policy, facts, why)
    value = facts.order_value
    unit = value.amount // facts.order_units if value and facts.order_units else 0
    return Decision(
        outcome=outcome,
        kind=kind,
        team=policy.warranty_team if warranty else policy.returns_team,
        window_ends=window_ends,
        advance_replacement=advance and outcome is not Outcome.REJECT,
        inspect=inspect,
        fee_percent=fees,
        unit_value={line.sku: unit for line in lines},
        currency=value.currency if value else None,
        why=tuple(why),
    )


def _advance_replacement(policy: ReturnPolicy, facts: RequestFacts, why: list[str]) -> bool:
    if facts.carrier_damage and policy.advance_replacement_on_carrier_damage:
        why.append("the carrier recorded damage: a replacement may leave before the goods return")
        return True
    threshold, value = policy.advance_replacement_over, facts.order_value
    if threshold is not None and value is not None and value.amount >= threshold:
        why.append(
            f"order worth {value.amount / 100:.2f} {value.currency} (at least "
            f"{threshold / 100:.2f}): a replacement may leave before the goods return"
        )
        return True
    return False
