"""Everything a tracking page shows, read in one go: one read transaction, in one thread.

`/track/{number}` (a parcel by its number alone), `/track?order=…` (an order proved by its
email or postal code) and `/t/{token}` (an order opened by a message's link) each read the
parcels, the van's progress, the glance and, for an order, the choices and texts on offer:
each use case as it is, all of them sharing the page's one read (app/one_read.py). The view is
counted in memory (app/customer/page_views.py): a page writes nothing, but for the ticket an
order's forms carry the first time the order is shown in a month."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo

from ordertrail.app.customer.delivery_change import ParcelChoices, parcel_choices
from ordertrail.app.customer.glance import ParcelGlance, glances
from ordertrail.app.customer.page_views import ViewTally
from ordertrail.app.customer.place_ports import Gazetteer
from ordertrail.app.customer.tracking import (
    PublicOrder,
    PublicParcel,
    link_expired,
    order_and_detail,
    parcel_and_detail,
    ticket_for,
)
from ordertrail.app.fleet.tracking import LocalDelivery, local_deliveries
from ordertrail.app.messages.notify import order_of_token
from ordertrail.app.messages.subscriptions import subscription_of
from ordertrail.app.messages.subscriptions_ports import Subscription
from ordertrail.app.one_read import one_read
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.queries import OrderDetail, ShipmentDetail
from ordertrail.domain.customer.customer_zone import CustomerZone
from ordertrail.domain.milestones import TROUBLE


@dataclass(frozen=True, slots=True)
class ParcelPage:
    parcel: PublicParcel
    #: by tracking number: what the local fleet adds, and the parcel at a glance
    local: dict[str, LocalDelivery]
    glance: dict[str, ParcelGlance]


@dataclass(frozen=True, slots=True)
class OrderPage:
    order: PublicOrder
    local: dict[str, LocalDelivery]
    glance: dict[str, ParcelGlance]
    #: by tracking number: the delivery changes a parcel in trouble offers, or the one made
    changes: dict[str, ParcelChoices]
    subscription: Subscription | None
    #: what the page's forms carry (None: not stored yet, the database busy)
    ticket: str | None


@dataclass(frozen=True, slots=True)
class LinkClosed:
    """A link that opens nothing: one that once opened an order has `expired`."""

    expired: bool


@dataclass(frozen=True, slots=True)
class Readers:
    """What a tracking page is read with."""

    uows: UnitOfWorkFactory
    views: ViewTally
    gazetteer: Gazetteer


def page_of_parcel(readers: Readers, tracking: str, now: datetime) -> ParcelPage | None:
    """A parcel's page by its tracking number alone; None when no parcel has it."""
    with one_read(readers.uows) as reads:
        found = parcel_and_detail(reads, tracking, now)
        if found is None:
            return None
        parcel, detail = found
        details = {parcel.tracking_number or tracking: detail}  # read once, not again
        zone = _zone(parcel.times)
        local = local_deliveries(reads, details, zone, now, with_proof=False)
        glance = glances(reads, readers.gazetteer, [parcel], details, zone, order_matched=False)
    if parcel.order_id:
        readers.views.count(parcel.order_id, now)
    return ParcelPage(parcel, local, glance)


def page_of_order(
    readers: Readers, order: str, email: str, postal_code: str, now: datetime
) -> OrderPage | None:
    """An order's page once its email or postal code matches (None: unknown or not
    matching, the same answer)."""
    with one_read(readers.uows) as reads:
        found = order_and_detail(reads, order, email, postal_code, now=now)
        if found is None:  # the same statements ran as for a match: timing tells nothing
            return None
        page = _order_page(reads, readers, *found, now, None)
    order_id = page.order.order_id
    readers.views.count(order_id, now)
    # after the read (the first of the month stores it): a page holds one connection at once
    return replace(page, ticket=ticket_for(readers.uows, order_id, now))


def page_of_link(readers: Readers, token: str, now: datetime) -> OrderPage | LinkClosed:
    """The order a message's link opens while it is fresh; the link is the forms' ticket."""
    readers.uows.link_secret()  # outside the read: the first use stores it (proofs' links)
    with one_read(readers.uows) as reads:
        order_id = order_of_token(reads, token, now)
        found = None
        if order_id is not None:
            found = order_and_detail(reads, order_id, by_link=True, now=now)
        if found is None:
            return LinkClosed(expired=link_expired(reads, token))
        page = _order_page(reads, readers, *found, now, token)
    readers.views.count(page.order.order_id, now)
    return page


def _order_page(
    reads: UnitOfWorkFactory,
    readers: Readers,
    order: PublicOrder,
    detail: OrderDetail,
    now: datetime,
    ticket: str | None,
) -> OrderPage:
    details = _parcel_details(order, detail)
    zone = _zone(order.times)
    local = local_deliveries(reads, details, zone, now, with_proof=True)
    glance = glances(reads, readers.gazetteer, order.parcels, details, zone, order_matched=True)
    # only a parcel in trouble can have a choice to make or one made
    troubled = {
        p.tracking_number: details[p.tracking_number]
        for p in order.parcels
        if p.status in TROUBLE and p.tracking_number in details
    }
    changes = parcel_choices(reads, order.order_id, troubled, now) if troubled else {}
    subscription = subscription_of(reads, order.order_id)
    return OrderPage(order, local, glance, changes, subscription, ticket)


def _parcel_details(order: PublicOrder, detail: OrderDetail) -> dict[str, ShipmentDetail]:
    """The details of the parcels the page shows, by tracking number: the order's own, as it
    was read (each parcel's events are among the order's), not each read again."""
    by_number: dict[str, ShipmentDetail] = {}
    for parcel in detail.shipments:
        if parcel.tracking_number and not parcel.cancelled:  # as the page shows them
            by_number.setdefault(parcel.tracking_number, parcel)
    return {
        p.tracking_number: by_number[p.tracking_number]
        for p in order.parcels
        if p.tracking_number in by_number
    }


def _zone(times: CustomerZone | None) -> tzinfo:
    return times.zone if times else UTC
