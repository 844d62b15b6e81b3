"""The port the ops overview reads its counts through."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol


class Counts(Protocol):
    def shipments_by_status(self) -> dict[str, int]:
        """Parcels (not cancelled) per status; `registered` for those with no event yet."""
        ...

    def orders_needing_attention(self) -> int: ...

    def carrier_news(self, moving: frozenset[str]) -> list[tuple[str, int, datetime | None]]:
        """Per carrier: its parcels in a `moving` status, and when a carrier source last told
        us anything about any of them (received time)."""
        ...


class Heartbeats(Protocol):
    """When each long-running process last finished a round, and what it said."""

    def beat(self, name: str, at: datetime, said: str) -> None: ...

    def last(self, name: str) -> tuple[datetime, str] | None: ...

    def add(self, name: str, figures: Mapping[str, int]) -> None:
        """Add one round's figures to the totals kept under `name` (concurrent workers add
        without losing each other's)."""
        ...

    def totals(self, name: str) -> dict[str, int]: ...
