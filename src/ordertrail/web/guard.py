"""What every page that shows or takes something private shares: headers that keep it out of
caches, indexes and referrers, and rate limits against guessing."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from fastapi import Request
from limits import RateLimitItem
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter, RateLimiter

from ordertrail.web.rate_memory import SweptMemoryStorage

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL; no form field needs one

PRIVATE = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


def rate_window(storage: str, shared: Callable[[], Storage]) -> RateLimiter:
    """The counters every limit of the app keeps, in `storage`: `memory://` is per process
    (a moving window); `database` is the app's own database, shared by every process (a
    fixed window, one upsert a hit); any other `limits` storage URI, such as
    `redis://host:6379`, is used as it is (needs its client package)."""
    if storage == "database":
        return FixedWindowRateLimiter(shared())
    if storage == "memory://":
        return MovingWindowRateLimiter(SweptMemoryStorage())
    return MovingWindowRateLimiter(storage_from_string(storage))


@cache
def _scaled(limit: RateLimitItem, times: int) -> RateLimitItem:
    return limit if times == 1 else type(limit)(limit.amount * times, limit.multiples)


def _limit(request: Request, limit: RateLimitItem) -> RateLimitItem:
    """`limit` as this app applies it: times the `rate_limit_multiplier` setting."""
    return _scaled(limit, request.app.state.system.settings.rate_limit_multiplier)


class Refused(StrEnum):
    """Why a guess was not tried: too many from this client, too many wrong ones on this
    identifier from this client, or from everywhere at once."""

    CLIENT = "client"
    HERE = "here"
    EVERYWHERE = "everywhere"


@dataclass(frozen=True, slots=True)
class Refusal:
    why: Refused
    retry_after: int  # seconds


class Limiter:
    """Limits on guessing, counted so that a stranger cannot lock anyone else out: each client
    has its own budget of attempts (`per_client`, every attempt counts), and of wrong answers
    about one identifier (`per_pair`: an email, an order); only `overall` wrong answers about
    an identifier from every client together pause it for everyone. A right answer counts
    against no identifier, and a refused attempt is not tried, so counts nothing more.

    The client is the address uvicorn gives: the proxy's, unless the proxy is listed in
    `forwarded_allow_ips`, when it is the address the proxy forwarded."""

    def __init__(
        self,
        name: str,
        per_client: RateLimitItem,
        per_pair: RateLimitItem,
        overall: RateLimitItem,
    ) -> None:
        self._name = name
        self._per_client, self._per_pair, self._overall = per_client, per_pair, overall

    def refusal(self, request: Request, identifier: str) -> Refusal | None:
        """Why this attempt may not be tried now, or None (it is then counted for the
        client)."""
        window: RateLimiter = request.app.state.rate_window
        client, wanted = _client(request), identifier.casefold()
        checks = (
            (Refused.EVERYWHERE, _limit(request, self._overall), ("identifier", wanted)),
            (Refused.HERE, _limit(request, self._per_pair), ("pair", client, wanted)),
        )
        for why, limit, keys in checks:
            if not window.test(limit, self._name, *keys):
                return Refusal(why, _wait(window, limit, (self._name, *keys)))
        per_client = _limit(request, self._per_client)
        if not window.hit(per_client, self._name, "client", client):
            keys = (self._name, "client", client)
            return Refusal(Refused.CLIENT, _wait(window, per_client, keys))
        return None

    def wrong(self, request: Request, identifier: str) -> None:
        """The attempt was a wrong guess about `identifier`: count it."""
        window: RateLimiter = request.app.state.rate_window
        client, wanted = _client(request), identifier.casefold()
        window.hit(_limit(request, self._per_pair), self._name, "pair", client, wanted)
        window.hit(_limit(request, self._overall), self._name, "identifier", wanted)


class ClientLimit:
    """A budget per client and no other count, for what reveals nothing private (the public
    parcel view): slows one client walking through numbers, while nothing that anyone else
    does — however many addresses they ask from — can refuse a client."""

    def __init__(self, name: str, per_client: RateLimitItem) -> None:
        self._name, self._per_client = name, per_client

    def refusal(self, request: Request) -> Refusal | None:
        """Why this request may not be answered now, or None (it is then counted)."""
        window: RateLimiter = request.app.state.rate_window
        keys, per_client = (
            (self._name, "client", _client(request)),
            _limit(request, self._per_client),
        )
        if not window.hit(per_client, *keys):
            return Refusal(Refused.CLIENT, _wait(window, per_client, keys))
        return None


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _wait(window: RateLimiter, limit: RateLimitItem, keys: tuple[str, ...]) -> int:
    """Seconds until the window lets one more attempt in."""
    reset = window.get_window_stats(limit, *keys).reset_time
    return max(1, math.ceil(reset - time.time()))
