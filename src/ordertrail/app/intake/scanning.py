"""A warehouse scan: find what was scanned, refuse what must not happen, record the step.

Refusals are answers, not errors: the operator at the station reads them ("this carton has no
carrier label", "this order was cancelled"), so they come back as an outcome with a message.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from ordertrail.app.intake.commands import EventReport, RecordScan
from ordertrail.app.intake.derive import append_and_derive
from ordertrail.app.intake.resolve import Resolver
from ordertrail.app.ports import Clock, SubjectRef, UnitOfWork, UnitOfWorkFactory
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import DomainError, Shipment, Source, Subject, SubjectKind
from ordertrail.domain.warehouse import Step

#: The longest id or tracking number a parcel can have.
NAME_LIMIT = 100

#: The same step scanned again on the same thing within this long is one scan (a double
#: trigger, a second try when the beep was missed).
DUPLICATE_WINDOW = timedelta(minutes=2)


class ScanStatus(StrEnum):
    RECORDED = "recorded"
    DUPLICATE = "duplicate"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    status: ScanStatus
    message: str
    order_id: str | None = None
    shipment_id: str | None = None
    milestone: Milestone | None = None


class Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def record_scan(cmd: RecordScan, uows: UnitOfWorkFactory, clock: Clock) -> ScanOutcome:
    now = clock.now()
    with uows() as uow:
        try:
            outcome = _record(uow, cmd, now)
        except Refused as refusal:
            return ScanOutcome(ScanStatus.REFUSED, refusal.message)
        if outcome.status is ScanStatus.RECORDED:
            uow.commit()
        return outcome


def _record(uow: UnitOfWork, cmd: RecordScan, now: datetime) -> ScanOutcome:
    if uow.sites.get(cmd.site) is None:
        raise Refused(f"site '{cmd.site}' is not set up: ask an admin to add it")
    if len(cmd.target) > NAME_LIMIT or len(cmd.label or "") > NAME_LIMIT:
        raise Refused(f"that barcode is longer than the {NAME_LIMIT} characters a parcel id has")
    names = {cmd.target} | ({cmd.label} if cmd.label else set())
    uow.subjects.claim_names(names)
    found = uow.subjects.find_shipments(names, hold=True)
    parcel = found.get(cmd.target)
    if parcel is None and cmd.target in uow.subjects.find_orders([cmd.target]):
        if cmd.step.needs_carton:
            raise Refused(f"{cmd.step.value} is done to a carton: scan its label, not the order")
        return _write(uow, cmd, now, Subject(SubjectKind.ORDER, cmd.target), cmd.target)
    if parcel is None:
        parcel = _new_carton(uow, cmd)
    if cmd.step in (Step.LABEL, Step.RELABEL, Step.HANDOFF):  # what the carton carries
        shipment = uow.orders.shipment(parcel.subject.id)
        assert shipment is not None  # held above, or saved just now
        if cmd.step is Step.HANDOFF:
            _check_hand_off(uow, shipment)
        else:
            _put_label(uow, cmd, shipment, found.get(cmd.label or ""), now)
    return _write(uow, cmd, now, parcel.subject, parcel.order_id, parcel)


def _new_carton(uow: UnitOfWork, cmd: RecordScan) -> SubjectRef:
    """A carton seen for the first time becomes a parcel of the order it is packed for."""
    if not cmd.order:
        raise Refused(
            f"'{cmd.target}' is neither an order nor a known carton: scan the order first"
        )
    if cmd.order not in uow.subjects.find_orders([cmd.order]):
        raise Refused(f"order '{cmd.order}' is not known here")
    uow.orders.save_shipments([Shipment(id=cmd.target, order_id=cmd.order, site=cmd.site)])
    return SubjectRef(Subject(SubjectKind.SHIPMENT, cmd.target), cmd.order)


def _put_label(
    uow: UnitOfWork,
    cmd: RecordScan,
    shipment: Shipment,
    owner: SubjectRef | None,
    now: datetime,
) -> None:
    if not cmd.label:
        raise Refused("scan the new label's barcode to go with this step")
    if owner is not None and owner.subject.id != shipment.id:
        raise Refused(f"'{cmd.label}' is already on parcel '{owner.subject.id}'")
    if not cmd.label_is_tracking:  # a new carton id (SSCC) for the same carton
        if cmd.step is not Step.RELABEL:
            raise Refused("a carton label is not a carrier label: scan the carrier's label")
        uow.subjects.link(cmd.label, shipment.id, now, f"warehouse:{cmd.site}")
        return
    if shipment.tracking_number == cmd.label:
        return  # the same label scanned again: the duplicate window decides
    if shipment.tracking_number and cmd.step is Step.LABEL:
        raise Refused(
            f"this carton already has label {shipment.tracking_number}: scan RELABEL to replace it"
        )
    if shipment.tracking_number:  # the old number still finds the same timeline
        uow.subjects.link(shipment.tracking_number, shipment.id, now, f"warehouse:{cmd.site}")
    carrier = cmd.label_carrier or shipment.carrier
    uow.orders.save_shipments(
        [
            replace(
                shipment, tracking_number=cmd.label, carrier=carrier, site=shipment.site or cmd.site
            )
        ]
    )


def _check_hand_off(uow: UnitOfWork, shipment: Shipment) -> None:
    if not shipment.tracking_number:
        raise Refused("this carton has no carrier label: label it before hand-off")
    inputs = uow.orders.status_inputs([shipment.order_id]).get(shipment.order_id)
    if inputs is not None and inputs.own is Milestone.ORDER_CANCELLED:
        raise Refused(f"order {shipment.order_id} was cancelled: do not ship, set the carton aside")


def _write(
    uow: UnitOfWork,
    cmd: RecordScan,
    now: datetime,
    subject: Subject,
    order_id: str,
    parcel: SubjectRef | None = None,
) -> ScanOutcome:
    """Record the step on the order, or on `parcel` (found and held by `_record`, or saved by
    it just now)."""
    milestone = cmd.step.milestone
    at = cmd.scanned_at or now
    source = Source.parse(f"warehouse:{cmd.site}")
    shipment_id = subject.id if subject.kind is SubjectKind.SHIPMENT else None
    earlier = _same_scan(uow, subject, source, milestone, at, cmd.label)
    if earlier is not None:
        message = f"already scanned at {earlier:%H:%M:%S}: not recorded twice"
        return ScanOutcome(ScanStatus.DUPLICATE, message, order_id, shipment_id, milestone)
    data = {"operator": cmd.operator, "station": cmd.station, "barcode": cmd.barcode}
    if cmd.label:
        data["label"] = cmd.label
    if cmd.signed_in:
        data["signed_in"] = cmd.signed_in
    report = EventReport(
        source=source,
        occurred_at=at,
        milestone=milestone,
        order=order_id,
        shipment=shipment_id,
        key=_key(f"scan:{cmd.site}:{subject.kind}:{subject.id}:{cmd.step}:{at.isoformat()}"),
        data=data,
    )
    # what `Resolver.load` would look up again: the order is known, the parcel held
    shipments = {parcel.subject.id: parcel} if parcel else {}
    resolver = Resolver({order_id}, shipments, returns={}, new_returns={}, return_parcels={})
    try:
        event = resolver.event(report, now)
    except DomainError as error:
        raise Refused(error.message) from None
    append_and_derive(uow, [event], held=resolver.held, new_returns=resolver.new_returns, now=now)
    what = f"carton {shipment_id}" if shipment_id else f"order {order_id}"
    message = f"{cmd.step.value.capitalize()} recorded for {what}"
    return ScanOutcome(ScanStatus.RECORDED, message, order_id, shipment_id, milestone)


def _key(readable: str) -> str:
    """The scan's idempotency key: readable when it fits the log's 200 characters."""
    if len(readable) <= 200:
        return readable
    return "scan:" + hashlib.sha256(readable.encode()).hexdigest()


def _same_scan(
    uow: UnitOfWork,
    subject: Subject,
    source: Source,
    milestone: Milestone,
    at: datetime,
    label: str | None,
) -> datetime | None:
    """When this very step was last scanned on this subject, if within the window."""
    for event in uow.events.for_subjects([subject]).get(subject, []):
        if (
            event.source == source
            and event.milestone is milestone
            and abs(event.occurred_at - at) <= DUPLICATE_WINDOW
            and event.data.get("label") == label
        ):
            return event.occurred_at
    return None
