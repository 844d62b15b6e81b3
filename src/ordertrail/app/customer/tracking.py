"""What the public tracking page may show: customer-visible milestones, city-level places, the
ETA — and, only once the order number and the customer's email or postal code match, which
items are in which parcel. Never names, streets, emails, phone numbers, prices or what a
carrier or scanner put in `data`.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo

from ordertrail.app.casework.cases import find_cases, report_missing
from ordertrail.app.display_names import place_name
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.messages.links import order_ticket, token_hash
from ordertrail.app.messages.notify import order_of_token
from ordertrail.app.ports import DatabaseUnavailable, UnitOfWorkFactory, WriteConflict
from ordertrail.app.promise.eta_words import because, pause_words, window_words
from ordertrail.app.queries import (
    OrderDetail,
    ShipmentDetail,
    TimelineRow,
    first_order_detail,
    order_detail,
    shipment_and_order,
    shipment_detail,
)
from ordertrail.domain.b2b.dock import Appointment
from ordertrail.domain.b2b.receiving import BusinessTerms
from ordertrail.domain.casework.cases import Case, CaseStatus
from ordertrail.domain.casework.exceptions import ExceptionKind
from ordertrail.domain.customer.customer_zone import CustomerZone, customer_zone
from ordertrail.domain.customer.delivery_proof import DeliveryProof, delivery_proof
from ordertrail.domain.fold import Effect
from ordertrail.domain.lookup_keys import order_numbers, postal_key, tracking_numbers
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Customer, Location, Order
from ordertrail.domain.order_lines import UNLISTED, where_lines_are
from ordertrail.languages import dates
from ordertrail.languages.choice import in_their_language
from ordertrail.languages.speech import _


@dataclass(frozen=True, slots=True)
class PublicStep:
    milestone: Milestone
    reason: Reason | None
    at: datetime  # in the customer's zone
    place: str | None  # "Louisville, KY, US" at most


@dataclass(frozen=True, slots=True)
class PublicEta:
    """When the parcel should arrive, in the customer's words and days, and why it changed
    (or why there is no date until it moves again)."""

    earliest: date | None
    latest: date | None
    words: str | None  # "Thursday or Friday"
    paused: str | None  # a sentence: why there is no fresh date
    #: the last change: "on Wed 18 Nov we changed it from Tuesday or Wednesday because of a
    #: delay at the carrier"
    change: str | None
    changed: int


@dataclass(frozen=True, slots=True)
class PublicParcel:
    tracking_number: str | None
    carrier: str | None
    status: Milestone | None
    reason: Reason | None
    eta: PublicEta | None
    steps: list[PublicStep]
    items: list[str]  # empty unless the order was matched
    channel: str | None = None  # where it was ordered: which brand's page shows it
    #: where the carrier left it; who signed only once the order was matched
    proof: DeliveryProof | None = None
    #: when the customer told us it never came (for its latest delivery), and whether support
    #: is still on it
    reported_at: datetime | None = None
    report_open: bool = False
    times: CustomerZone | None = None  # the zone its times are in, on a page of its own
    #: whose parcel it is, for counting the view; never shown on the page
    order_id: str | None = None
    #: the customer's language as the shop sent it: the page speaks it
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class PublicLine:
    """What the customer ordered and where it is."""

    item: str  # the product's name where the shop gave one, else its SKU
    quantity: int
    #: the number of its parcel on the page; None when not in a parcel, or in one of several
    parcel: int | None
    in_a_parcel: bool
    status: Milestone | None  # its parcel's, or the order's own (cancelled)
    image_url: str | None = None  # the product's picture, when the shop sent one (https)


@dataclass(frozen=True, slots=True)
class PublicOrder:
    order_id: str
    status: str
    placed_at: datetime  # in `times.zone`
    times: CustomerZone
    lines: list[PublicLine]
    parcels: list[PublicParcel]
    returns: list[tuple[str, Milestone | None]]
    #: the order's own news (confirmed, cancelled), as steps
    steps: list[PublicStep]
    channel: str | None = None
    #: a B2B order's receiving company and PO, and its dock appointment (domain/b2b, dock)
    business: BusinessTerms | None = None
    appointment: Appointment | None = None
    #: units found damaged at the dock, by the item's name
    damaged: dict[str, int] = field(default_factory=dict)
    #: the customer's language as the shop sent it: the page speaks it
    locale: str | None = None


def public_parcel(
    uows: UnitOfWorkFactory, tracking_number: str, now: datetime | None = None
) -> PublicParcel | None:
    """A parcel by its tracking number alone (spaces and case as the customer typed them):
    where it is, never who it is for. `now` decides what is 'today' and 'tomorrow'."""
    found = parcel_and_detail(uows, tracking_number, now)
    return found[0] if found else None


def parcel_and_detail(
    uows: UnitOfWorkFactory, tracking_number: str, now: datetime | None = None
) -> tuple[PublicParcel, ShipmentDetail] | None:
    """`public_parcel`, with the detail it was read from (the page's other parts read it)."""
    for number in tracking_numbers(tracking_number):
        found = shipment_and_order(uows, number)
        if found is not None and number in (found[0].tracking_number, found[0].id):
            break
    else:
        return None
    # the order as registered, read with the parcel, not its whole history: the zone is the
    # customer's (or their destination's), else where this parcel's carrier last scanned it
    detail, order = found
    if detail.tracking_number is None or detail.cancelled:
        return None
    times = _zone(order, [detail])
    with in_their_language(order.locale):  # the window's words are said in the customer's
        parcel = _parcel(detail, times.zone, _today(now, times.zone), with_items=False)
    shown = replace(
        parcel, channel=order.channel, times=times, order_id=detail.order_id, locale=order.locale
    )
    return shown, detail


def _today(now: datetime | None, zone: tzinfo) -> date:
    return (now or datetime.now(UTC)).astimezone(zone).date()


def public_order(
    uows: UnitOfWorkFactory,
    order_id: str,
    email: str = "",
    postal_code: str = "",
    *,
    by_link: bool = False,
    now: datetime | None = None,
) -> PublicOrder | None:
    """The order, when the email or postal code matches (or it is opened `by_link`, from a
    message); None when the order is unknown or they do not match (the same answer, so
    neither can be guessed from the other). The number may be typed without Shopify's `#`."""
    found = order_and_detail(uows, order_id, email, postal_code, by_link=by_link, now=now)
    return found[0] if found else None


def order_and_detail(
    uows: UnitOfWorkFactory,
    order_id: str,
    email: str = "",
    postal_code: str = "",
    *,
    by_link: bool = False,
    now: datetime | None = None,
) -> tuple[PublicOrder, OrderDetail] | None:
    """`public_order`, with the detail it was read from (the page's other parts read its
    parcels, not read them again)."""
    numbers = order_numbers(order_id)
    if by_link:
        detail = first_order_detail(uows, numbers)
    else:
        with uows(read_only=True) as uow:
            # Every way the number may be meant is asked, known or not, and an unknown order
            # is checked against a stand-in: the same statements and the same comparisons
            # either way, so how long a wrong answer takes tells no one which orders exist.
            # Only a match reads the order itself.
            found = [(number, uow.orders.customer(number)) for number in numbers]
        number, customer = next(((n, c) for n, c in found if c is not None), (None, None))
        if not _matches(customer or _NOBODY, email, postal_code) or number is None:
            return None
        detail = order_detail(uows, number)
    if detail is None:
        return None
    times = _times(detail)
    zone = times.zone
    own = [row for row in detail.timeline if row.subject.id == detail.id]
    shown = [p for p in detail.shipments if not p.cancelled]
    reports = _reports(uows, detail.id)
    today = _today(now, zone)
    with in_their_language(detail.locale):  # the window's words are said in the customer's
        parcels = [
            _reported(_parcel(p, zone, today, with_items=True), p, reports, zone) for p in shown
        ]
    shown_order = PublicOrder(
        order_id=detail.id,
        status=detail.status,
        placed_at=detail.placed_at.astimezone(zone),
        times=times,
        lines=_lines(detail, shown, parcels),
        parcels=parcels,
        returns=[(r.id, Milestone(r.status) if r.status else None) for r in detail.returns],
        steps=_steps(own, zone),
        channel=detail.channel,
        business=detail.business,
        appointment=detail.appointment,
        damaged={line.shown: line.damaged for line in detail.line_progress if line.damaged},
        locale=detail.locale,
    )
    return shown_order, detail


def _lines(
    detail: OrderDetail, shown: list[ShipmentDetail], parcels: list[PublicParcel]
) -> list[PublicLine]:
    cancelled = detail.status == "cancelled"
    found: list[PublicLine] = []
    for where in where_lines_are(detail.lines, [parcel.lines for parcel in shown]):
        index = where.parcel
        known = index is not None and index != UNLISTED
        status = parcels[index].status if index is not None and known else None
        if index is None and cancelled:
            status = Milestone.ORDER_CANCELLED
        number = index + 1 if index is not None and known else None
        line = where.line
        found.append(
            PublicLine(line.shown, line.quantity, number, index is not None, status, line.image_url)
        )
    return found


def _reports(uows: UnitOfWorkFactory, order_id: str) -> dict[str, Case]:
    """The customer's latest report of each parcel that never came."""
    query = CaseQuery(status=None, kind=ExceptionKind.REPORTED_MISSING, order_id=order_id)
    latest: dict[str, Case] = {}
    for case in sorted(find_cases(uows, query), key=lambda case: case.opened_at):
        latest[case.subject.id] = case
    return latest


def _reported(
    parcel: PublicParcel, detail: ShipmentDetail, reports: dict[str, Case], zone: tzinfo
) -> PublicParcel:
    """The parcel with the customer's report of its latest delivery (an older delivery's
    report does not stop them telling us again)."""
    case = reports.get(detail.id)
    if case is None or detail.delivered_at is None or case.opened_at < detail.delivered_at:
        return parcel
    still_open = case.status is not CaseStatus.RESOLVED
    return replace(parcel, reported_at=case.opened_at.astimezone(zone), report_open=still_open)


#: what a lookup of an unknown order is compared with
_NOBODY = Customer(email="nobody@invalid.example", postal_code="00000")


def _matches(customer: Customer, email: str, postal_code: str) -> bool:
    wanted_email = (customer.email or "").strip().casefold()
    wanted_postal = _postal(customer.postal_code, customer.country)
    by_email = bool(email.strip()) and bool(wanted_email)
    by_postal = bool(postal_code.strip()) and bool(wanted_postal)
    # compared in constant time: a timing difference must not tell a near miss
    email_ok = hmac.compare_digest(email.strip().casefold().encode(), wanted_email.encode())
    country = customer.country
    postal_ok = hmac.compare_digest(_postal(postal_code, country).encode(), wanted_postal.encode())
    return (by_email and email_ok) or (by_postal and postal_ok)


def _postal(code: str | None, country: str | None = None) -> str:
    return postal_key(code, country)


def _parcel(detail: ShipmentDetail, zone: tzinfo, today: date, *, with_items: bool) -> PublicParcel:
    steps = _steps(detail.timeline, zone)
    return PublicParcel(
        tracking_number=detail.tracking_number,
        carrier=detail.carrier,
        status=Milestone(detail.status) if detail.status else None,
        reason=Reason(detail.exception_reason) if detail.exception_reason else None,
        eta=public_eta(detail, zone, today),
        steps=steps,
        items=[f"{line.quantity} × {line.shown}" for line in detail.lines] if with_items else [],
        proof=_proof(detail, with_signer=with_items),
    )


def public_eta(detail: ShipmentDetail, zone: tzinfo, today: date) -> PublicEta | None:
    """The window the customer sees, in their words; nothing once it was delivered."""
    eta = detail.eta
    if detail.status == Milestone.DELIVERED.value:
        return None
    words = None
    if eta.earliest is not None and eta.latest is not None and eta.latest >= today:
        words = window_words(max(eta.earliest, today), eta.latest, today)
    change = None
    if detail.eta_changes:
        last = detail.eta_changes[-1]
        on = last.at.astimezone(zone)
        was = window_words(last.was_earliest, last.was_latest, on.date(), relative=False)
        change = _("On %(day)s we changed it from %(was)s %(because)s.") % {
            "day": dates.short_day(on),
            "was": was,
            "because": because(last.cause),
        }
    paused = pause_words(eta.paused)
    if words is None and paused is None and change is None:
        return None
    return PublicEta(eta.earliest, eta.latest, words, paused, change, eta.changed)


def eta_for_message(order: OrderDetail, parcel: ShipmentDetail, now: datetime) -> PublicEta | None:
    """The parcel's window as a message to its customer says it, in their zone."""
    zone = _times(order).zone
    return public_eta(parcel, zone, _today(now, zone))


def _proof(detail: ShipmentDetail, *, with_signer: bool) -> DeliveryProof | None:
    """What the carrier said of the delivery that stands; a signer's name only for the order's
    own page (the tracking number alone proves nothing about who is asking)."""
    if detail.status != Milestone.DELIVERED.value:
        return None
    for row in reversed(detail.timeline):
        if row.milestone != Milestone.DELIVERED.value or row.effect is Effect.CONFLICT:
            continue
        proof = delivery_proof(row.raw_description, row.data)
        if proof is not None and not with_signer:
            proof = replace(proof, signed_by=None) if proof.left else None
        if proof is not None:
            return proof
    return None


def _steps(rows: list[TimelineRow], zone: tzinfo) -> list[PublicStep]:
    shown: list[PublicStep] = []
    for row in rows:
        if row.milestone is None or row.effect not in (Effect.APPLIED, Effect.CORRECTION):
            continue
        milestone = Milestone(row.milestone)
        if not milestone.spec.customer_visible:
            continue
        where = place_name(row.location) or None
        reason = Reason(row.reason) if row.reason else None
        step = PublicStep(milestone, reason, row.occurred_at.astimezone(zone), where)
        if shown and _same_news(shown[-1], step):
            # the warehouse and the carrier both saw the hand-off: one step, with the place
            shown[-1] = replace(shown[-1], place=shown[-1].place or step.place)
            continue
        shown.append(step)
    return list(reversed(shown))  # newest first, as a tracking page reads


#: Two sources telling the same news this close together tell it once.
SAME_NEWS = timedelta(hours=6)


def _same_news(earlier: PublicStep, later: PublicStep) -> bool:
    """The same milestone again, soon after, somewhere not said to be elsewhere: an echo (a
    second `on its way` from another city is progress, and is kept)."""
    return (
        earlier.milestone is later.milestone
        and earlier.reason is later.reason
        and later.at - earlier.at <= SAME_NEWS
        and (earlier.place is None or later.place is None or earlier.place == later.place)
    )


#: Where a carrier scans a parcel at its destination: these scans' places and offsets tell
#: the customer's zone when nothing else does.
AT_DESTINATION = frozenset(
    m.value
    for m in (
        Milestone.OUT_FOR_DELIVERY,
        Milestone.DELIVERY_ATTEMPTED,
        Milestone.AVAILABLE_FOR_PICKUP,
        Milestone.DELIVERED,
    )
)


def _times(order: OrderDetail | None) -> CustomerZone:
    """The zone the customer reads the order's times in (see domain.customer_zone)."""
    return _zone(order, order.shipments if order else [])


def _zone(order: Order | OrderDetail | None, parcels: Sequence[ShipmentDetail]) -> CustomerZone:
    if order is None:
        return CustomerZone(UTC, "UTC", sure=False)
    scans = sorted(
        (
            (row.location, row.occurred_at)
            for parcel in parcels
            for row in parcel.timeline
            if row.source.startswith("carrier:") and row.milestone in AT_DESTINATION
        ),
        key=lambda scan: scan[1],
        reverse=True,
    )
    customer = order.customer
    destination = Location(postal_code=customer.postal_code, country=customer.country)
    return customer_zone(customer.time_zone, destination, scans, order.placed_at)


def link_expired(uows: UnitOfWorkFactory, token: str) -> bool:
    """Whether a link that opens nothing once opened an order (a 128-bit token nobody
    guesses): the customer is told it expired rather than that nothing was found."""
    if not 10 <= len(token) <= 64:
        return False
    with uows(read_only=True) as uow:
        return uow.outbox.token(token_hash(token)) is not None


def ticket_for(uows: UnitOfWorkFactory, order_id: str, now: datetime) -> str | None:
    """A link token for an order the customer has just proved is theirs: the page's forms
    carry it, so nothing they typed (their email) goes back into the page. It is the same
    all month (derived, app/messages/links.py), so it is stored once, not at every look. None when
    it is not stored yet and another writer holds the database: the page is a read and does
    not wait (it shows the order without the form that needs the ticket)."""
    ticket = order_ticket(uows.link_secret(), order_id, now)
    if ticket_known(uows, ticket):
        return ticket
    return stored_ticket(uows, ticket, order_id, now)


def ticket_known(uows: UnitOfWorkFactory, ticket: str) -> bool:
    with uows(read_only=True) as uow:
        return uow.outbox.token(token_hash(ticket)) is not None


def stored_ticket(uows: UnitOfWorkFactory, ticket: str, order_id: str, now: datetime) -> str | None:
    """The ticket once stored; None while another writer holds the database (no wait)."""
    try:
        with uows(wait=False) as uow:
            uow.outbox.add_tokens([token_hash(ticket)], order_id, now)
            uow.commit()
    except (WriteConflict, DatabaseUnavailable):  # a full disk too: the read stands
        return None
    return ticket


class NotTheirs(Exception):
    """The ticket opens no order, or not the order of that parcel: the same answer as an
    unknown order, so neither can be guessed."""


def report_not_arrived(
    uows: UnitOfWorkFactory, ticket: str, tracking: str, note: str, now: datetime
) -> Case:
    """The customer says a parcel shown delivered never arrived: a case for support with the
    carrier's proof of delivery (raises NotTheirs, or NotDelivered for a parcel on its way)."""
    order_id = order_of_token(uows, ticket, now)
    parcel = shipment_detail(uows, tracking) if order_id else None
    if parcel is None or parcel.order_id != order_id or tracking != parcel.tracking_number:
        raise NotTheirs(tracking)
    said = note.strip() or "no note"
    return report_missing(uows, parcel.id, "the customer, on the tracking page", said, now)
