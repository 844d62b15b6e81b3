"""What the returns flow needs from the store, beyond the event log every flow shares."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ordertrail.app.ports import SubjectRef
from ordertrail.domain.returns.return_lines import ReturnFile


@dataclass(frozen=True, slots=True)
class ReturnListing:
    """One return in a list: enough to pick it out."""

    id: str
    order_id: str
    status: str | None
    kind: str | None
    team: str | None
    requested_at: datetime | None
    tracking_number: str | None


@dataclass(frozen=True, slots=True)
class ReturnedUnits:
    """Units of one SKU on one return of an order."""

    return_id: str
    status: str | None
    sku: str
    quantity: int


class Returns(Protocol):
    def next_number(self) -> int:
        """The next RMA number of this install (1001, 1002, ...); never handed out twice."""
        ...

    def save_files(self, files: Sequence[ReturnFile]) -> None:
        """Store each return's derived columns and lines (the return's row exists)."""
        ...

    def units_on_order(self, order_id: str) -> list[ReturnedUnits]:
        """Every line of every return of the order, as last derived."""
        ...

    def by_tracking(self, names: Iterable[str]) -> dict[str, SubjectRef]:
        """Map each tracking number that is a return label's to its return."""
        ...

    def page(
        self, *, status: str | None, order_id: str | None, after: str | None, limit: int
    ) -> list[ReturnListing]:
        """Up to `limit` returns with ids after `after`, by id, optionally filtered."""
        ...

    def in_states(
        self, statuses: Iterable[str], *, limit: int, newest_first: bool = False
    ) -> list[ReturnListing]:
        """Up to `limit` returns in any of `statuses`, oldest request first (or newest)."""
        ...
