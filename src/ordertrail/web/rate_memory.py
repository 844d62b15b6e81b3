"""Rate-limit counters in this process's memory, swept once a second.

`limits`' own memory storage starts a timer thread (10 ms) whenever none is running, so a busy
server made a new thread for nearly every request: a sixth of the tracking page's CPU in a
profile. Here one sweep at most a second, started by a hit, clears what has expired; a moving
window still forgets each hit exactly when it ages out (it is checked against the clock on
every hit, whatever the sweep has not yet removed).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from limits.storage import MemoryStorage

SWEEP_EVERY = 1.0  # seconds


class SweptMemoryStorage(MemoryStorage):
    def __init__(
        self,
        uri: str = "memory://",
        *,
        ticks: Callable[[], float] = time.monotonic,
        **options: object,
    ) -> None:
        self._ticks, self._swept_at = ticks, 0.0
        self._sweeping = threading.Lock()
        super().__init__(uri, **options)  # type: ignore[arg-type]

    # limits calls this (name-mangled) before every count; the base class starts a timer
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = self._ticks()
        if now - self._swept_at < SWEEP_EVERY or not self._sweeping.acquire(blocking=False):
            return
        try:
            if now - self._swept_at >= SWEEP_EVERY and not self.timer.is_alive():
                self._swept_at = now
                self.timer = threading.Timer(0, self._MemoryStorage__expire_events)  # type: ignore[attr-defined]
                self.timer.daemon = True
                self.timer.start()
        finally:
            self._sweeping.release()
