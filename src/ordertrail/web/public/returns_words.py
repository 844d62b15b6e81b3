"""The return pages' words: why a customer may send something back, and what the shop's
policy decided about it, said to the customer (the decision's own `why` is for the clerk)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ordertrail.domain.returns import ReturnReason

R = ReturnReason
#: The reasons in the order a customer reads them, each as they would say it.
REASONS = {
    R.DAMAGED: "It arrived damaged",
    R.DEFECTIVE: "It does not work",
    R.WRONG_ITEM: "We sent the wrong item",
    R.MISSING_PART: "A part is missing",
    R.NOT_AS_DESCRIBED: "It is not as described",
    R.NO_LONGER_NEEDED: "I no longer need it",
    R.WARRANTY: "A fault after use (warranty claim)",
    R.OTHER: "Another reason",
}


def reason_words(reason: ReturnReason | str) -> str:
    try:
        return REASONS[ReturnReason(reason)]
    except ValueError:
        return str(reason)


def verdict(decision: Mapping[str, Any]) -> str:
    """The decision in one sentence."""
    outcome = decision.get("outcome")
    if outcome == "approve":
        return "Approved: you can send these items back to us."
    if outcome == "reject":
        return "We cannot take this return."
    if outcome == "review":
        return "Our warranty team will look at your claim and write to you."
    return "We will look at your return and write to you."


def why(decision: Mapping[str, Any], *, unasked: bool = False) -> str | None:
    """Why the policy decided so, in the customer's words; `unasked` for a return opened by
    itself for a parcel coming back."""
    outcome, ends = decision.get("outcome"), _day(decision.get("window_ends"))
    until = f"{ends:%a %d %b %Y}" if ends else None
    if unasked:
        return "The carrier is bringing your parcel back to us; you do not need to do anything."
    if outcome == "reject":
        return f"The return window for this order ended on {until}." if until else None
    if decision.get("kind") == "warranty":
        shown = f" (until {until})" if until else ""
        return f"Your claim is within the warranty period{shown}; a person decides claims."
    return f"It is within the return window, which is open until {until}." if until else None


def line_words(decision: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """What happens to each line: refunded when it reaches us, or checked first; any fee."""
    if decision.get("outcome") == "reject":
        return []
    inspect = decision.get("inspect") or {}
    fees = decision.get("fee_percent") or {}
    said = []
    for sku, checked in inspect.items():
        name = names.get(sku, sku)
        words = (
            f"{name}: we check it when it reaches us, then refund you"
            if checked
            else f"{name}: refunded as soon as it reaches us"
        )
        fee = fees.get(sku) or 0
        said.append(f"{words} (a {fee}% restocking fee is kept back)." if fee else f"{words}.")
    if decision.get("advance_replacement"):
        said.append("If you would like a replacement, we may send it before your items reach us.")
    return said


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None
