"""What the use cases need from the outside world, as Protocols.

Each method's docstring is its contract; `tests/contract/` runs the same checks against every
implementation (SQLite and PostgreSQL stores).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from ordertrail.app.casework.saved_filter_ports import SavedFilters
from ordertrail.app.effect_ports import Cases, Deliveries, Outbox, Sites
from ordertrail.app.fleet.ports import Fleet
from ordertrail.app.intake.commands import EventReport
from ordertrail.app.measures.figures_ports import Figures
from ordertrail.app.measures.kpi_ports import Costs, KpiFacts, PageViews
from ordertrail.app.measures.overview_ports import Counts, Heartbeats
from ordertrail.app.messages.subscriptions_ports import Subscriptions
from ordertrail.app.privacy.ports import PersonalRecords, Retention
from ordertrail.app.promise.eta_ports import Estimates, EtaRules
from ordertrail.app.staff.access_ports import Staff

if TYPE_CHECKING:  # the returns port names SubjectRef, defined below
    from ordertrail.app.returns.ports import Returns
from ordertrail.domain.fold import SubjectState
from ordertrail.domain.mapping import CodeKey, CodeMapping
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import (
    Customer,
    Line,
    Order,
    Return,
    Shipment,
    Subject,
    TrackingEvent,
)
from ordertrail.domain.notifications import Policy
from ordertrail.domain.order_status import OrderSummary, ParcelView
from ordertrail.domain.returns.policy import ReturnPolicy


class WriteConflict(Exception):
    """The store could not finish a unit of work because of another writer (a deadlock, a
    serialization failure, a database busy past its timeout). Running the command again is
    safe and usually succeeds."""


class DatabaseUnavailable(Exception):
    """The database cannot be used just now: it is down or restarting, refuses connections
    (too many), cannot be opened, or has no room left to write. Whatever the unit of work was
    doing was rolled back. It usually passes by itself: a request answers 503 with
    Retry-After, the worker backs off and tries again."""


class DatabaseBusy(WriteConflict, DatabaseUnavailable):
    """Another writer held the database for longer than a writer waits (`write_wait_seconds`):
    nothing was stored. Not retried at once (it would wait as long again): the request
    answers 503 with Retry-After."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


@dataclass(frozen=True, slots=True)
class SubjectRef:
    """Where an outside identifier led: the subject, the order it belongs to and, when it was
    looked up to be held for writing, its saved fold state."""

    subject: Subject
    order_id: str
    state: SubjectState | None = None


class Subjects(Protocol):
    def find_orders(self, ids: Iterable[str]) -> set[str]:
        """The ids among `ids` that name stored orders."""
        ...

    def find_shipments(
        self, ids_or_tracking: Iterable[str], *, hold: bool = False
    ) -> dict[str, SubjectRef]:
        """Map each identifier that names a shipment (by id or tracking number) to it. With
        `hold`, the shipments are held against concurrent writers until the unit of work ends
        (as `Projections.lock` would) and each ref carries its saved fold state."""
        ...

    def link(self, alias: str, shipment_id: str, at: datetime, by: str) -> None:
        """Let `alias` (a relabelled parcel's old name) name the shipment from now on."""
        ...

    def find_returns(self, ids: Iterable[str]) -> dict[str, SubjectRef]:
        """Map each id that names a stored return to it."""
        ...

    def claim_names(self, names: Iterable[str]) -> None:
        """Hold these shipment names (ids or tracking numbers) against any other unit of
        work claiming one of them, until this one ends: a delivery for a parcel nobody knows
        yet and the registration of that parcel must not pass each other unseen."""
        ...


class EventLog(Protocol):
    def append(self, events: Sequence[TrackingEvent]) -> list[TrackingEvent]:
        """Store the events whose key is new; return exactly those (a duplicate key is skipped,
        never overwritten). Events are never updated or deleted afterwards."""
        ...

    def for_subjects(self, subjects: Iterable[Subject]) -> dict[Subject, list[TrackingEvent]]:
        """Every stored event of each subject, in no promised order."""
        ...

    def by_keys(self, keys: Iterable[str]) -> dict[str, TrackingEvent]:
        """The stored event under each key that has one."""
        ...

    def for_order(self, order_id: str) -> list[TrackingEvent]:
        """Every stored event that belongs to the order, its shipments and its returns."""
        ...

    def subjects(self) -> Iterator[Subject]:
        """Every subject that has at least one event."""
        ...

    def orders_of(self, subjects: Iterable[Subject]) -> set[str]:
        """The orders the events of these subjects belong to."""
        ...


