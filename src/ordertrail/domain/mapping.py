"""Mappings added by people for carrier codes the shipped tables do not know (or get wrong).

An event keeps what it was when it arrived; a mapping changes how it is read. Folding reads
every carrier event through the mappings in force, so adding one corrects history: the
affected shipments are simply folded again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from ordertrail.domain.milestones import TROUBLE, Milestone, Phase, Reason, SourceKind
from ordertrail.domain.model import DomainError, TrackingEvent

CodeKey = tuple[str, str]  # (carrier, normalized raw code)


def normalize_code(code: str) -> str:
    """Case and spacing never matter, and a code zero-padded past three digits is the same
    code (Canada Post's `0174` is `174`). Shorter numbers keep their zeros: to FedEx, `007`
    and `07` are different codes."""
    cleaned = code.strip().upper()
    if cleaned.isdigit() and len(cleaned) > 3:
        return cleaned.lstrip("0").rjust(3, "0")
    return cleaned


#: What a carrier's code can mean: the carrier's own news, and warehouse steps some report.
CODE_MEANINGS = tuple(m for m in Milestone if m.spec.phase in (Phase.WAREHOUSE, Phase.CARRIER))


@dataclass(frozen=True, slots=True)
class CodeMapping:
    carrier: str
    raw_code: str
    milestone: Milestone
    reason: Reason | None
    mapped_by: str
    mapped_at: datetime
    note: str | None = None

    def __post_init__(self) -> None:
        # carriers are named as in their events' source: `carrier:ups`, never `UPS `
        object.__setattr__(self, "carrier", self.carrier.strip().lower())
        object.__setattr__(self, "raw_code", self.raw_code.strip())
        if not self.carrier or not self.raw_code:
            raise DomainError("raw_code", "a mapping needs a carrier and a code")
        if len(self.carrier) > 50 or len(self.raw_code) > 100:
            raise DomainError("raw_code", "a carrier is at most 50 characters, a code 100")
        if self.milestone not in CODE_MEANINGS:
            raise DomainError(
                "milestone", f"'{self.milestone}' is not something a carrier code can mean"
            )
        if self.reason is not None and self.milestone not in TROUBLE:
            raise DomainError("reason", f"'{self.milestone}' takes no reason")
        if self.milestone.spec.needs_reason and self.reason is None:
            raise DomainError("reason", f"'{self.milestone}' needs a reason")

    @property
    def key(self) -> CodeKey:
        return (self.carrier, normalize_code(self.raw_code))


def code_key(event: TrackingEvent) -> CodeKey | None:
    """The mapping an event would be read through, if it is a carrier's coded event."""
    if event.source.kind is not SourceKind.CARRIER or not event.raw_code:
        return None
    return (event.source.name, normalize_code(event.raw_code))


def interpret(event: TrackingEvent, mappings: Mapping[CodeKey, CodeMapping]) -> TrackingEvent:
    """The event as the mappings in force read it (itself when none applies)."""
    key = code_key(event)
    mapping = mappings.get(key) if key else None
    if mapping is None or (event.milestone, event.reason) == (mapping.milestone, mapping.reason):
        return event
    return replace(event, milestone=mapping.milestone, reason=mapping.reason)
