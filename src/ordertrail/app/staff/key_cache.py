"""API keys recently checked, kept for a few seconds so a burst of requests with one key reads
it once rather than once per request (every API call and most writes present a key).

A revocation made in this process empties the cache at once; another process (a second
`serve`, the CLI) is heard when its entry ages out, after `seconds` at most. Unknown keys are
never kept: a new key works at once, and a stream of forged keys cannot fill memory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.staff.access import principal_of_key, revoke_key
from ordertrail.domain.access import Principal

#: Entries kept at most; when full the cache starts again (a shop has a handful of keys).
_MOST = 1024


class KeyCache:
    def __init__(
        self,
        uows: UnitOfWorkFactory,
        seconds: float,
        ticks: Callable[[], float] = time.monotonic,
    ) -> None:
        self._uows, self._seconds, self._ticks = uows, seconds, ticks
        self._seen: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()
        self._cleared = 0  # how many times emptied: an answer read across one is not kept

    def known(self, secret: str) -> Principal | None:
        """Whom the key acts for, when the cache holds it fresh; else None (ask `principal`).
        It reads nothing, so an event loop may ask it without a thread."""
        kept = self._seen.get(secret)
        if kept is not None and self._seconds > 0 and self._ticks() - kept[0] < self._seconds:
            return kept[1]
        return None

    def principal(self, secret: str, now: datetime) -> Principal | None:
        """Whom the key acts for (None: unknown or revoked), from the cache while fresh."""
        if self._seconds <= 0:
            return principal_of_key(self._uows, secret, now)
        tick = self._ticks()
        kept = self._seen.get(secret)
        if kept is not None and tick - kept[0] < self._seconds:
            return kept[1]
        generation = self._generation()
        principal = principal_of_key(self._uows, secret, now)
        with self._lock:
            # a revocation that ran while we read must not be undone by our (older) answer
            if principal is not None and generation == self._cleared:
                if len(self._seen) >= _MOST:
                    self._seen.clear()
                self._seen[secret] = (tick, principal)
            elif principal is None:
                self._seen.pop(secret, None)
        return principal

    def revoke(self, key_id: int, now: datetime) -> bool:
        """Revoke a key; no request in this process is let in with it after this returns."""
        done = revoke_key(self._uows, key_id, now)
        self.forget()
        return done

    def forget(self) -> None:
        with self._lock:
            self._seen.clear()
            self._cleared += 1

    def _generation(self) -> int:
        with self._lock:
            return self._cleared