class Projections(Protocol):
    def lock(
        self, subjects: Sequence[Subject], *, unread: Collection[Subject] = ()
    ) -> dict[Subject, SubjectState]:
        """The saved fold state of each subject, held against concurrent writers until the
        unit of work ends. Subjects never folded yet are absent; so may be those `unread`,
        held only (SQLite's one writer holds the whole file: they are not asked for)."""
        ...

    def save(self, states: Mapping[Subject, SubjectState]) -> None:
        """Store each subject's fold state and the status columns derived from it."""
        ...

    def reset(self) -> None:
        """Forget every fold state and derived status (before a rebuild)."""
        ...

    def waiting_since(self, status: Milestone, before: datetime, limit: int) -> list[WaitingParcel]:
        """Parcels of orders not cancelled that have been in `status` since before `before`,
        oldest first."""
        ...


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """Everything an order's status is derived from, and the summary stored last time."""

    order: Order
    own: SubjectState
    shipments: Sequence[tuple[Shipment, SubjectState]]
    returns: Sequence[tuple[Return, SubjectState]]
    summary: OrderSummary | None = None


@dataclass(frozen=True, slots=True)
class StatusInputs:
    """What an order's status is derived from, read lean for the write path."""

    lines: tuple[Line, ...]
    own: Milestone | None
    parcels: Sequence[ParcelView]
    returns: Sequence[Milestone | None]
    summary: OrderSummary
    #: the lines of its settled (refunded or replaced) returns
    returned: tuple[Line, ...] | None = None


@dataclass(frozen=True, slots=True)
class OrderListing:
    """One order in a list: enough to pick it out, not its whole story."""

    id: str
    channel: str
    placed_at: datetime
    status: str
    needs_attention: bool


class Orders(Protocol):
    def save(self, orders: Sequence[Order]) -> None:
        """Create or update each order and its shipments (a shipment is matched by id)."""
        ...

    def save_shipments(self, shipments: Sequence[Shipment]) -> None:
        """Create or update shipments of stored orders (matched by id)."""
        ...

    def channel_versions(self, order_ids: Iterable[str]) -> dict[str, datetime | None]:
        """For each stored order among `order_ids`: when its channel last changed the copy
        we hold (None when the channel does not say)."""
        ...

    def shipment_versions(self, shipment_ids: Iterable[str]) -> dict[str, datetime | None]:
        """The same for stored parcels: the channel's `updated_at` of the copy held."""
        ...

    def add_returns(self, returns: Sequence[Return]) -> None:
        """Create returns; an existing id is left as it is."""
        ...

    def facts(self, order_ids: Iterable[str]) -> dict[str, OrderFacts]:
        """The stored facts of each order, with every child's whole fold state (for views)."""
        ...

    def status_inputs(self, order_ids: Iterable[str]) -> dict[str, StatusInputs]:
        """What each order's status is derived from; in a writing unit of work the orders are
        held against concurrent writers until it ends."""
        ...

    def save_summaries(self, summaries: Mapping[str, OrderSummary]) -> None:
        """Store each order's derived status and attention flag."""
        ...

    def ids(self) -> Iterator[str]:
        """Every order id."""
        ...

    def page(
        self, *, status: str | None, needs_attention: bool | None, after: str | None, limit: int
    ) -> list[OrderListing]:
        """Up to `limit` orders with ids after `after`, by id, optionally filtered."""
        ...

    def shipment(self, id_or_tracking: str) -> Shipment | None:
        """One shipment by id or tracking number."""
        ...

    def parcel(self, id_or_tracking: str) -> tuple[Shipment, SubjectState] | None:
        """`shipment`, with its whole fold state (for views): one statement."""
        ...

    def registered(self, order_id: str) -> Order | None:
        """The order as registered, its parcels left out (`shipments` empty): one statement,
        for a page about one of its parcels (whom it is for, where, in which language)."""
        ...

    def customer(self, order_id: str) -> Customer | None:
        """Whom the order is for (what a lookup is checked against), or None: one
        statement, the same whether the order exists or not."""
        ...

    def tracking_numbers(self, shipment_ids: Iterable[str]) -> dict[str, str]:
        """The tracking number of each of these parcels that has one."""
        ...

    def search(self, text: str, limit: int, *, by_email: bool) -> list[OrderListing]:
        """Orders by id, platform id, customer email, or a parcel's id or tracking number."""
        ...


@dataclass(frozen=True, slots=True)
class UnmappedCode:
    """A carrier code that events carry and no table or mapping reads yet."""

    carrier: str
    raw_code: str
    events: int
    shipments: int
    first_seen: datetime
    last_seen: datetime
    examples: tuple[str, ...]


class Mappings(Protocol):
    def for_events(self, events: Iterable[TrackingEvent]) -> dict[CodeKey, CodeMapping]:
        """The mappings that apply to any of these events."""
        ...

    def save(self, mapping: CodeMapping) -> None:
        """Add the mapping, or replace the one for the same carrier and code."""
        ...

    def all(self) -> list[CodeMapping]:
        """Every mapping, by carrier and code."""
        ...

    def subjects_with(self, key: CodeKey) -> list[Subject]:
        """Every subject with an event of that carrier whose raw code normalizes to key."""
        ...

    def unmapped(self, limit: int) -> list[UnmappedCode]:
        """Carrier codes stored without a milestone and not mapped since, most events first."""
        ...


