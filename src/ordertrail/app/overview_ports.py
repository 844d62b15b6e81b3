"""The port the ops overview reads its counts through."""

from __future__ import annotations

from typing import Protocol


class Counts(Protocol):
    def shipments_by_status(self) -> dict[str, int]:
        """Parcels (not cancelled) per status; `registered` for those with no event yet."""
        ...

    def orders_needing_attention(self) -> int: ...
