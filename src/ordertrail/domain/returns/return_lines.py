"""A return: lines coming back from a customer, and what became of each, folded from its events.

A return's events (subject `return`) carry what the flow needs in their data: the request
names the lines with a reason each and the policy's decision; a receipt the units that came
back; a disposition one line's fate. `fold_return` reads them, in event-time order, into
`ReturnFile`; the rules below refuse what the flow cannot allow, each with a clear message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from ordertrail.domain.fold import ordered
from ordertrail.domain.milestones import Disposition, Milestone, Phase
from ordertrail.domain.model import DomainError, Money, TrackingEvent

#: The raw code of the event that attaches a return label's tracking number: no milestone
#: says it, and the return's parcel is tracked under that number from then on.
LABEL_ATTACHED = "label_attached"


#: What a carrier's news about a return label's parcel means for its return.
PARCEL_NEWS = {
    Milestone.CARRIER_ACCEPTED: Milestone.RETURN_IN_TRANSIT,
    Milestone.IN_TRANSIT: Milestone.RETURN_IN_TRANSIT,
    Milestone.DELAYED: Milestone.RETURN_IN_TRANSIT,
    Milestone.OUT_FOR_DELIVERY: Milestone.RETURN_IN_TRANSIT,
    Milestone.DELIVERY_ATTEMPTED: Milestone.RETURN_IN_TRANSIT,
    Milestone.AVAILABLE_FOR_PICKUP: Milestone.RETURN_IN_TRANSIT,
    Milestone.DELIVERED: Milestone.RETURN_RECEIVED,
}


def parcel_news(milestone: Milestone | None) -> Milestone | None:
    """A milestone said of a return (its own, or its parcel's as a carrier says it)."""
    if milestone is None or milestone.spec.phase is Phase.REVERSE:
        return milestone
    return PARCEL_NEWS.get(milestone)


class ReturnReason(StrEnum):
    DAMAGED = "damaged"
    DEFECTIVE = "defective"
    WRONG_ITEM = "wrong_item"
    MISSING_PART = "missing_part"
    NOT_AS_DESCRIBED = "not_as_described"
    NO_LONGER_NEEDED = "no_longer_needed"
    WARRANTY = "warranty"
    OTHER = "other"


class ReturnKind(StrEnum):
    RETURN = "return"
    WARRANTY = "warranty"  # a claim under the maker's warranty: its own window and team


@dataclass(frozen=True, slots=True)
class ReturnLine:
    """Units of one order line asked back, and why."""

    sku: str
    quantity: int
    reason: ReturnReason

    def __post_init__(self) -> None:
        if not self.sku.strip():
            raise DomainError("lines.sku", "must not be empty")
        if self.quantity < 1:
            raise DomainError("lines.quantity", f"must be at least 1 (got {self.quantity})")


@dataclass(frozen=True, slots=True)
class LineProgress:
    """One returned line and what happened to it so far."""

    line: ReturnLine
    received: int = 0
    disposition: Disposition | None = None
    damaged: int = 0
    note: str | None = None
    photo: str | None = None
    refunded: int = 0


#: The flow's stages, in the order a return moves through them.
STAGES = (
    Milestone.RETURN_REQUESTED,
    Milestone.RETURN_APPROVED,
    Milestone.RETURN_PICKUP_SCHEDULED,
    Milestone.RETURN_IN_TRANSIT,
    Milestone.RETURN_RECEIVED,
    Milestone.INSPECTION_PENDING,
    Milestone.DISPOSITION_DECIDED,
)
_STAGE_RANK = {milestone: rank for rank, milestone in enumerate(STAGES)}

#: A return in one of these needs nothing more from anyone.
CLOSED = frozenset(
    {Milestone.RETURN_REJECTED, Milestone.REFUND_RELEASED, Milestone.REPLACEMENT_RELEASED}
)


@dataclass(frozen=True, slots=True)
class ReturnFile:
    """Everything a returns clerk knows about one return, derived from its events."""

    id: str
    order_id: str
    kind: ReturnKind = ReturnKind.RETURN
    lines: tuple[LineProgress, ...] = ()
    stage: Milestone | None = None
    rejected: bool = False
    requested_at: datetime | None = None
    requested_by: str | None = None
    decision: Mapping[str, Any] = field(default_factory=dict)
    tracking_number: str | None = None
    carrier: str | None = None
    refund: Money | None = None
    #: refunded, here or where the shop runs its returns (Shopify's `returns/close`)
    settled: bool = False
    replacement: bool = False
    replacement_in_advance: bool = False
    updated_at: datetime | None = None
    #: opened by OrderTrail for a parcel the carrier is bringing back (refused, returned to
    #: sender): the customer did not ask for it, so its approval is no news to them
    unasked: bool = False

    @property
    def status(self) -> Milestone | None:
        """Where the return stands: its outcome once there is one, else its furthest stage.
        A replacement sent ahead leaves the return open until the goods are back."""
        if self.rejected:
            return Milestone.RETURN_REJECTED
        if self.settled:
            return Milestone.REFUND_RELEASED
        if self.replacement and self.received_any:
            return Milestone.REPLACEMENT_RELEASED
        return self.stage

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    @property
    def received_any(self) -> bool:
        return any(p.received for p in self.lines)

    @property
    def team(self) -> str:
        return str(self.decision.get("team") or "returns")

    def line(self, sku: str) -> LineProgress:
        for progress in self.lines:
            if progress.line.sku == sku:
                return progress
        skus = ", ".join(p.line.sku for p in self.lines)
        raise DomainError("sku", f"'{sku}' is not a line of {self.id} (its lines: {skus})")

    def requested(self) -> Counter[str]:
        return Counter({p.line.sku: p.line.quantity for p in self.lines})


def fold_return(return_id: str, order_id: str, events: Iterable[TrackingEvent]) -> ReturnFile:
    """The return as its events tell it; duplicates count once, arrival order is irrelevant."""
    current = ReturnFile(return_id, order_id)
    for event, duplicate in ordered(events):
        if not duplicate:
            current = _apply(current, event)
    return current


def _apply(file: ReturnFile, event: TrackingEvent) -> ReturnFile:
    data, milestone = event.data, parcel_news(event.milestone)
    file = replace(file, updated_at=event.occurred_at)
    if milestone is None:
        label = data.get("label") if event.raw_code == LABEL_ATTACHED else None
        if isinstance(label, Mapping):
            return replace(
                file, tracking_number=label.get("tracking_number"), carrier=label.get("carrier")
            )
        return file
    if milestone is Milestone.RETURN_REQUESTED and not file.lines:
        file = replace(
            file,
            kind=ReturnKind(data.get("kind", ReturnKind.RETURN)),
            lines=tuple(LineProgress(line) for line in lines_from_data(data.get("lines"))),
            requested_at=event.occurred_at,
            requested_by=str(event.source),
            decision=dict(data.get("decision") or {}),
            unasked=bool(data.get("parcel")),  # the parcel coming back (app/returns/automatic)
        )
    elif milestone is Milestone.RETURN_APPROVED:
        file = replace(file, rejected=False)
    elif milestone is Milestone.RETURN_REJECTED:
        return replace(file, rejected=True)
    elif milestone is Milestone.RETURN_RECEIVED:
        file = _received(file, data.get("lines"))
    elif milestone is Milestone.DISPOSITION_DECIDED:
        file = _decided(file, data)
    elif milestone is Milestone.REFUND_RELEASED:
        return _refunded(file, data)
    elif milestone is Milestone.REPLACEMENT_RELEASED:
        return replace(file, replacement=True, replacement_in_advance=bool(data.get("advance")))
    rank = _STAGE_RANK.get(milestone)
    if rank is not None and rank > (_STAGE_RANK[file.stage] if file.stage else -1):
        file = replace(file, stage=milestone)
    return file


def _received(file: ReturnFile, given: Any) -> ReturnFile:
    """Add the units a receipt names (every unit still out, when it names none: a carrier
    handing the parcel over), never more than were asked back."""
    counted = Counter({line.sku: line.quantity for line in lines_of(given)}) if given else None
    lines = []
    for progress in file.lines:
        outstanding = progress.line.quantity - progress.received
        add = outstanding if counted is None else min(counted[progress.line.sku], outstanding)
        lines.append(replace(progress, received=progress.received + add))
    return replace(file, lines=tuple(lines))


def _decided(file: ReturnFile, data: Mapping[str, Any]) -> ReturnFile:
    sku = data.get("sku")
    disposition = Disposition(data["disposition"])
    lines = []
    for progress in file.lines:
        if progress.received and sku in (None, progress.line.sku):
            progress = replace(
                progress,
                disposition=disposition,
                damaged=min(_count(data.get("damaged")), progress.received),
                note=data.get("note") or progress.note,
                photo=data.get("photo") or progress.photo,
            )
        lines.append(progress)
    return replace(file, lines=tuple(lines))


def _refunded(file: ReturnFile, data: Mapping[str, Any]) -> ReturnFile:
    amount, currency = data.get("amount"), data.get("currency")
    refund = Money(amount, str(currency)) if isinstance(amount, int) and currency else None
    paid = Counter({line.sku: line.quantity for line in lines_of(data.get("lines"))})
    lines = tuple(replace(p, refunded=p.refunded + paid[p.line.sku]) for p in file.lines)
    return replace(file, refund=refund or file.refund, settled=True, lines=lines)


def _count(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 0


def lines_of(given: Any) -> list[_Units]:
    """`[{"sku": ..., "quantity": n}]` as read back from an event's data."""
    if not isinstance(given, Sequence):
        return []
    return [
        _Units(str(item.get("sku")), _count(item.get("quantity")))
        for item in given
        if isinstance(item, Mapping)
    ]


@dataclass(frozen=True, slots=True)
class _Units:
    sku: str
    quantity: int


def lines_from_data(given: Any) -> tuple[ReturnLine, ...]:
    if not isinstance(given, Sequence):
        return ()
    return tuple(
        ReturnLine(str(item["sku"]), int(item["quantity"]), ReturnReason(item["reason"]))
        for item in given
        if isinstance(item, Mapping)
    )


def lines_data(lines: Iterable[ReturnLine]) -> list[dict[str, Any]]:
    return [{"sku": x.sku, "quantity": x.quantity, "reason": x.reason.value} for x in lines]