@dataclass(frozen=True, slots=True)
class HeldReport:
    """A report waiting for its shipment to be registered."""

    shipment: str
    source: str
    milestone: str | None
    raw_code: str | None
    occurred_at: datetime
    received_at: datetime


class Unmatched(Protocol):
    def keep(self, reports: Sequence[EventReport], received_at: datetime) -> int:
        """Hold reports about shipments nobody registered yet; a report already held (same
        key) is not held twice. Returns how many were newly held."""
        ...

    def take(self, names: Iterable[str]) -> list[tuple[EventReport, datetime]]:
        """Hand over (and forget) the held reports whose shipment is one of `names`, each
        with when it was received."""
        ...

    def count(self) -> int:
        """How many reports are held."""
        ...

    def waiting(self, limit: int) -> list[HeldReport]:
        """Held reports, oldest first, for people to see what waits for which parcel."""
        ...


@dataclass(frozen=True, slots=True)
class WaitingParcel:
    """A parcel of a live (not cancelled) order, in `status` since `since`."""

    shipment_id: str
    order_id: str
    tracking_number: str | None
    carrier: str | None
    site: str | None
    status: Milestone
    since: datetime


@dataclass(frozen=True, slots=True)
class DueParcel:
    """A shipment whose carrier is to be asked about it now."""

    shipment_id: str
    tracking_number: str
    carrier: str
    failures: int


class Polls(Protocol):
    def claim_due(
        self, now: datetime, carriers: Iterable[str], limit: int, lease: timedelta
    ) -> list[DueParcel]:
        """Up to `limit` shipments of these carriers due to be asked about (never asked, or
        their time has come; not those done), soonest first, each put off by `lease` so no
        other worker takes it meanwhile (on PostgreSQL, rows other workers hold are skipped)."""
        ...

    def schedule(self, shipment_id: str, next_at: datetime | None, failures: int) -> None:
        """When to ask next (None: asking is over) and how many failures in a row so far."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the `with` block without `commit()` rolls everything back."""

    @property
    def subjects(self) -> Subjects: ...

    @property
    def events(self) -> EventLog: ...

    @property
    def projections(self) -> Projections: ...

    @property
    def orders(self) -> Orders: ...

    @property
    def mappings(self) -> Mappings: ...

    @property
    def unmatched(self) -> Unmatched: ...

    @property
    def polls(self) -> Polls: ...

    @property
    def sites(self) -> Sites: ...

    @property
    def deliveries(self) -> Deliveries: ...

    @property
    def cases(self) -> Cases: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def staff(self) -> Staff: ...

    @property
    def counts(self) -> Counts: ...

    @property
    def heartbeats(self) -> Heartbeats: ...

    @property
    def figures(self) -> Figures: ...

    @property
    def kpis(self) -> KpiFacts: ...

    @property
    def costs(self) -> Costs: ...

    @property
    def page_views(self) -> PageViews: ...

    @property
    def estimates(self) -> Estimates: ...

    @property
    def privacy(self) -> PersonalRecords: ...

    @property
    def retention(self) -> Retention: ...

    @property
    def fleet(self) -> Fleet: ...

    @property
    def subscriptions(self) -> Subscriptions: ...

    @property
    def saved_filters(self) -> SavedFilters: ...

    @property
    def eta_rules(self) -> EtaRules:
        """How delivery dates are estimated here (holidays, the window's share)."""
        ...

    @property
    def policy(self) -> Policy:
        """The notification policy in force (from settings)."""
        ...

    @property
    def returns(self) -> Returns: ...

    @property
    def return_policy(self) -> ReturnPolicy:
        """The return policy in force (from settings)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def savepoint(self) -> AbstractContextManager[Any]:
        """A part of the transaction undone alone if what runs inside it raises."""
        ...

    def take_write_turn(self) -> None:
        """Wait until no other process's intake transaction is open, and hold the turn
        until this one ends. Intake writes lock parcels one write at a time, so two of them
        running at once (two `serve` processes) could each hold what the other waits for."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False, wait: bool = True) -> UnitOfWork:
        """A unit of work; `read_only` never waits for writers. `wait=False`: a writer that
        finds another holding the database gives up at once (DatabaseBusy), for writes that
        may be skipped (when an API key was last used)."""
        ...

    def link_secret(self) -> bytes:
        """The key message links and tracking-page tickets are derived with (app/messages/links.py);
        call it outside any unit of work (the first call may store a new one)."""
        ...
