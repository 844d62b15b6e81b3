"""Turn event reports (outside identifiers) into tracking events about known subjects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ordertrail.app.intake.commands import EventReport
from ordertrail.app.ports import SubjectRef, UnitOfWork
from ordertrail.domain.b2b.dock import check_report
from ordertrail.domain.fold import SubjectState
from ordertrail.domain.milestones import (
    BESIDE_THE_JOURNEY,
    TROUBLE,
    Disposition,
    Milestone,
    Phase,
    Reason,
    SourceKind,
)
from ordertrail.domain.model import (
    DomainError,
    Return,
    Subject,
    SubjectKind,
    TrackingEvent,
    default_event_key,
    require_aware,
    require_real_offset,
)
from ordertrail.domain.returns.return_lines import parcel_news
from ordertrail.domain.text import unstorable_text

#: Which milestones can be said of which kind of subject. Picking and packing may be
#: scanned against an order before it is split into parcels; a dock appointment is booked
#: for the order's delivery to the receiving site, whichever freight units it brings.
_PHASES_OF = {
    SubjectKind.ORDER: {Phase.ORDER, Phase.APPOINTMENT},
    SubjectKind.SHIPMENT: {Phase.WAREHOUSE, Phase.CARRIER, Phase.DELIVERY_CHANGE},
    SubjectKind.RETURN: {Phase.REVERSE},
}
_ORDER_WAREHOUSE = {Milestone.PICKED, Milestone.PACKED}

#: Clocks drift and carriers report local times; anything further ahead is a mistake.
_FUTURE_TOLERANCE = timedelta(days=1)


class UnknownShipment(DomainError):
    """The report names a shipment OrderTrail does not know (yet)."""


@dataclass(slots=True)
class Resolver:
    orders: set[str]
    shipments: dict[str, SubjectRef]
    returns: dict[str, SubjectRef]
    new_returns: dict[str, Return]
    #: return labels' tracking numbers among the names no shipment answers to
    return_parcels: dict[str, SubjectRef]

    @classmethod
    def load(cls, uow: UnitOfWork, reports: Sequence[EventReport]) -> Resolver:
        """Look up every identifier the reports name, in three queries; the shipments are held
        for writing from here on (see `held`)."""
        named = {r.shipment for r in reports if r.shipment}
        shipments = uow.subjects.find_shipments(named, hold=True)
        missing = named - shipments.keys()
        return cls(
            orders=uow.subjects.find_orders({r.order for r in reports if r.order}),
            shipments=shipments,
            returns=uow.subjects.find_returns({r.return_id for r in reports if r.return_id}),
            new_returns={},
            return_parcels=uow.returns.by_tracking(missing) if missing else {},
        )

    @property
    def held(self) -> dict[Subject, SubjectState]:
        """The shipments looked up, already held for writing, with their saved fold states."""
        return {
            ref.subject: ref.state or SubjectState()
            for ref in self.shipments.values()
            if ref.subject.kind is SubjectKind.SHIPMENT
        }

    def event(self, report: EventReport, received_at: datetime) -> TrackingEvent:
        """The tracking event a report means, or a DomainError naming the bad field."""
        subject, order_id = self._subject(report)
        occurred_at = require_aware("occurred_at", report.occurred_at)
        require_real_offset("occurred_at", occurred_at)
        said = {"raw_code": report.raw_code, "raw_description": report.raw_description}
        unstorable = unstorable_text({**said, "data": dict(report.data)})
        if unstorable:  # whatever the edge, no event stores text that cannot be read back
            raise DomainError(*unstorable)
        if occurred_at > received_at + _FUTURE_TOLERANCE:
            raise DomainError("occurred_at", f"{occurred_at.isoformat()} is in the future")
        milestone, reason, data = report.milestone, report.reason, report.data
        if milestone is None and not report.raw_code:
            raise DomainError("milestone", "give a canonical milestone or at least a raw_code")
        if subject.kind is SubjectKind.RETURN and report.shipment and not report.return_id:
            # a carrier's news of a return label's parcel, said in the return's words
            milestone, reason, data = parcel_news(milestone), None, _parcel_data(report)
        if milestone is not None:
            _check_applies(milestone, subject)
        if milestone is Milestone.DISPOSITION_DECIDED:
            _check_disposition(report.data)
        if milestone is not None and milestone.spec.phase is Phase.APPOINTMENT:
            check_report(milestone, report.data)
        reason = _reason(milestone, reason)
        # booking a dock appointment corrects nothing: it needs no why
        correcting = milestone is not None and milestone.spec.phase not in BESIDE_THE_JOURNEY
        if report.source.kind is SourceKind.OPS and correcting and not _why(report):
            raise DomainError("data.why", "an ops correction must say why it was made")
        key = report.key or default_event_key(
            report.source, subject, milestone, occurred_at, report.raw_code
        )
        return TrackingEvent(
            key=key,
            subject=subject,
            milestone=milestone,
            source=report.source,
            occurred_at=occurred_at,
            received_at=received_at,
            reason=reason,
            order_id=order_id,
            location=report.location,
            raw_code=report.raw_code,
            raw_description=report.raw_description,
            data=data,
        )

    def _subject(self, report: EventReport) -> tuple[Subject, str]:
        if report.return_id:
            ref = self.returns.get(report.return_id) or self._open_return(report)
        elif report.shipment:
            ref = self.return_parcels.get(report.shipment) or self._shipment(report.shipment)
        elif report.order:
            if report.order not in self.orders:
                raise DomainError("order", f"no order has id '{report.order}'")
            return Subject(SubjectKind.ORDER, report.order), report.order
        else:
            raise DomainError("order", "name the event's order, shipment or return")
        if report.order and report.order != ref.order_id:
            raise DomainError(
                "order",
                f"{ref.subject.kind} '{ref.subject.id}' belongs to "
                f"order '{ref.order_id}', not '{report.order}'",
            )
        return ref.subject, ref.order_id

    def _shipment(self, id_or_tracking: str) -> SubjectRef:
        ref = self.shipments.get(id_or_tracking)
        if ref is None:
            raise UnknownShipment(
                "shipment",
                f"no shipment has id or tracking number "
                f"'{id_or_tracking}'; register it with its order",
            )
        return ref

    def _open_return(self, report: EventReport) -> SubjectRef:
        return_id = report.return_id or ""
        if not report.order or report.order not in self.orders:
            raise DomainError(
                "return", f"no return has id '{return_id}'; name its order to open it"
            )
        ref = SubjectRef(Subject(SubjectKind.RETURN, return_id), report.order)
        self.returns[return_id] = ref
        self.new_returns[return_id] = Return(return_id, report.order)
        return ref


def _parcel_data(report: EventReport) -> Mapping[str, Any]:
    """What the carrier said, kept beside the return's reading of it."""
    said = {"carrier_milestone": report.milestone, "carrier_reason": report.reason}
    return {**report.data, **{k: v.value for k, v in said.items() if v is not None}}


