"""What the public tracking page may show: customer-visible milestones, city-level places, the
ETA — and, only once the order number and the customer's email or postal code match, which
items are in which parcel. Never names, streets, emails, phone numbers, prices or what a
carrier or scanner put in `data`.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ordertrail.app.cases import report_missing
from ordertrail.app.display_names import place_name
from ordertrail.app.notify import order_of_token, token_hash
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.queries import (
    OrderDetail,
    ShipmentDetail,
    TimelineRow,
    order_detail,
    shipment_detail,
)
from ordertrail.domain.cases import Case
from ordertrail.domain.fold import Effect
from ordertrail.domain.milestones import Milestone, Reason


@dataclass(frozen=True, slots=True)
class PublicStep:
    milestone: Milestone
    reason: Reason | None
    at: datetime  # in the customer's zone
    place: str | None  # "Louisville, KY, US" at most


@dataclass(frozen=True, slots=True)
class PublicParcel:
    tracking_number: str | None
    carrier: str | None
    status: Milestone | None
    reason: Reason | None
    eta: str | None
    eta_changed: bool
    steps: list[PublicStep]
    items: list[str]  # empty unless the order was matched
    channel: str | None = None  # where it was ordered: which brand's page shows it


@dataclass(frozen=True, slots=True)
class PublicOrder:
    order_id: str
    status: str
    parcels: list[PublicParcel]
    returns: list[tuple[str, Milestone | None]]
    #: the order's own news (confirmed, cancelled), as steps
    steps: list[PublicStep]
    channel: str | None = None


def public_parcel(uows: UnitOfWorkFactory, tracking_number: str) -> PublicParcel | None:
    """A parcel by its tracking number alone: where it is, never who it is for."""
    detail = shipment_detail(uows, tracking_number)
    if detail is None or detail.tracking_number is None or detail.cancelled:
        return None
    if tracking_number not in (detail.tracking_number, detail.id):
        return None
    order = order_detail(uows, detail.order_id)
    parcel = _parcel(detail, _zone(order), with_items=False)
    return replace(parcel, channel=order.channel) if order else parcel


def public_order(
    uows: UnitOfWorkFactory,
    order_id: str,
    email: str = "",
    postal_code: str = "",
    *,
    by_link: bool = False,
) -> PublicOrder | None:
    """The order, when the email or postal code matches (or it is opened `by_link`, from a
    message); None when the order is unknown or they do not match (the same answer, so
    neither can be guessed from the other)."""
    detail = order_detail(uows, order_id.strip())
    if detail is None or not (by_link or _matches(detail, email, postal_code)):
        return None
    zone = _zone(detail)
    own = [row for row in detail.timeline if row.subject.id == detail.id]
    return PublicOrder(
        order_id=detail.id,
        status=detail.status,
        parcels=[_parcel(p, zone, with_items=True) for p in detail.shipments if not p.cancelled],
        returns=[(r.id, Milestone(r.status) if r.status else None) for r in detail.returns],
        steps=_steps(own, zone),
        channel=detail.channel,
    )


def _matches(detail: OrderDetail, email: str, postal_code: str) -> bool:
    wanted_email = (detail.customer.email or "").strip().casefold()
    wanted_postal = _postal(detail.customer.postal_code)
    by_email = bool(email.strip()) and bool(wanted_email)
    by_postal = bool(postal_code.strip()) and bool(wanted_postal)
    # compared in constant time: a timing difference must not tell a near miss
    email_ok = hmac.compare_digest(email.strip().casefold().encode(), wanted_email.encode())
    postal_ok = hmac.compare_digest(_postal(postal_code).encode(), wanted_postal.encode())
    return (by_email and email_ok) or (by_postal and postal_ok)


def _postal(code: str | None) -> str:
    return (code or "").replace(" ", "").replace("-", "").upper()


def _parcel(detail: ShipmentDetail, zone: ZoneInfo, *, with_items: bool) -> PublicParcel:
    steps = _steps(detail.timeline, zone)
    etas = {
        str(row.data["estimated_delivery"])[:10]
        for row in detail.timeline
        if row.data.get("estimated_delivery") and row.effect is not Effect.CONFLICT
    }
    return PublicParcel(
        tracking_number=detail.tracking_number,
        carrier=detail.carrier,
        status=Milestone(detail.status) if detail.status else None,
        reason=Reason(detail.exception_reason) if detail.exception_reason else None,
        eta=detail.eta,
        eta_changed=len(etas) > 1,
        steps=steps,
        items=[f"{line.quantity} × {line.sku}" for line in detail.lines] if with_items else [],
    )


def _steps(rows: list[TimelineRow], zone: ZoneInfo) -> list[PublicStep]:
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


def _zone(order: OrderDetail | None) -> ZoneInfo:
    name = order.customer.time_zone if order else None
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def ticket_for(uows: UnitOfWorkFactory, order_id: str, now: datetime) -> str:
    """A link token for an order the customer has just proved is theirs: the page's forms
    carry it, so nothing they typed (their email) goes back into the page."""
    token = secrets.token_urlsafe(16)
    with uows() as uow:
        uow.outbox.add_tokens([token_hash(token)], order_id, now)
        uow.commit()
    return token


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
