"""The canonical event and order JSON of DESIGN.md, validated into use-case inputs.

One parser serves `ordertrail ingest`, `ordertrail import orders --format jsonl` and the HTTP
API, so every entry point refuses the same things with the same words.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ordertrail.app.intake.commands import EventReport
from ordertrail.app.intake.handlers import ItemProblem
from ordertrail.domain.b2b.receiving import BusinessTerms
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import (
    EARLIEST,
    LATEST,
    Customer,
    DomainError,
    Line,
    Location,
    Money,
    Order,
    Shipment,
    Source,
    is_image_address,
    is_time_zone,
    require_real_offset,
)
from ordertrail.domain.text import LONE_SURROGATE, unstorable_text
from ordertrail.sources.tracking_numbers import identify

# PostgreSQL cannot store NUL in text; refusing it per item keeps one such string from failing
# a whole transaction of good events. Names, ids and codes hold no control character at all.
_NO_NUL = r"^[^\x00]*$"
_NO_CONTROL = r"^[^\x00-\x1f\x7f-\x9f]*$"


Id = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=_NO_CONTROL),
]
Short = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=100, pattern=_NO_CONTROL)
]
Text = Annotated[str, StringConstraints(max_length=2000, pattern=_NO_NUL)]
Company = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_NO_CONTROL),
]
ProductName = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200, pattern=_NO_CONTROL)
]
Key = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NO_CONTROL)]


def _image_address(url: str) -> str:
    if not is_image_address(url):
        raise ValueError("must be an https:// address (no other scheme, no spaces)")
    return url


ImageUrl = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_image_address)]
SourceText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=120, pattern=_NO_CONTROL)
]
Email = Annotated[str, StringConstraints(max_length=320, pattern=_NO_CONTROL)]
Channel = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=50, pattern=_NO_CONTROL),
]

#: The most lines an order (or a parcel) may list: a 100,000-line order is a 3 MB page.
MAX_LINES = 1000
#: The most parcels an order may list.
MAX_SHIPMENTS = 1000
#: An order's value in minor units: at most 10^15 (so JavaScript reads it exactly, and it
#: fits both databases' 64-bit integers with room to add).
MAX_AMOUNT = 10**15
#: Promised dates are calendar dates in the same span as every time (1970-2200).
EARLIEST_DATE, LATEST_DATE = EARLIEST.date(), LATEST.date()


def _real_offset(moment: datetime) -> datetime:
    try:
        return require_real_offset("", moment)
    except DomainError as problem:
        raise ValueError(problem.message) from None


#: A time with its UTC offset, the offset one the world uses (within ±14:00).
Moment = Annotated[AwareDatetime, AfterValidator(_real_offset)]

#: A line longer than this is refused before parsing; no real event comes near it.
MAX_LINE_BYTES = 256 * 1024


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def unstorable(value: Any) -> str | None:
    """Why both databases could not keep free-form `value` faithfully, or None.

    PostgreSQL refuses NUL in text and NaN or Infinity in JSON, and no text can hold a lone
    surrogate; any of them would fail a whole transaction of good events (or every later
    read), so each item is refused here instead. Walked without recursion, so no nesting can
    overflow the stack.
    """
    refused = unstorable_text(value)
    if refused:
        return refused[1]
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return "numbers must be finite (no NaN or Infinity)"
        if isinstance(item, dict):
            pending.extend((part, depth + 1) for part in item.values())
        elif isinstance(item, list):
            pending.extend((part, depth + 1) for part in item)
    return None


def refuse_unstorable_text(value: Any) -> None:
    """A DomainError naming the first place in a decoded JSON document whose text cannot be
    stored (a lone surrogate, NUL): the one check every JSON edge makes before reading it."""
    refused = unstorable_text(value)
    if refused:
        raise DomainError(*refused)


class LocationIn(_Strict):
    city: Short | None = None
    region: Short | None = None
    country: Short | None = None
    postal_code: Short | None = None


class EventIn(_Strict):
    key: Key | None = None
    order: Id | None = None
    shipment: Id | None = None
    return_: Id | None = Field(None, alias="return")
    milestone: Milestone | None = None
    reason: Reason | None = None
    source: SourceText
    occurred_at: Moment
    location: LocationIn | None = None
    raw_code: Short | None = None
    raw_description: Text | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("data")
    @classmethod
    def _storable_data(cls, value: dict[str, Any]) -> dict[str, Any]:
        unreadable = unstorable_text(value, "data")
        if unreadable:  # named where it is, deep inside
            where, why = unreadable
            raise PydanticCustomError("unstorable_text", "{why}", {"why": why, "where": where})
        refusal = unstorable(value)
        if refusal:
            raise ValueError(refusal)
        promised = value.get("estimated_delivery")
        if promised is not None and not _is_iso_moment(promised):
            raise ValueError("estimated_delivery must be an ISO 8601 date or date-time")
        return value

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        try:
            Source.parse(value)
        except DomainError as problem:
            raise ValueError(problem.message) from None
        return value

    def report(self) -> EventReport:
        return EventReport(
            source=Source.parse(self.source),
            occurred_at=self.occurred_at,
            milestone=self.milestone,
            reason=self.reason,
            order=self.order,
            shipment=self.shipment,
            return_id=self.return_,
            key=self.key,
            location=Location(**self.location.model_dump()) if self.location else None,
            raw_code=self.raw_code,
            raw_description=self.raw_description,
            data=self.data,
        )


def _is_iso_moment(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 40:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


class LineIn(_Strict):
    sku: Id
    quantity: Annotated[int, Field(ge=1, le=1_000_000)]
    #: what the shop calls the product, shown to people in place of the SKU
    name: ProductName | None = None
    #: the product's picture, shown beside its name on the tracking page: https only
    image_url: ImageUrl | None = None


class CustomerIn(_Strict):
    name: Short | None = None
    email: Email | None = None
    phone: Short | None = None
    postal_code: Short | None = None
    country: Short | None = None
    time_zone: Short | None = None

    @field_validator("time_zone")
    @classmethod
    def _iana_zone(cls, value: str | None) -> str | None:
        if value and not is_time_zone(value):
            raise ValueError(f"'{value}' is not an IANA time zone (like America/New_York)")
        return value


class MoneyIn(_Strict):
    amount: Annotated[int, Field(ge=0, le=MAX_AMOUNT)]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class BusinessIn(_Strict):
    """The B2B side of an order (domain/b2b/receiving.py): who receives it, the buyer's PO,
    its needs."""

    consignee: Company
    receiving_site: Short | None = None
    purchase_order: Short | None = None
    dock_appointment: bool = False
    liftgate: bool = False
    receiving_hours: Short | None = None

    def terms(self) -> BusinessTerms:
        return BusinessTerms(**self.model_dump())


class ShipmentIn(_Strict):
    id: Id | None = None
    tracking_number: Id | None = None
    carrier: Short | None = None
    service: Short | None = None
    site: Short | None = None
    lines: list[LineIn] = Field(default_factory=list, max_length=MAX_LINES)
    cancelled: bool = False
    updated_at: Moment | None = None


class OrderIn(_Strict):
    id: Id
    channel: Channel
    placed_at: Moment
    customer: CustomerIn = Field(default_factory=CustomerIn)
    promised_by: date | None = None
    priority: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,30}$")] = "routine"
    value: MoneyIn | None = None
    lines: list[LineIn] = Field(default_factory=list, max_length=MAX_LINES)
    shipments: list[ShipmentIn] = Field(default_factory=list, max_length=MAX_SHIPMENTS)
    external_id: Short | None = None
    promised_from: date | None = None
    updated_at: Moment | None = None
    cancelled_at: Moment | None = None
    business: BusinessIn | None = None
    #: the customer's language ("fr", "fr-CA"): pages and messages speak it when we can
    locale: Short | None = None  # checked as a language tag by the domain (Order)

    @field_validator("promised_by", "promised_from")
    @classmethod
    def _calendar_date(cls, value: date | None) -> date | None:
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise ValueError(f"{value.isoformat()} is outside 1970–2200")
        return value

    def order(self) -> Order:
        if not self.lines and self.cancelled_at is None:
            raise DomainError(
                "lines", "an order lists at least one line (only a cancelled one may list none)"
            )
        placed_on = self.placed_at.date()
        for name in ("promised_by", "promised_from"):
            promised = getattr(self, name)
            # a day's grace: the shop's calendar may be a day behind UTC's
            if promised is not None and promised < placed_on - timedelta(days=1):
                raise DomainError(name, f"{promised} is before the order was placed")
        return Order(
            id=self.id,
            channel=self.channel,
            placed_at=self.placed_at,
            customer=Customer(**self.customer.model_dump()),
            promised_by=self.promised_by,
            priority=self.priority,
            value=Money(self.value.amount, self.value.currency) if self.value else None,
            lines=_lines(self.lines),
            shipments=tuple(_shipment(s, self.id, n) for n, s in enumerate(self.shipments)),
            external_id=self.external_id or None,
            promised_from=self.promised_from,
            updated_at=self.updated_at,
            cancelled_at=self.cancelled_at,
            business=self.business.terms() if self.business else None,
            locale=self.locale or None,
        )


def _lines(lines: Iterable[LineIn]) -> tuple[Line, ...]:
    return tuple(Line(line.sku, line.quantity, line.name, line.image_url) for line in lines)


def _shipment(given: ShipmentIn, order_id: str, position: int) -> Shipment:
    shipment_id = given.id or given.tracking_number
    if not shipment_id:
        raise DomainError(f"shipments.{position}", "needs an id or a tracking_number")
    carrier = given.carrier
    if given.tracking_number:
        field = f"shipments.{position}.tracking_number"
        carrier = identify(given.tracking_number, given.carrier, field=field).carrier
    return Shipment(
        id=shipment_id,
        order_id=order_id,
        tracking_number=given.tracking_number,
        carrier=carrier,
        service=given.service,
        site=given.site,
        lines=_lines(given.lines),
        cancelled=given.cancelled,
        updated_at=given.updated_at,
    )


def parse_event(value: Any) -> EventReport:
    """One canonical event from a decoded JSON value; raises ValidationError or DomainError."""
    return EventIn.model_validate(value).report()


def parse_order(value: Any) -> Order:
    """One canonical order from a decoded JSON value; raises ValidationError or DomainError."""
    return OrderIn.model_validate(value).order()


def parse_event_line(line: str | bytes) -> EventReport:
    return _from_json(EventIn, line).report()


def parse_order_line(line: str | bytes) -> Order:
    return _from_json(OrderIn, line).order()


_M = TypeVar("_M", bound=BaseModel)


def _from_json(model: type[_M], line: str | bytes) -> _M:
    """`model` read from one JSON text. Text that cannot be stored is refused in the same
    words, naming the same field, as when the API reads it."""
    try:
        return model.model_validate_json(line)
    except ValidationError as error:
        if any("surrogate" in detail["msg"] for detail in error.errors(include_url=False)):
            return model.model_validate(json.loads(line))  # to name the field as the API does
        raise


def problems_of(index: int, error: ValidationError | DomainError) -> list[ItemProblem]:
    """Clear, field-named messages for one refused item."""
    if isinstance(error, DomainError):
        return [ItemProblem(index, error.field, error.message)]
    found = []
    for detail in error.errors(include_url=False):
        where = detail.get("ctx", {}).get("where") or (
            ".".join(str(part) for part in detail["loc"]) or "(item)"
        )
        message = detail["msg"].removeprefix("Value error, ")
        pattern = detail.get("ctx", {}).get("pattern")
        if pattern == _NO_NUL:
            message = "text must not contain NUL (\\u0000) characters"
        elif pattern == _NO_CONTROL:
            message = "must not contain NUL or other control characters (tab, newline, ...)"
        elif detail["type"] == "string_unicode":
            message = LONE_SURROGATE
        elif detail["type"] == "extra_forbidden":
            message = "is not a field of this shape"
        elif detail["type"] == "json_invalid":
            message = f"is not valid JSON ({detail.get('ctx', {}).get('error', 'malformed')})"
        found.append(ItemProblem(index, where.replace("return_", "return"), message))
    return found


def parse_lines(lines: Iterable[bytes], parse: Any) -> Iterator[tuple[int, Any, list[ItemProblem]]]:
    """Parse JSON Lines; yields (line number, item or None, problems). Blank lines are skipped."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            message = f"is longer than {MAX_LINE_BYTES} bytes"
            yield number, None, [ItemProblem(number, "(line)", message)]
            continue
        try:
            yield number, parse(raw), []
        except (ValidationError, DomainError) as error:
            yield number, None, problems_of(number, error)
