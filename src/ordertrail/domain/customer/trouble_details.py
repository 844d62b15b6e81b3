"""What a carrier said about trouble that a customer can act on: when it tries again, and the
pickup point it left the parcel at with its opening hours.

Carriers put these in an event's `data` under many names; only these few are read, only as
short plain text, and nothing else of `data` ever reaches a customer (it can hold a signer's
name or a driver's note).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

NEXT_ATTEMPT_KEYS = ("next_attempt", "next_attempt_at", "next_delivery_attempt", "redelivery_date")
PICKUP_KEYS = ("pickup_point", "access_point", "pickup_location", "held_at")
HOURS_KEYS = ("opening_hours", "pickup_hours", "hours")
_LONGEST = 200


@dataclass(frozen=True, slots=True)
class TroubleDetails:
    next_attempt: date | None = None
    pickup_point: str | None = None
    opening_hours: str | None = None

    def __bool__(self) -> bool:
        return bool(self.next_attempt or self.pickup_point or self.opening_hours)


def trouble_details(data: Mapping[str, Any]) -> TroubleDetails:
    """The next attempt, pickup point and hours an event's `data` carries, where readable."""
    pickup = data.get(next((k for k in PICKUP_KEYS if k in data), ""))
    hours = _text(data.get(next((k for k in HOURS_KEYS if k in data), "")))
    if isinstance(pickup, Mapping):  # {"name": ..., "hours": ...}
        hours = hours or _text(pickup.get("hours") or pickup.get("opening_hours"))
        pickup = pickup.get("name")
    return TroubleDetails(
        next_attempt=_day(data.get(next((k for k in NEXT_ATTEMPT_KEYS if k in data), ""))),
        pickup_point=_text(pickup),
        opening_hours=hours,
    )


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    plain = " ".join("".join(c for c in value if c.isprintable()).split())
    return plain[:_LONGEST] or None


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)
    except ValueError:
        return None
