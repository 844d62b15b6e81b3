"""What callers ask of the returns flow. `by` is who acts (`ops:staff:<email>`, `ops:key:<name>`,
`customer`, `system`, `channel:<code>`); `why` what they said about it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ordertrail.domain.model import Source
from ordertrail.domain.returns.return_lines import ReturnLine


@dataclass(frozen=True, slots=True)
class RequestReturn:
    order: str
    lines: Sequence[ReturnLine]
    by: Source
    why: str | None = None
    #: the channel's own id for this return (a Shopify return), when it has one
    channel_ref: str | None = None


@dataclass(frozen=True, slots=True)
class DecideReturn:
    """Approve (or reject) a return the policy left to a person, or overrule the policy."""

    rma: str
    approve: bool
    by: Source
    why: str | None = None


@dataclass(frozen=True, slots=True)
class SchedulePickup:
    rma: str
    by: Source
    on: str  # the pickup day as the carrier booked it (YYYY-MM-DD)
    why: str | None = None


@dataclass(frozen=True, slots=True)
class AttachLabel:
    """A return label's tracking number: the carrier's news of that parcel is the return's."""

    rma: str
    tracking_number: str
    by: Source
    carrier: str | None = None


@dataclass(frozen=True, slots=True)
class ReceiveReturn:
    """Goods came back; `lines` counts them per SKU (every unit still out when empty)."""

    rma: str
    by: Source
    lines: Mapping[str, int] = field(default_factory=dict)
    why: str | None = None


@dataclass(frozen=True, slots=True)
class InspectLine:
    rma: str
    sku: str
    disposition: str
    by: Source
    damaged: int = 0
    note: str | None = None
    photo: str | None = None


@dataclass(frozen=True, slots=True)
class ReleaseRefund:
    rma: str
    by: Source
    why: str | None = None


@dataclass(frozen=True, slots=True)
class ReleaseReplacement:
    rma: str
    by: Source
    why: str | None = None


ReturnCommand = (
    RequestReturn
    | DecideReturn
    | SchedulePickup
    | AttachLabel
    | ReceiveReturn
    | InspectLine
    | ReleaseRefund
    | ReleaseReplacement
)