def _check_applies(milestone: Milestone, subject: Subject) -> None:
    if milestone.spec.phase in _PHASES_OF[subject.kind]:
        return
    if subject.kind is SubjectKind.ORDER and milestone in _ORDER_WAREHOUSE:
        return
    wanted = {
        Phase.ORDER: "order",
        Phase.WAREHOUSE: "shipment",
        Phase.CARRIER: "shipment",
        Phase.REVERSE: "return",
        Phase.APPOINTMENT: "order",
        Phase.DELIVERY_CHANGE: "shipment",
    }[milestone.spec.phase]
    raise DomainError(
        "milestone", f"'{milestone}' is said of a {wanted}, not of {subject.kind} '{subject.id}'"
    )


def _reason(milestone: Milestone | None, reason: Reason | None) -> Reason | None:
    if milestone is None or milestone in TROUBLE:
        if milestone is not None and milestone.spec.needs_reason:
            return reason or Reason.OTHER
        return reason
    if reason is not None:
        raise DomainError(
            "reason", f"'{milestone}' takes no reason; only " + ", ".join(sorted(TROUBLE)) + " do"
        )
    return None


def _why(report: EventReport) -> bool:
    why = report.data.get("why")
    return isinstance(why, str) and bool(why.strip())


def _check_disposition(data: Mapping[str, Any]) -> None:
    """A decided disposition says which, from the list."""
    given = data.get("disposition")
    if given not in set(Disposition):
        choices = ", ".join(Disposition)
        said = f"'{given}' is not" if isinstance(given, str) else "give"
        raise DomainError("data.disposition", f"{said} one of {choices}")
