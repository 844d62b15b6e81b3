"""What every page that shows or takes something private shares: headers that keep it out of
caches, indexes and referrers, and a rate limiter against guessing."""

from __future__ import annotations

from limits import RateLimitItem
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

PRIVATE = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


class Limiter:
    """In memory, per process: enough to slow a guesser down on one machine. A request is
    allowed while both its client and what it asks about are under their limits."""

    def __init__(self, name: str, per_client: RateLimitItem, per_identifier: RateLimitItem) -> None:
        self._window = MovingWindowRateLimiter(MemoryStorage())
        self._name = name
        self._per_client = per_client
        self._per_identifier = per_identifier

    def allows(self, client: str, identifier: str) -> bool:
        by_client = self._window.hit(self._per_client, self._name, "client", client)
        by_identifier = self._window.hit(
            self._per_identifier, self._name, "identifier", identifier.casefold()
        )
        return bool(by_client and by_identifier)
