"""A parcel at a glance, for the top of its tracking page: the steps it has come through, its
delivery window or delivered day, what the carrier said about any trouble, the carrier's own
tracking page, where it has been (with the map), and the help that fits its situation.

Assembled from what `app/customer/tracking.py` already shows, plus the parcel's own timeline read
again for the few facts it does not carry (a trouble's next attempt, a pickup point)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from ordertrail.app.casework.cases import find_cases
from ordertrail.app.customer.carrier_links import carrier_link
from ordertrail.app.customer.place_ports import Gazetteer
from ordertrail.app.customer.route import Route, parcel_route
from ordertrail.app.customer.support_prompts import ParcelSituation, SupportPrompt, support_prompt
from ordertrail.app.customer.tracking import PublicParcel
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.queries import ShipmentDetail, TimelineRow
from ordertrail.domain.casework.cases import Case
from ordertrail.domain.casework.exceptions import ExceptionKind
from ordertrail.domain.customer.trouble_details import TroubleDetails, trouble_details
from ordertrail.domain.fold import Effect
from ordertrail.domain.journey import JourneyStep, parcel_journey
from ordertrail.domain.milestones import Milestone

#: the statuses whose event can tell a next attempt or a pickup point
_TROUBLE = frozenset(
    m.value
    for m in (
        Milestone.DELIVERY_ATTEMPTED,
        Milestone.AVAILABLE_FOR_PICKUP,
        Milestone.EXCEPTION,
        Milestone.DELAYED,
    )
)


@dataclass(frozen=True, slots=True)
class ParcelGlance:
    journey: list[JourneyStep]
    window: str | None  # "Thursday or Friday", when it is still to come
    delivered_on: datetime | None  # in the customer's zone
    trouble: TroubleDetails
    carrier_link: str | None
    route: Route
    prompt: SupportPrompt


def glances(
    uows: UnitOfWorkFactory,
    gazetteer: Gazetteer,
    parcels: Sequence[PublicParcel],
    details: Mapping[str, ShipmentDetail],
    zone: tzinfo,
    *,
    order_matched: bool,
) -> dict[str, ParcelGlance]:
    """Each parcel's glance by its tracking number. Only a matched order's page hears of
    the customer's own messages; a tracking number alone shows only that we noticed a stall."""
    found: dict[str, ParcelGlance] = {}
    cases: dict[str, list[Case]] | None = None
    for parcel in parcels:
        if not parcel.tracking_number:
            continue
        detail = details.get(parcel.tracking_number)
        if detail is None:
            continue
        if cases is None:
            cases = _open_cases(uows, detail.order_id, order_matched=order_matched)
        found[parcel.tracking_number] = _glance(
            parcel, detail, cases.get(detail.id, []), gazetteer, zone
        )
    return found


def _glance(
    parcel: PublicParcel,
    detail: ShipmentDetail,
    cases: list[Case],
    gazetteer: Gazetteer,
    zone: tzinfo,
) -> ParcelGlance:
    trouble = _trouble(detail.timeline, detail.status)
    delivered = parcel.status is Milestone.DELIVERED and detail.delivered_at is not None
    situation = ParcelSituation(parcel.status, parcel.reason, trouble, parcel.proof, cases, zone)
    return ParcelGlance(
        journey=parcel_journey(parcel.status),
        window=parcel.eta.words if parcel.eta else None,
        delivered_on=detail.delivered_at.astimezone(zone)
        if delivered and detail.delivered_at
        else None,
        trouble=trouble,
        carrier_link=carrier_link(parcel.carrier, parcel.tracking_number),
        route=parcel_route(detail.timeline, gazetteer),
        prompt=support_prompt(situation),
    )


def _trouble(timeline: list[TimelineRow], status: str | None) -> TroubleDetails:
    """What the event that set the parcel's trouble status said of what comes next."""
    if status not in _TROUBLE:
        return TroubleDetails()
    for row in reversed(timeline):
        if row.milestone == status and row.effect in (Effect.APPLIED, Effect.CORRECTION):
            return trouble_details(row.data)
    return TroubleDetails()


def _open_cases(
    uows: UnitOfWorkFactory, order_id: str, *, order_matched: bool
) -> dict[str, list[Case]]:
    by_parcel: dict[str, list[Case]] = {}
    for case in find_cases(uows, CaseQuery(order_id=order_id)):
        if order_matched or case.kind is ExceptionKind.STALLED:
            by_parcel.setdefault(case.subject.id, []).append(case)
    return by_parcel
