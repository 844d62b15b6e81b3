"""Erasing one customer's personal data on request, by email (every order of theirs) or by
order.

Names, emails, phones and postal codes are replaced in the order, its events' payloads, its
messages (recipients and what they were made from), its outgoing webhooks' stored context and
its cases' text; message links to it stop working and its unsent customer messages are
skipped. Statuses keep working: the customer's country and time zone stay, and the events keep
everything a status is folded from, so a rebuild gives the same statuses. The erasure itself
is an `ops:` event on each order's timeline, saying who, when, which kinds and how many — no
personal data. A preview runs the same erasure and rolls it back, so its counts are exact.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from ordertrail.app.fleet.ports import ProofFiles
from ordertrail.app.intake.derive import lock_order, refold, refresh_orders
from ordertrail.app.ports import UnitOfWork, UnitOfWorkFactory
from ordertrail.app.privacy.ports import MessageChange, StoredCase
from ordertrail.app.privacy.scrub import (
    ERASED,
    PersonalValues,
    proof_files,
    scrub_event,
    scrub_json,
)
from ordertrail.domain.milestones import SourceKind
from ordertrail.domain.model import Customer, Source, Subject, SubjectKind, TrackingEvent

#: The kinds of data an erasure reaches, in the order it reports them.
KINDS = (
    "customer",
    "events",
    "messages",
    "webhooks",
    "skipped",
    "cases",
    "links",
    "repairs",
    "stops",
    "proofs",
)
#: How each kind is said to the person erasing (the command line and the console).
KIND_WORDS = {
    "customer": "customer records (name, email, phone, postal code)",
    "events": "events (carrier words, signatures, postal codes at the door)",
    "messages": "messages (recipients, what they were made from)",
    "webhooks": "outgoing webhooks (stored bodies)",
    "skipped": "unsent messages, never to be sent",
    "cases": "exception cases (their text)",
    "links": "message links, which stop working",
    "repairs": "texts kept by `repair text`",
    "stops": "local-delivery stops (their addresses)",
    "proofs": "delivery photos and signatures (deleted)",
}
SKIPPED_BECAUSE = "not sent: the customer's data was erased"


class NothingHeld(LookupError):
    """No order is for this email, and no order has this id."""

    def __init__(self, target: str) -> None:
        super().__init__(f"nothing is held about '{target}': no order has that id or email")
        self.target = target


@dataclass(frozen=True, slots=True)
class Erasure:
    """What an erasure replaced (or, as a preview, would replace), kind by kind."""

    target: str
    orders: tuple[str, ...]
    counts: dict[str, int]
    carried_out: bool


def orders_for(uow: UnitOfWork, target: str) -> list[str]:
    """The orders `target` names: the order with that id, else the customer's by email."""
    target = target.strip()
    if target in uow.subjects.find_orders([target]):
        return [target]
    return uow.privacy.orders_of(target) if "@" in target else []


def erase(
    uows: UnitOfWorkFactory,
    target: str,
    by: str,
    now: datetime,
    *,
    carry_out: bool = True,
    proofs: ProofFiles | None = None,
) -> Erasure:
    """Erase the customer `target` names (see the module); with `carry_out` False, only say
    what would be erased. Delivery photos and signatures go from `proofs` once the rest is
    committed (a crash between leaves files no event points at, never the reverse). Raises
    NothingHeld when `target` names nobody."""
    files: list[str] = []
    with uows() as uow:
        order_ids = orders_for(uow, target)
        if not order_ids:
            raise NothingHeld(target)
        counts: Counter[str] = Counter(dict.fromkeys(KINDS, 0))
        for order_id in order_ids:
            found, held = _erase_order(uow, order_id, now)
            counts.update(found)
            files += held
            _record(uow, order_id, found, by, now)
        if carry_out:
            uow.commit()
    if carry_out and proofs is not None:
        for reference in sorted(set(files)):
            proofs.delete(reference)
    return Erasure(target.strip(), tuple(order_ids), dict(counts), carry_out)


def _erase_order(uow: UnitOfWork, order_id: str, now: datetime) -> tuple[Counter[str], list[str]]:
    customer = uow.orders.customer(order_id) or Customer()
    values = PersonalValues.of(customer)
    counts: Counter[str] = Counter()
    events = uow.events.for_order(order_id)
    uow.projections.lock(lock_order({e.subject for e in events}))
    rewritten = [s for e in events if (s := scrub_event(e, values)) != e]
    files = sorted({ref for event in events for ref in proof_files(event)})
    counts["proofs"] = len(files)
    counts["stops"] = uow.privacy.forget_stop_addresses(order_id)
    uow.privacy.rewrite_events(rewritten)
    counts["events"] = len(rewritten)
    kept = Customer(country=customer.country, time_zone=customer.time_zone)
    counts["customer"] = int(customer != kept)
    uow.privacy.erase_customer(order_id, kept, now)
    counts.update(_erase_messages(uow, order_id, values))
    counts["cases"] = _erase_cases(uow, order_id, values)
    counts["links"] = uow.privacy.forget_links(order_id)
    counts["repairs"] = uow.privacy.forget_repairs(order_id)
    if forgotten := uow.subscriptions.forget(order_id):  # the number they gave for texts
        counts["subscriptions"] = forgotten
    return counts, files


def _erase_messages(uow: UnitOfWork, order_id: str, values: PersonalValues) -> Counter[str]:
    counts: Counter[str] = Counter()
    changes = []
    for message in uow.privacy.messages(order_id):
        # a webhook goes to the shop's own systems ("subscribers"), not to the customer
        customers = message.audience == "customer" and message.channel != "webhook"
        recipient = ERASED if customers else message.recipient
        context = scrub_json(dict(message.context), values)
        skipped = customers and message.status in ("pending", "sending")
        if (recipient, context, skipped) == (message.recipient, message.context, False):
            continue
        changes.append(MessageChange(message.id, recipient, context, skipped))
        counts["webhooks" if message.channel == "webhook" else "messages"] += 1
        counts["skipped"] += skipped
    uow.privacy.rewrite_messages(changes, SKIPPED_BECAUSE)
    return counts


def _erase_cases(uow: UnitOfWork, order_id: str, values: PersonalValues) -> int:
    changed: list[StoredCase] = []
    for case in uow.privacy.cases(order_id):
        detail = scrub_json(case.detail, values)
        history = scrub_json(list(case.history), values)
        if (detail, history) != (case.detail, list(case.history)):
            changed.append(replace(case, detail=detail, history=history))
    uow.privacy.rewrite_cases(changed)
    return len(changed)


def _record(uow: UnitOfWork, order_id: str, counts: Counter[str], by: str, now: datetime) -> None:
    """The erasure on the order's timeline (moving no status), then every subject of the order
    folded again from the rewritten log, as a rebuild would."""
    erased = {kind: counts[kind] for kind in KINDS if counts[kind]}
    audit = TrackingEvent(
        key=f"ops:erasure:{uuid.uuid4()}",
        subject=Subject(SubjectKind.ORDER, order_id),
        milestone=None,
        source=Source(SourceKind.OPS, by),
        occurred_at=now,
        received_at=now,
        order_id=order_id,
        raw_code="customer_data_erased",
        raw_description=f"Customer data erased on request ({', '.join(erased) or 'nothing left'})",
        data={"erasure": {"kinds": sorted(erased), "counts": erased}},
    )
    uow.events.append([audit])
    subjects = {e.subject for e in uow.events.for_order(order_id)}
    refold(uow, lock_order(subjects))
    refresh_orders(uow, [order_id])
