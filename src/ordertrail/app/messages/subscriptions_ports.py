"""Where an order's subscriptions are kept (store/effects/subscriptions.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Subscription:
    """What the customer asked for one order: texts to `sms_number` (every message the order
    earns, not only the urgent ones), and whether they stopped its emails."""

    order_id: str
    sms_number: str | None = None
    sms_added_at: datetime | None = None
    email_stopped_at: datetime | None = None


class Subscriptions(Protocol):
    def of_orders(self, order_ids: Iterable[str]) -> dict[str, Subscription]: ...

    def add_sms(self, order_id: str, number: str, now: datetime) -> None:
        """Texts go to `number` from now on (it replaces a number given before)."""
        ...

    def stop_email(self, order_id: str, now: datetime) -> datetime | None:
        """Stop the order's emails; returns when they were stopped before (None: just now)."""
        ...

    def forget(self, order_id: str) -> int:
        """Erase what the customer gave (their number): rows removed."""
        ...
