"""What callers ask the system to do. Plain data; the handlers carry them out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ordertrail.app.returns.commands import ReturnCommand
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Location, Order, Shipment, Source
from ordertrail.domain.warehouse import Step


@dataclass(frozen=True, slots=True)
class EventReport:
    """An event as a source reports it: its subject named by outside identifiers.

    At least one of `order`, `shipment` (id or tracking number) and `return_id` is given; the
    most specific one is the event's subject and the others must agree with it.
    """

    source: Source
    occurred_at: datetime
    milestone: Milestone | None = None
    reason: Reason | None = None
    order: str | None = None
    shipment: str | None = None
    return_id: str | None = None
    key: str | None = None
    location: Location | None = None
    raw_code: str | None = None
    raw_description: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordEvents:
    """Append events to the log and re-derive what they touch. Each item stands alone: a bad
    item is reported and skipped, the good ones land — unless `all_or_nothing`, when one bad
    item keeps the whole batch out."""

    reports: Sequence[EventReport]
    all_or_nothing: bool = False
    #: keep reports about shipments not registered yet, to attach when they are (webhooks:
    #: the sender would otherwise retry for days); otherwise they are refused
    keep_unmatched: bool = False


@dataclass(frozen=True, slots=True)
class RegisterOrders:
    """Create orders, or update them and their shipments when they exist already; with
    `all_or_nothing`, one refused order keeps every order of the batch out."""

    orders: Sequence[Order]
    all_or_nothing: bool = False


@dataclass(frozen=True, slots=True)
class RegisterShipments:
    """Add parcels to orders registered before (a store platform's fulfillment), or update
    them; a parcel of an order not registered yet is refused."""

    shipments: Sequence[Shipment]


@dataclass(frozen=True, slots=True)
class RecordScan:
    """A step scanned at a warehouse station: `target` names the carton (SSCC or parcel id),
    the parcel (tracking number) or the order it was done to.

    `order` is the order the carton belongs to when the carton is new (its label's AI 400,
    or the order scanned just before); `label` is the tracking number (or new SSCC) a label
    or relabel step puts on the carton."""

    site: str
    station: str
    operator: str
    step: Step
    target: str
    barcode: str
    order: str | None = None
    label: str | None = None
    label_carrier: str | None = None
    label_is_tracking: bool = True
    scanned_at: datetime | None = None
    #: who was signed in at the station or whose key sent it (the badge says who scanned)
    signed_in: str | None = None


@dataclass(frozen=True, slots=True)
class Rebuild:
    """Re-derive every projection from the event log."""


@dataclass(frozen=True, slots=True)
class MapCode:
    """Say what a carrier's raw code means; history is read again through it."""

    carrier: str
    raw_code: str
    milestone: Milestone
    reason: Reason | None
    mapped_by: str
    note: str | None = None


Command = (
    RecordEvents
    | RegisterOrders
    | RegisterShipments
    | RecordScan
    | Rebuild
    | MapCode
    | ReturnCommand
)
