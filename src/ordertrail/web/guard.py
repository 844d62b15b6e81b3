"""What every page that shows or takes something private shares: headers that keep it out of
caches, indexes and referrers, and rate limits against guessing."""

from __future__ import annotations

from fastapi import Request
from limits import RateLimitItem
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL; no form field needs one

PRIVATE = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


def rate_window(storage: str) -> MovingWindowRateLimiter:
    """The counters every limit of the app keeps, in `storage` (a `limits` storage URI):
    `memory://` is per process; with several `serve` workers use a shared one, such as
    `redis://host:6379` (needs the `redis` package)."""
    return MovingWindowRateLimiter(storage_from_string(storage))


class Limiter:
    """A request is allowed while both its client and what it asks about are under their
    limits. The client is the address uvicorn gives: the proxy's, unless the proxy is listed in
    `forwarded_allow_ips`, when it is the address the proxy forwarded."""

    def __init__(self, name: str, per_client: RateLimitItem, per_identifier: RateLimitItem) -> None:
        self._name = name
        self._per_client = per_client
        self._per_identifier = per_identifier

    def allows(self, request: Request, identifier: str) -> bool:
        window: MovingWindowRateLimiter = request.app.state.rate_window
        client = request.client.host if request.client else "unknown"
        by_client = window.hit(self._per_client, self._name, "client", client)
        by_identifier = window.hit(
            self._per_identifier, self._name, "identifier", identifier.casefold()
        )
        return bool(by_client and by_identifier)
