"""Orders, shipments, returns and the events that happen to them: frozen values, aware times."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ordertrail.domain.milestones import BESIDE_THE_JOURNEY, Milestone, Phase, Reason, SourceKind

if TYPE_CHECKING:  # b2b.py reads DomainError from here
    from ordertrail.domain.b2b.receiving import BusinessTerms


class DomainError(ValueError):
    """A value the business rules refuse; `field` names what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class SubjectKind(StrEnum):
    ORDER = "order"
    SHIPMENT = "shipment"
    RETURN = "return"


@dataclass(frozen=True, slots=True)
class Subject:
    kind: SubjectKind
    id: str


@dataclass(frozen=True, slots=True)
class Source:
    """`warehouse:<site>`, `carrier:<code>`, `channel:<code>`, `ops:<user>` or `customer`."""

    kind: SourceKind
    name: str = ""

    @classmethod
    def parse(cls, text: str) -> Source:
        kind_text, _, name = text.partition(":")
        try:
            kind = SourceKind(kind_text)
        except ValueError:
            choices = ", ".join(k.value for k in SourceKind)
            raise DomainError("source", f"'{text}' must start with one of {choices}") from None
        if kind not in (SourceKind.CUSTOMER, SourceKind.SYSTEM) and not name.strip():
            raise DomainError("source", f"'{text}' needs a name after the colon, e.g. '{kind}:x'")
        return cls(kind, name.strip())

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}" if self.name else str(self.kind)


@dataclass(frozen=True, slots=True)
class Location:
    city: str | None = None
    region: str | None = None
    country: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units
    currency: str


@dataclass(frozen=True, slots=True)
class Line:
    sku: str
    quantity: int
    #: what the shop calls the product ("18V cordless drill"), when the channel said; shown to
    #: people in place of the SKU, never compared: the same SKU is the same line whatever it is
    #: called
    name: str | None = field(default=None, compare=False)
    #: the product's picture as the shop sent it: an https address only (a page served over
    #: https shows nothing else without warnings, and no other scheme is a picture)
    image_url: str | None = field(default=None, compare=False)

    @property
    def shown(self) -> str:
        return self.name or self.sku

    def __post_init__(self) -> None:
        if not self.sku.strip():
            raise DomainError("sku", "must not be empty")
        if self.quantity < 1:
            raise DomainError("quantity", f"must be at least 1 (got {self.quantity})")
        if self.image_url is not None and not is_image_address(self.image_url):
            raise DomainError("image_url", "must be an https:// address")


def is_image_address(url: str) -> bool:
    """An https address with a host, nothing in it a browser would read another way."""
    if len(url) > 2000 or any(c.isspace() or not c.isprintable() or c in "<>\"'\\" for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname) and url.startswith("https://")


@dataclass(frozen=True, slots=True)
class Customer:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    postal_code: str | None = None
    country: str | None = None
    time_zone: str | None = None


@dataclass(frozen=True, slots=True)
class Shipment:
    """One parcel of an order. `id` is the shipment's own id (the tracking number by default)."""

    id: str
    order_id: str
    tracking_number: str | None = None
    carrier: str | None = None
    service: str | None = None
    site: str | None = None
    lines: tuple[Line, ...] = ()
    #: the store took this parcel back before it left (a cancelled fulfillment): it carries
    #: nothing of the order any more and is not waited for
    cancelled: bool = False
    #: when the channel last changed this parcel (a fulfillment's `updated_at`): an older
    #: copy arriving late must not undo a newer one
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Return:
    id: str
    order_id: str
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    channel: str
    placed_at: datetime
    customer: Customer = field(default_factory=Customer)
    promised_by: date | None = None
    priority: str = "routine"
    value: Money | None = None
    lines: tuple[Line, ...] = ()
    shipments: tuple[Shipment, ...] = ()
    #: the channel's own id when it differs from the one customers see (Shopify's numeric id
    #: behind "#1001")
    external_id: str | None = None
    #: the start of the promised delivery window; `promised_by` is its end
    promised_from: date | None = None
    #: when the channel last changed the order: an older copy arriving late is not applied
    updated_at: datetime | None = None
    #: when the channel cancelled it, for channels that say so as a field (order files);
    #: registering the order records it as an `order_cancelled` event
    cancelled_at: datetime | None = None
    #: the receiving company, purchase order and delivery needs of a B2B order (None: a
    #: consumer's)
    business: BusinessTerms | None = None
    #: the customer's language as the shop knows it ("fr", "fr-CA"): their pages and messages
    #: are in it when OrderTrail speaks it (None: their browser's, else the brand's)
    locale: str | None = None

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise DomainError("id", "an order needs an id")
        if self.locale is not None and not is_locale(self.locale):
            raise DomainError("locale", f"{self.locale[:40]!r} is not a language tag like 'fr-CA'")
        require_aware("placed_at", self.placed_at)
        if self.updated_at is not None:
            require_aware("updated_at", self.updated_at)
        if self.cancelled_at is not None:
            require_aware("cancelled_at", self.cancelled_at)
        if self.promised_from and self.promised_by and self.promised_from > self.promised_by:
            raise DomainError("promised_from", "the delivery window ends before it starts")
        ids = [shipment.id for shipment in self.shipments]
        if len(ids) != len(set(ids)):
            raise DomainError("shipments", "the same shipment is listed twice")


