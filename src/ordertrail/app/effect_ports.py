"""Ports for what follows a change: exception cases, the outbox of messages, sites, and the
webhook deliveries already handled. The unit of work in `ports.py` offers each of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from ordertrail.domain.casework.cases import Case, CaseChanges, CaseStatus
from ordertrail.domain.casework.exceptions import ExceptionKind, ParcelFacts, Team
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import Site, Subject, TrackingEvent


class Sites(Protocol):
    def save(self, sites: Sequence[Site]) -> None:
        """Create or update sites (matched by id)."""
        ...

    def get(self, site_id: str) -> Site | None: ...

    def all(self) -> list[Site]: ...


class Deliveries(Protocol):
    """Webhook deliveries handled, by the sender's delivery id."""

    def seen(self, source: str, delivery_id: str) -> bool: ...

    def remember(self, source: str, delivery_id: str, at: datetime) -> None: ...

    def claim(self, source: str, delivery_id: str, at: datetime) -> bool:
        """Remember the delivery unless it was already: True when it is new. A copy being
        taken in by another transaction right now is waited for, then found."""
        ...


@dataclass(frozen=True, slots=True)
class Lane:
    """Where a parcel travels, for the rhythm it is judged by ("" when unknown)."""

    carrier: str
    service: str
    origin: str
    destination: str


@dataclass(frozen=True, slots=True)
class ParcelRecord:
    subject: Subject
    order_id: str
    facts: ParcelFacts
    lane: Lane


@dataclass(frozen=True, slots=True)
class CaseQuery:
    status: CaseStatus | None = CaseStatus.OPEN
    team: Team | None = None
    kind: ExceptionKind | None = None
    order_id: str | None = None
    limit: int = 500
    case_id: int | None = None
    opened_before: datetime | None = None  # the age filter: older than a given moment
    due_before: datetime | None = None  # past their deadline by that moment
    #: the work list's order: what breaks a promise first (the earlier of the order's promised
    #: day and the case's deadline) comes first; else the oldest first
    breaks_first: bool = False


class Cases(Protocol):
    def for_subjects(
        self, subjects: Iterable[Subject], *, open_only: bool
    ) -> dict[Subject, list[Case]]: ...

    def save(self, changes: CaseChanges) -> int:
        """Store the changes; the number of cases really opened."""
        ...

    def find(self, query: CaseQuery) -> list[Case]: ...

    def promise_ends(self, order_ids: Iterable[str]) -> dict[str, datetime]:
        """When each order's promised day ends for its customer, for the orders promised."""
        ...

    def parcels(self, subjects: Iterable[Subject]) -> dict[Subject, ParcelRecord]: ...

    def due(self, now: datetime, limit: int) -> list[Subject]:
        """Parcels due a look by the time-based rules, held against other sweepers."""
        ...

    def schedule(self, looks: Mapping[Subject, datetime | None]) -> None: ...

    def promises_due(self, now: datetime, limit: int) -> list[str]:
        """Orders whose promised delivery day has ended and whose parcels have not been
        looked at since, held against other sweepers."""
        ...

    def shipments_of(self, order_ids: Iterable[str]) -> list[Subject]: ...

    def promises_looked(self, order_ids: Iterable[str]) -> None:
        """Their parcels had their look: not due again unless the promise changes."""
        ...

    def rhythms(self, lanes: Iterable[Lane], milestone: Milestone) -> dict[Lane, timedelta]: ...

    def save_rhythms(
        self, learned: Mapping[tuple[Lane, Milestone], tuple[timedelta, int]], at: datetime
    ) -> None: ...

    def delivered_histories(
        self, since: datetime, limit: int
    ) -> list[tuple[Lane, list[TrackingEvent]]]: ...


@dataclass(frozen=True, slots=True)
class Contact:
    """How to reach an order's customer, and what the notification policy reads."""

    priority: str
    promised_by: date | None
    time_zone: str | None
    email: str | None
    phone: str | None
    #: the customer gave this number on the order's page: every message goes to it as a text
    texts_asked: bool = False


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message to send; `id` is what receivers deduplicate on."""

    id: str
    dedupe: str
    channel: str  # email, sms, webhook, team
    audience: str  # customer or staff
    kind: str
    order_id: str
    subject: Subject
    recipient: str
    available_at: datetime
    context: Mapping[str, Any] = field(default_factory=dict)
    status: str = "pending"
    attempts: int = 0
    created_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None


class Outbox(Protocol):
    def contacts(self, order_ids: Iterable[str]) -> dict[str, Contact]: ...

    def add(self, messages: Sequence[OutboxMessage], now: datetime) -> None:
        """Queue messages; one already queued under the same dedupe key is not queued again."""
        ...

    def add_tokens(self, hashes: Sequence[str], order_id: str, now: datetime) -> None:
        """Keep the hashes of tracking-link tokens made for the order (a hash already kept
        keeps the time it was first made)."""
        ...

    def token(self, token_hash: str) -> tuple[str, datetime] | None:
        """The order a token opens, and when it was minted."""
        ...

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[OutboxMessage]:
        """Messages due now (and ones a crashed worker held past their lease), held for this
        worker until `now + lease`; others skip them."""
        ...

    def finish(
        self,
        message_id: str,
        status: str,
        at: datetime,
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> None: ...

    def find(
        self,
        *,
        order_id: str | None = None,
        status: str | None = None,
        message_id: str | None = None,
        limit: int = 500,
    ) -> list[OutboxMessage]: ...
