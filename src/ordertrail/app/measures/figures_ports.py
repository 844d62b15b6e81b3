"""The port /metrics reads the state of the system through: aggregates the database makes,
each one query, read without taking the write lock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol


class Figures(Protocol):
    def outbox_waiting(self) -> dict[tuple[str, str], int]:
        """Messages not sent yet (pending, sending, dead), per (status, channel)."""
        ...

    def oldest_waiting(self) -> dict[str, datetime]:
        """Per channel, when its oldest message still to go (pending or sending) was queued."""
        ...

    def open_cases(
        self, ages: Sequence[tuple[str, datetime]], older: str
    ) -> dict[tuple[str, str], int]:
        """Open cases per (kind, age): `ages` are (label, opened after), youngest first; a
        case opened before all of them is `older`."""
        ...