#: Tracking happens in living memory; anything outside is a typo (and year 1 at +05:00 is
#: not even a representable UTC instant).
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


#: The UTC offsets in use run from -12:00 to +14:00; beyond ±14:00 is a typo or an attack.
MAX_OFFSET = timedelta(hours=14)


def require_real_offset(name: str, moment: datetime) -> datetime:
    """`moment`, if its UTC offset is one the world uses (checked where times come in, not
    where stored ones are read back)."""
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        said = moment.isoformat()[19:].lstrip(".0123456789")
        raise DomainError(name, f"has the UTC offset {said}; real offsets are within ±14:00")
    return moment


def is_time_zone(name: str) -> bool:
    """Is `name` a zone of the IANA time zone database (America/New_York, UTC)?"""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


#: A BCP 47 language tag as shops send one ("fr", "fr-CA"; Shopify's "pt-BR"; "fr_FR" too).
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}$")


def is_locale(text: str) -> bool:
    return bool(_LOCALE.match(text))


def require_aware(name: str, moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise DomainError(name, "needs a UTC offset (e.g. 2026-11-20T09:26:00-07:00)")
    try:
        in_range = EARLIEST <= moment <= LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise DomainError(name, f"{moment.isoformat()} is outside 1970–2200")
    return moment


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    """Something that happened to an order, shipment or return. Never updated once stored.

    `milestone` is None when the source's raw code maps to no canonical milestone (unmapped):
    the event is kept for the audit trail and moves no status. `conflict` is set when the
    source had no authority to assert the milestone.
    """

    key: str
    subject: Subject
    milestone: Milestone | None
    source: Source
    occurred_at: datetime
    received_at: datetime
    reason: Reason | None = None
    order_id: str | None = None
    location: Location | None = None
    raw_code: str | None = None
    raw_description: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    #: Event time first; ties by happy-path rank, then key, so any arrival order agrees.
    #: Computed once: every fold sorts by it.
    sort_key: tuple[datetime, int, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        require_aware("occurred_at", self.occurred_at)
        require_aware("received_at", self.received_at)
        rank = self.milestone.spec.rank if self.milestone else -1
        object.__setattr__(self, "sort_key", (self.occurred_at.astimezone(UTC), rank, self.key))

    def same_report(self, other: TrackingEvent) -> bool:
        """Is `other` this very report, sent again (whenever it arrived)?"""
        return replace(self, received_at=other.received_at) == other

    @property
    def conflict(self) -> bool:
        if self.milestone is None:
            return False
        return self.source.kind not in self.milestone.spec.authority

    @property
    def is_correction(self) -> bool:
        # staff run the returns flow themselves: approving or inspecting is the flow, not a
        # correction of what another source said
        return (
            self.source.kind is SourceKind.OPS
            and self.milestone is not None
            # nor is booking a dock appointment: it reports the appointment, asserts nothing
            and self.milestone.spec.phase not in (Phase.REVERSE, *BESIDE_THE_JOURNEY)
        )


def default_event_key(
    source: Source,
    subject: Subject,
    milestone: Milestone | None,
    occurred_at: datetime,
    raw_code: str | None,
) -> str:
    """The idempotency key when the source gives none: the same report always hashes alike."""
    instant = occurred_at.astimezone(UTC).isoformat()
    text = "|".join(
        (str(source), subject.kind, subject.id, milestone or "", instant, raw_code or "")
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class SiteKind(StrEnum):
    WAREHOUSE = "warehouse"
    STORE = "store"
    THREE_PL = "3pl"


@dataclass(frozen=True, slots=True)
class Site:
    """A place orders ship from; its id is the `<site>` of `warehouse:<site>` scans."""

    id: str
    name: str
    kind: SiteKind = SiteKind.WAREHOUSE
    time_zone: str | None = None
    location: Location = field(default_factory=Location)
    #: the carrier's last collection, in the site's time: a parcel handed over later leaves
    #: on the next business day
    cutoff: time | None = None

    def __post_init__(self) -> None:
        if not self.id.strip() or ":" in self.id or len(self.id) > 50:
            raise DomainError("id", "a site id is 1–50 characters without ':'")
        if not self.name.strip():
            raise DomainError("name", "a site needs a name")
