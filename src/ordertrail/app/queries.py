"""The read side: what the CLI, the API and the pages show about an order or a shipment."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date, datetime, time
from typing import Any

from ordertrail.app.effect_ports import CaseQuery, OutboxMessage
from ordertrail.app.ports import (
    HeldReport,
    OrderFacts,
    OrderListing,
    UnitOfWork,
    UnitOfWorkFactory,
    UnmappedCode,
)
from ordertrail.app.promise.eta_views import EtaView, eta_view
from ordertrail.domain.b2b.dock import Appointment, fold_appointment
from ordertrail.domain.b2b.line_progress import LineProgress, line_progress
from ordertrail.domain.b2b.receiving import BusinessTerms
from ordertrail.domain.fold import Effect, SubjectState, timeline
from ordertrail.domain.mapping import CodeKey, CodeMapping, interpret
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import (
    Customer,
    Line,
    Location,
    Money,
    Order,
    Shipment,
    Subject,
    SubjectKind,
    TrackingEvent,
)
from ordertrail.domain.order_lines import with_names
from ordertrail.domain.order_status import ParcelView
from ordertrail.domain.promise.eta_window import Shown, WindowChange

Mappings = Mapping[CodeKey, CodeMapping]


@dataclass(frozen=True, slots=True)
class TimelineRow:
    subject: Subject
    milestone: str | None
    reason: str | None
    source: str
    occurred_at: datetime
    received_at: datetime
    raw_code: str | None
    raw_description: str | None
    location: Location | None
    conflict: bool
    effect: Effect
    key: str
    remapped: bool = False  # read through a mapping added after the event arrived
    #: what else the source said (a scan's operator and station, a signer): staff views only
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ShipmentDetail:
    id: str
    order_id: str
    tracking_number: str | None
    carrier: str | None
    service: str | None
    site: str | None
    status: str | None
    exception_reason: str | None
    eta: EtaView
    shipped_at: datetime | None
    delivered_at: datetime | None
    lines: tuple[Line, ...]
    unmapped: int
    conflicts: int
    timeline: list[TimelineRow]
    cancelled: bool = False
    #: every change of the delivery window its customer sees, oldest first, with its cause
    eta_changes: list[WindowChange] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReturnDetail:
    id: str
    status: str | None
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class OrderDetail:
    id: str
    channel: str
    placed_at: datetime
    promised_by: str | None
    priority: str
    status: str
    needs_attention: bool
    lines: tuple[Line, ...]
    shipments: list[ShipmentDetail]
    external_id: str | None
    promised_from: str | None
    value: Money | None
    customer: Customer
    returns: list[ReturnDetail]
    timeline: list[TimelineRow]
    #: a B2B order's consignee, purchase order and needs; where each line stands across
    #: its freight units; its dock appointment
    business: BusinessTerms | None = None
    #: the customer's language tag as the shop sent it (None: not said)
    locale: str | None = None
    line_progress: list[LineProgress] = field(default_factory=list)
    appointment: Appointment | None = None


def list_orders(
    uows: UnitOfWorkFactory,
    *,
    status: str | None = None,
    needs_attention: bool | None = None,
    after: str | None = None,
    limit: int = 100,
) -> list[OrderListing]:
    with uows(read_only=True) as uow:
        return uow.orders.page(
            status=status, needs_attention=needs_attention, after=after, limit=limit
        )


def find_orders(
    uows: UnitOfWorkFactory, text: str, limit: int = 50, *, by_email: bool = True
) -> list[OrderListing]:
    """What staff search finds: by order number, platform id, tracking number, and by the
    customer's email for those who may read contact details."""
    text = text.strip()
    if not text:
        return []
    with uows(read_only=True) as uow:
        return uow.orders.search(text, limit, by_email=by_email)


def order_detail(uows: UnitOfWorkFactory, order_id: str) -> OrderDetail | None:
    return first_order_detail(uows, [order_id])


def first_order_detail(uows: UnitOfWorkFactory, order_ids: Sequence[str]) -> OrderDetail | None:
    """The first of `order_ids` that names an order (the ways a customer may have meant one
    number), asked of the database at once."""
    with uows(read_only=True) as uow:
        known = uow.orders.facts(order_ids)
        order_id = next((order_id for order_id in order_ids if order_id in known), None)
        if order_id is None:
            return None
        return _details(uow, {order_id: known[order_id]})[order_id]


