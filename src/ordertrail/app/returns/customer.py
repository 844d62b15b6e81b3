"""Returns as the customer starts and follows them at `/returns`: what they may send back, what
the policy would say (asked without saving anything), the request itself, and the return as
the customer may see it.

The customer has proved the order is theirs once (order number and email or postal code) and
carries a link ticket from then on (app/customer/tracking.py `ticket_for`), so nothing they
typed goes back into a page. Choices arrive as typed; `read_choice` turns them into return
lines or says, in the page's words, what is wrong — the domain rules check again when the
request is saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ordertrail.app.intake.derive import histories
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.returns.facts import order_for_return
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import DomainError
from ordertrail.domain.returns.policy import decide
from ordertrail.domain.returns.return_lines import ReturnLine, ReturnReason, fold_return
from ordertrail.domain.returns.rules import check_request
from ordertrail.languages.speech import _

#: More lines than any order has: a form with more was not made by our page.
MOST_LINES = 200


@dataclass(frozen=True, slots=True)
class ReturnableLine:
    sku: str
    item: str  # the product's name where the shop gave one, else its SKU
    delivered: int
    returned: int  # already on another of the order's returns

    @property
    def left(self) -> int:
        return max(0, self.delivered - self.returned)


@dataclass(frozen=True, slots=True)
class ReturnableOrder:
    order_id: str
    lines: tuple[ReturnableLine, ...]
    channel: str | None
    locale: str | None = None  # the customer's language: the pages speak it

    @property
    def any_left(self) -> bool:
        return any(line.left for line in self.lines)

    def names(self) -> dict[str, str]:
        return {line.sku: line.item for line in self.lines}


@dataclass(frozen=True, slots=True)
class Typed:
    """One line of the form as it came: the SKU (a hidden field), how many and why."""

    sku: str
    quantity: str
    reason: str


class NotTaken(Exception):
    """The choice cannot be taken; `problems` says why, one sentence each, in page words."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class CustomerReturn:
    id: str
    order_id: str
    status: Milestone | None
    requested_at: datetime | None
    #: (item, quantity, reason) per line
    lines: tuple[tuple[str, int, ReturnReason], ...]
    decision: Mapping[str, Any]
    names: Mapping[str, str]  # SKU to the item's name, for the decision's words
    tracking_number: str | None
    channel: str | None
    #: opened for a parcel the carrier is bringing back: nothing for the customer to send
    unasked: bool = False
    locale: str | None = None  # the customer's language: the page speaks it


def returnable(uows: UnitOfWorkFactory, order_id: str) -> ReturnableOrder:
    """Each line of the order with the units delivered and already on a return."""
    with uows(read_only=True) as uow:
        found = order_for_return(uow, order_id)
    names = {line.sku: line.shown for line in found.order.lines}
    lines = tuple(
        ReturnableLine(sku, names.get(sku, sku), found.delivered[sku], found.returned[sku])
        for sku in found.ordered
    )
    return ReturnableOrder(order_id, lines, found.order.channel, found.order.locale)


def read_choice(order: ReturnableOrder, typed: Sequence[Typed]) -> list[ReturnLine]:
    """The lines the customer chose (a quantity above 0), or NotTaken with every problem."""
    if len(typed) > MOST_LINES:
        raise NotTaken([_("The form was not complete. Please start again.")])
    by_sku = {line.sku: line for line in order.lines}
    chosen: list[ReturnLine] = []
    problems: list[str] = []
    seen: set[str] = set()
    for given in typed:
        line = by_sku.get(given.sku)
        quantity = given.quantity.strip() or "0"
        if line is None or given.sku in seen:
            problems.append(_("One of the items is not on this order. Please start again."))
            continue
        seen.add(given.sku)
        if not quantity.isdigit() or len(quantity) > 6:
            problems.append(
                _("%(item)s: give how many to return as a whole number.") % {"item": line.item}
            )
            continue
        count = int(quantity)
        if count == 0:
            continue
        if problem := _too_many(line, count):
            problems.append(problem)
            continue
        try:
            reason = ReturnReason(given.reason)
        except ValueError:
            problems.append(_("%(item)s: choose why you are returning it.") % {"item": line.item})
            continue
        chosen.append(ReturnLine(line.sku, count, reason))
    if not chosen and not problems:
        problems.append(_("Choose at least one item and how many of it to return."))
    if problems:
        raise NotTaken(list(dict.fromkeys(problems)))
    return chosen


def _too_many(line: ReturnableLine, count: int) -> str | None:
    if count <= line.left:
        return None
    given = {
        "item": line.item,
        "delivered": line.delivered,
        "returned": line.returned,
        "left": line.left,
    }
    if not line.delivered:
        return _("%(item)s has not been delivered yet, so it cannot be returned yet.") % given
    if line.returned and not line.left:
        return _("%(item)s: all %(delivered)s delivered are already on another return.") % given
    if line.returned:
        return (
            _(
                "%(item)s: you can return %(left)s more at most "
                "(%(delivered)s delivered, %(returned)s already on another return)."
            )
            % given
        )
    return _("%(item)s: you can return %(delivered)s at most (%(delivered)s delivered).") % given


def preview_return(
    uows: UnitOfWorkFactory, order_id: str, lines: Sequence[ReturnLine], now: datetime
) -> dict[str, Any]:
    """What the policy would decide if these lines were asked back now: the same checks and
    the same decision as the request, and nothing saved."""
    with uows(read_only=True) as uow:
        found = order_for_return(uow, order_id)
        try:
            check_request(order_id, lines, found.ordered, found.delivered, found.returned)
            decision = decide(uow.return_policy, lines, found.request_facts(now))
        except DomainError as refused:
            raise NotTaken([in_page_words(refused)]) from refused
    return decision.as_data()


def in_page_words(refused: DomainError) -> str:
    """A rule the domain enforces, said to the customer."""
    if refused.field == "lines.reason":
        return _(
            "A warranty claim is a return of its own: send the items under warranty on one "
            "return, and the others on another."
        )
    # the rule's own words are the domain's (English); the sentence around them is theirs
    if refused.field in ("lines.quantity", "lines.sku", "lines"):
        return _("We could not take this return: %(why)s. Please check and try again.") % {
            "why": refused.message
        }
    return _("We could not take this return: %(why)s.") % {"why": refused.message}


def customer_return(uows: UnitOfWorkFactory, rma: str, order_id: str) -> CustomerReturn | None:
    """The return, when it is one of this order's; None otherwise (the same answer)."""
    with uows(read_only=True) as uow:
        ref = uow.subjects.find_returns([rma]).get(rma)
        if ref is None or ref.order_id != order_id:
            return None
        history = histories(uow, [ref.subject]).get(ref.subject, [])
        facts = uow.orders.facts([order_id]).get(order_id)
    file = fold_return(rma, order_id, history)
    names = {line.sku: line.shown for line in facts.order.lines} if facts else {}
    return CustomerReturn(
        id=file.id,
        order_id=file.order_id,
        status=file.status,
        requested_at=file.requested_at,
        lines=tuple(
            (names.get(p.line.sku, p.line.sku), p.line.quantity, p.line.reason) for p in file.lines
        ),
        decision=dict(file.decision),
        names=names,
        tracking_number=file.tracking_number,
        channel=facts.order.channel if facts else None,
        unasked=file.unasked,
        locale=facts.order.locale if facts else None,
    )
