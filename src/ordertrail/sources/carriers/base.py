"""What every carrier adapter shares: its contract, its error, its code table, its keys."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ordertrail.app.intake.commands import EventReport
from ordertrail.domain.mapping import normalize_code
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Location, Source
from ordertrail.domain.text import unstorable_text
from ordertrail.sources.carriers.countries import alpha2
from ordertrail.sources.carriers.local_time import settle


class CarrierParseError(ValueError):
    """A payload this adapter cannot read; `where` points into it (e.g. `activity[2].date`)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class Adapter(Protocol):
    """Reads one payload of its format into canonical event reports.

    Contract (tests/contract/test_carrier_adapters.py holds every adapter to it):
    - returns a report for every event in the payload, oldest or newest first as given;
    - every report names the shipment by tracking number, has an aware `occurred_at`, a
      `carrier:<code>` source, the raw code and description as the carrier said them, and a
      stable `key` that does not depend on how the code is mapped;
    - a code its table does not know gives `milestone=None` (unmapped), never a guess;
    - anything else it cannot read raises CarrierParseError, and nothing else.
    """

    name: str

    def parse(self, payload: bytes) -> list[EventReport]: ...


Mapped = tuple[Milestone, Reason | None]


@dataclass(frozen=True, slots=True)
class CodeTable:
    """A carrier's native codes and what they mean canonically. Data, not logic."""

    carrier: str
    codes: Mapping[str, Mapped]

    @classmethod
    def of(cls, carrier: str, codes: Mapping[str, Mapped]) -> CodeTable:
        normalized = {normalize_code(code): meaning for code, meaning in codes.items()}
        if len(normalized) != len(codes):
            raise ValueError(f"{carrier}: two codes of the table normalize alike")
        return cls(carrier, normalized)

    def lookup(self, code: str | None) -> Mapped | tuple[None, None]:
        if not code:
            return (None, None)
        return self.codes.get(normalize_code(code), (None, None))


def event_key(carrier: str, tracking: str, said_at: str, *parts: str | None) -> str:
    """The same carrier scan always gets the same key, however its code is mapped and however
    its time is placed: it is built from the carrier's own words, `said_at` being the time
    exactly as the carrier wrote it."""
    text = "|".join((carrier, tracking, said_at, *(p or "" for p in parts)))
    return f"{carrier}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def load_json(payload: bytes) -> Any:
    try:
        document = json.loads(payload, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise CarrierParseError("(payload)", f"is not JSON: {error}") from None
    unstorable = unstorable_text(document)
    if unstorable:
        raise CarrierParseError(*unstorable)
    return document


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def dig(value: Any, where: str, *path: str | int) -> Any:
    """`value[path...]`, or a CarrierParseError naming the first step that is missing."""
    here = where
    for step in path:
        here = f"{here}[{step}]" if isinstance(step, int) else f"{here}.{step}" if here else step
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            raise CarrierParseError(here, "is missing") from None
    return value


def text(value: Any, where: str) -> str | None:
    """A carrier's free text, trimmed; None when absent or empty."""
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise CarrierParseError(where, f"should be text, not {type(value).__name__}")
    trimmed = str(value).strip()
    return trimmed or None


def items(value: Any, where: str) -> list[Any]:
    """A JSON array (a missing one is empty); anything else is a parse error."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise CarrierParseError(where, f"should be a list, not {type(value).__name__}")
    return value


def get(value: Any, name: str) -> Any:
    """`value[name]` when value is an object that has it; None otherwise (optional fields)."""
    return value.get(name) if isinstance(value, dict) else None


def moment(value: Any, where: str, location: Location | None) -> tuple[datetime, str | None]:
    """An ISO 8601 time as the carrier wrote it: kept as said when it has an offset, else
    placed in the location's zone (and the zone assumed is returned, for the event's flag)."""
    stamp = text(value, where) or ""
    try:
        said = datetime.fromisoformat(stamp)
    except ValueError:
        raise CarrierParseError(where, f"'{stamp}' is not an ISO 8601 time") from None
    return settle(said, location)


def wall_clock(day: str | None, time: str, where: str) -> datetime:
    """A scan's date and time of day as two fields said them (XML carriers write them so)."""
    try:
        return datetime.fromisoformat(f"{day}T{time}")
    except ValueError:
        raise CarrierParseError(where, f"'{day} {time}' is not a date and time") from None


def iso_date(value: Any) -> str | None:
    """The date of an ISO 8601 date or time (a promised delivery), or None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        return None


def kept(data: dict[str, Any]) -> dict[str, Any]:
    """Event data without the entries that say nothing."""
    return {name: value for name, value in data.items() if value}


def place_of(
    found: Any, where: str, *, city: str, region: str, country: str, postal_code: str
) -> Location | None:
    """A carrier's location object read by its own field names: town, region, country (two
    letters where it can be told), postal code — never a street."""
    if not isinstance(found, dict):
        return None
    parts = {
        "city": text(found.get(city), f"{where}.{city}"),
        "region": text(found.get(region), f"{where}.{region}"),
        "country": alpha2(text(found.get(country), f"{where}.{country}")),
        "postal_code": text(found.get(postal_code), f"{where}.{postal_code}"),
    }
    return Location(**parts) if any(parts.values()) else None


def carrier_report(
    source: Source,
    tracking: str,
    occurred_at: datetime,
    meaning: tuple[Milestone | None, Reason | None, str | None],
    *,
    key: str,
    location: Location | None,
    description: str | None,
    data: dict[str, Any],
) -> EventReport:
    """One carrier scan as a report about the parcel `tracking`: its meaning (milestone,
    reason, the raw code it was read from), where and when, and what else is worth keeping."""
    milestone, reason, raw_code = meaning
    return EventReport(
        source=source,
        occurred_at=occurred_at,
        milestone=milestone,
        reason=reason,
        shipment=tracking,
        key=key,
        location=location,
        raw_code=raw_code,
        raw_description=description,
        data=kept(data),
    )