def order_details(uows: UnitOfWorkFactory, order_ids: Iterable[str]) -> dict[str, OrderDetail]:
    """Several orders' details read in one unit of work (the outbox's round reads every
    order it is about to write about at once); an id that names no order is left out."""
    with uows(read_only=True) as uow:
        return _details(uow, uow.orders.facts(sorted(set(order_ids))))


def _details(uow: UnitOfWork, known: Mapping[str, OrderFacts]) -> dict[str, OrderDetail]:
    events = {order_id: uow.events.for_order(order_id) for order_id in known}
    mappings = uow.mappings.for_events(e for found in events.values() for e in found)
    # a stall or missing scan is no parcel status, but an open case: the order needs someone
    open_case = {o for o in known if uow.cases.find(CaseQuery(order_id=o, limit=1))}
    estimates = _estimates(uow, [s.id for facts in known.values() for s, _ in facts.shipments])
    found = {o: _order_detail(facts, events[o], mappings, estimates) for o, facts in known.items()}
    return {o: replace(d, needs_attention=True) if o in open_case else d for o, d in found.items()}


def shipment_details(
    uows: UnitOfWorkFactory, numbers: Iterable[str | None]
) -> dict[str, ShipmentDetail]:
    """Each known parcel's detail by the number it was asked by: read once for a page whose
    parts (the fleet's news, the glance) all look at it, and for the simulator's many
    parcels, all in one unit of work."""
    found: dict[str, ShipmentDetail] = {}
    with uows(read_only=True) as uow:
        for number in dict.fromkeys(filter(None, numbers)):
            if (detail := _shipment_detail_in(uow, number)) is not None:
                found[number] = detail
    return found


def shipment_detail(uows: UnitOfWorkFactory, id_or_tracking: str) -> ShipmentDetail | None:
    with uows(read_only=True) as uow:
        return _shipment_detail_in(uow, id_or_tracking)


def shipment_and_order(
    uows: UnitOfWorkFactory, id_or_tracking: str
) -> tuple[ShipmentDetail, Order] | None:
    """A shipment's detail with its order as registered, without the order's other parcels
    (a parcel's page needs whom it is for, where and in which language, not the rest)."""
    with uows(read_only=True) as uow:
        detail = _shipment_detail_in(uow, id_or_tracking)
        order = uow.orders.registered(detail.order_id) if detail else None
    return (detail, order) if detail and order else None


def _shipment_detail_in(uow: UnitOfWork, id_or_tracking: str) -> ShipmentDetail | None:
    # the parcel's own row holds its fold state: its order's facts are not read for it
    found = uow.orders.parcel(id_or_tracking)
    if found is None:
        return None
    shipment, state = found
    subject = _subject_of(shipment)
    events = uow.events.for_subjects([subject]).get(subject, [])
    mappings = uow.mappings.for_events(events)
    estimates = _estimates(uow, [shipment.id])
    return _shipment_detail(shipment, state, _rows(events, mappings), estimates)


Estimates = Mapping[str, tuple[Shown | None, list[WindowChange]]]


def _estimates(uow: UnitOfWork, shipment_ids: list[str]) -> Estimates:
    shown = uow.estimates.shown(shipment_ids)
    changes = uow.estimates.changes(shipment_ids)
    return {sid: (shown.get(sid), changes.get(sid, [])) for sid in shipment_ids}


def _order_detail(
    facts: OrderFacts, events: Sequence[TrackingEvent], mappings: Mappings, estimates: Estimates
) -> OrderDetail:
    by_subject: dict[Subject, list[TrackingEvent]] = {}
    for event in events:
        by_subject.setdefault(event.subject, []).append(event)
    rows = {subject: _rows(found, mappings) for subject, found in by_subject.items()}
    order = facts.order
    summary = facts.summary
    appointment = fold_appointment(by_subject.get(Subject(SubjectKind.ORDER, order.id), []))
    parcels = [
        ParcelView.of_state(state, shipment.lines)
        for shipment, state in facts.shipments
        if not shipment.cancelled
    ]
    damaged = appointment.damaged_units if appointment else None
    return OrderDetail(
        id=order.id,
        channel=order.channel,
        placed_at=order.placed_at,
        promised_by=order.promised_by.isoformat() if order.promised_by else None,
        priority=order.priority,
        status=summary.status if summary else "placed",
        needs_attention=summary.needs_attention if summary else False,
        lines=order.lines,
        external_id=order.external_id,
        promised_from=order.promised_from.isoformat() if order.promised_from else None,
        value=order.value,
        customer=order.customer,
        shipments=[
            _shipment_detail(
                replace(shipment, lines=with_names(shipment.lines, order.lines)),
                state,
                rows.get(_subject_of(shipment), []),
                estimates,
            )
            for shipment, state in facts.shipments
        ],
        returns=[
            ReturnDetail(ret.id, state.status, with_names(ret.lines, order.lines))
            for ret, state in facts.returns
        ],
        timeline=sorted(
            (row for subject_rows in rows.values() for row in subject_rows),
            key=_fold_order,  # event time, never arrival; ties as the fold breaks them
        ),
        business=order.business,
        locale=order.locale,
        line_progress=line_progress(order.lines, parcels, damaged),
        appointment=appointment,
    )


