"""What the privacy use cases need from the store. Contracts in the docstrings; the SQL is in
store/upkeep/privacy.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from ordertrail.domain.model import Customer, TrackingEvent


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message of the outbox as kept: to whom, what it was made from, how it went."""

    id: str
    channel: str
    audience: str
    kind: str
    recipient: str
    context: Mapping[str, Any]
    status: str
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class StoredCase:
    """An exception case's free text: what erasure looks through."""

    id: int
    kind: str
    status: str
    opened_at: datetime
    detail: str
    history: Sequence[Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class MessageChange:
    """A message after erasure: its recipient and context replaced; `skipped` when it was
    still to be sent (it never will be)."""

    id: str
    recipient: str
    context: Mapping[str, Any]
    skipped: bool


class PersonalRecords(Protocol):
    def orders_of(self, email: str) -> list[str]:
        """The ids of the orders whose customer has this email (any case), by id."""
        ...

    def erased_at(self, order_ids: Iterable[str]) -> dict[str, datetime]:
        """When each of these orders had its customer erased, for those that did."""
        ...

    def messages(self, order_id: str) -> list[StoredMessage]:
        """Every outbox message about the order, oldest first."""
        ...

    def cases(self, order_id: str) -> list[StoredCase]:
        """Every exception case about the order, oldest first."""
        ...

    def page_views(self, order_id: str) -> list[tuple[date, int]]:
        """Views of the order's tracking pages, per day."""
        ...

    def links(self, order_id: str) -> int:
        """How many message links open the order."""
        ...

    def erase_customer(self, order_id: str, customer: Customer, now: datetime) -> None:
        """Keep `customer` (what is left of it) as the order's, and mark the order erased."""
        ...

    def rewrite_events(self, events: Sequence[TrackingEvent]) -> None:
        """Replace the location, raw description and data of these stored events (by key),
        the one rewrite the log allows, and only inside this unit of work."""
        ...

    def rewrite_messages(self, changes: Sequence[MessageChange], reason: str) -> None:
        """Store each message's new recipient and context; a skipped one is never sent and
        says `reason` as its last error."""
        ...

    def rewrite_cases(self, cases: Sequence[StoredCase]) -> None:
        """Store each case's detail and history as given."""
        ...

    def forget_links(self, order_id: str) -> int:
        """Make every message link to the order stop working; how many did."""
        ...

    def forget_stop_addresses(self, order_id: str) -> int:
        """Blank the address of every local-delivery stop that carried the order's parcels;
        how many stops."""
        ...

    def forget_repairs(self, order_id: str) -> int:
        """Blank the text `repair text` kept of the order's rows; how many rows held some."""
        ...


@dataclass(frozen=True, slots=True)
class RetentionCutoffs:
    """Data older than each moment ages out (None: kept for good)."""

    sent_messages: datetime | None = None
    webhook_bodies: datetime | None = None
    staff_sessions: datetime | None = None
    tracking_tokens: datetime | None = None


class Retention(Protocol):
    def age_out(self, cutoffs: RetentionCutoffs) -> dict[str, int]:
        """Delete or blank what is older than its cutoff; how many rows of each kind went:
        `sent_messages` (recipient and context blanked), `webhook_bodies` (an outgoing
        webhook's stored context blanked), `hook_deliveries` (an inbound delivery id
        forgotten), `staff_sessions` (expired before the cutoff, deleted), `tracking_tokens`
        (message links made before the cutoff, deleted)."""
        ...
