"""The return pages' words: why a customer may send something back, and what the shop's
policy decided about it, said to the customer (the decision's own `why` is for the clerk)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ordertrail.domain.returns.return_lines import ReturnReason
from ordertrail.languages import dates
from ordertrail.languages.speech import N_, _

R = ReturnReason
#: The reasons in the order a customer reads them, each as they would say it.
REASONS = {
    R.DAMAGED: N_("It arrived damaged"),
    R.DEFECTIVE: N_("It does not work"),
    R.WRONG_ITEM: N_("We sent the wrong item"),
    R.MISSING_PART: N_("A part is missing"),
    R.NOT_AS_DESCRIBED: N_("It is not as described"),
    R.NO_LONGER_NEEDED: N_("I no longer need it"),
    R.WARRANTY: N_("A fault after use (warranty claim)"),
    R.OTHER: N_("Another reason"),
}


def reason_words(reason: ReturnReason | str) -> str:
    try:
        return _(REASONS[ReturnReason(reason)])
    except ValueError:
        return str(reason)


def verdict(decision: Mapping[str, Any]) -> str:
    """The decision in one sentence."""
    outcome = decision.get("outcome")
    if outcome == "approve":
        return _("Approved: you can send these items back to us.")
    if outcome == "reject":
        return _("We cannot take this return.")
    if outcome == "review":
        return _("Our warranty team will look at your claim and write to you.")
    return _("We will look at your return and write to you.")


def why(decision: Mapping[str, Any], *, unasked: bool = False) -> str | None:
    """Why the policy decided so, in the customer's words; `unasked` for a return opened by
    itself for a parcel coming back."""
    outcome, ends = decision.get("outcome"), _day(decision.get("window_ends"))
    until = dates.day_year(ends) if ends else None
    if unasked:
        return _("The carrier is bringing your parcel back to us; you do not need to do anything.")
    if outcome == "reject":
        if until is None:
            return None
        return _("The return window for this order ended on %(day)s.") % {"day": until}
    if decision.get("kind") == "warranty":
        if until is None:
            return _("Your claim is within the warranty period; a person decides claims.")
        return _(
            "Your claim is within the warranty period (until %(day)s); a person decides claims."
        ) % {"day": until}
    if until is None:
        return None
    return _("It is within the return window, which is open until %(day)s.") % {"day": until}


def line_words(decision: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """What happens to each line: refunded when it reaches us, or checked first; any fee."""
    if decision.get("outcome") == "reject":
        return []
    inspect = decision.get("inspect") or {}
    fees = decision.get("fee_percent") or {}
    said = []
    for sku, checked in inspect.items():
        said.append(_line_words(names.get(sku, sku), bool(checked), fees.get(sku) or 0))
    if decision.get("advance_replacement"):
        said.append(
            _("If you would like a replacement, we may send it before your items reach us.")
        )
    return said


def _line_words(name: str, checked: bool, fee: float) -> str:
    """One whole sentence per case: a translator sees each as it is read."""
    given = {"item": name, "fee": dates.number(fee)}
    if checked and fee:
        words = _(
            "%(item)s: we check it when it reaches us, then refund you "
            "(a %(fee)s%% restocking fee is kept back)."
        )
    elif checked:
        words = _("%(item)s: we check it when it reaches us, then refund you.")
    elif fee:
        words = _(
            "%(item)s: refunded as soon as it reaches us (a %(fee)s%% restocking fee is kept back)."
        )
    else:
        words = _("%(item)s: refunded as soon as it reaches us.")
    return words % given


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None