def _fold_order(row: TimelineRow) -> tuple[datetime, int, str]:
    rank = Milestone(row.milestone).spec.rank if row.milestone else -1
    return (row.occurred_at, rank, row.key)


def _shipment_detail(
    shipment: Shipment, state: SubjectState, rows: list[TimelineRow], estimates: Estimates
) -> ShipmentDetail:
    shown, changes = estimates.get(shipment.id, (None, []))
    return ShipmentDetail(
        id=shipment.id,
        order_id=shipment.order_id,
        tracking_number=shipment.tracking_number,
        carrier=shipment.carrier,
        service=shipment.service,
        site=shipment.site,
        status=state.status,
        exception_reason=state.reason,
        eta=eta_view(shown, changes, state.eta),
        shipped_at=state.possession_at,
        delivered_at=state.delivered_at,
        lines=shipment.lines,
        unmapped=state.unmapped,
        conflicts=state.conflicts,
        timeline=rows,
        cancelled=shipment.cancelled,
        eta_changes=changes,
    )


def _subject_of(shipment: Shipment) -> Subject:
    return Subject(SubjectKind.SHIPMENT, shipment.id)


def _rows(events: Sequence[TrackingEvent], mappings: Mappings) -> list[TimelineRow]:
    """Every event with what it did, as the mappings in force read it."""
    effective = [interpret(event, mappings) for event in events]
    received = {id(read): event for read, event in zip(effective, events, strict=True)}
    return [
        TimelineRow(
            subject=event.subject,
            milestone=event.milestone,
            reason=event.reason,
            source=str(event.source),
            occurred_at=event.occurred_at,
            received_at=event.received_at,
            raw_code=event.raw_code,
            raw_description=event.raw_description,
            location=event.location,
            conflict=event.conflict,
            effect=effect,
            key=event.key,
            remapped=received[id(event)].milestone != event.milestone,
            data=event.data,
        )
        for event, effect in timeline(effective)
    ]


def jsonable(value: Any) -> Any:
    """A view as plain JSON values: the shape `--json` and the API print."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    names = _FIELDS.get(kind)
    if names is None and is_dataclass(kind):
        names = _FIELDS.setdefault(kind, tuple(f.name for f in fields(kind)))
    if names is not None:
        if kind is Subject:
            return {"kind": value.kind.value, "id": value.id}
        return {name: jsonable(getattr(value, name)) for name in names}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


#: Values that are JSON already (their exact types: an enum that is also a str is not one),
#: and each view's field names, read once per class: `fields()` on every value was a third
#: of an order read's time.
_AS_IS = frozenset({str, int, float, bool, type(None)})
_FIELDS: dict[type, tuple[str, ...]] = {}


def unmapped_codes(uows: UnitOfWorkFactory, limit: int = 100) -> list[UnmappedCode]:
    """Carrier codes no table or mapping reads yet, with counts and examples, most first."""
    with uows(read_only=True) as uow:
        return uow.mappings.unmapped(limit)


def code_mappings(uows: UnitOfWorkFactory) -> list[CodeMapping]:
    with uows(read_only=True) as uow:
        return uow.mappings.all()


def held_reports(uows: UnitOfWorkFactory, limit: int = 100) -> list[HeldReport]:
    """Reports waiting for a parcel nobody has registered yet, oldest first."""
    with uows(read_only=True) as uow:
        return uow.unmatched.waiting(limit)


def outbox_messages(
    uows: UnitOfWorkFactory, status: str | None, order_id: str | None, limit: int = 500
) -> list[OutboxMessage]:
    with uows(read_only=True) as uow:
        return uow.outbox.find(status=status, order_id=order_id, limit=limit)
