"""How long the worker waits before trying again after a round met a database it could not
use: 1 s, 2 s, 4 s … doubling up to its own interval, so a short outage costs seconds and a
long one no more asking than its usual rounds. Each wait is drawn from the upper half of its
step, so workers that lost the database together do not all come back at the same instant."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class Backoff:
    cap: float  # seconds: never waits longer than this
    first: float = 1.0
    jitter: Callable[[], float] = random.random  # in [0, 1)
    failures: int = 0

    def failed(self) -> float:
        """Count one more failure in a row; the seconds to wait before trying again."""
        self.failures += 1
        step: float = min(self.cap, self.first * 2.0 ** min(self.failures - 1, 32))
        return step * (0.5 + 0.5 * self.jitter())

    def recovered(self) -> bool:
        """It worked: start again from the first step. True when it had been failing."""
        was_failing, self.failures = self.failures > 0, 0
        return was_failing
