"""The per-process rate-limit counters: limits held, no thread started per request."""

from __future__ import annotations

import threading

import pytest
from limits import parse
from limits.strategies import MovingWindowRateLimiter

from ordertrail.web import rate_memory
from ordertrail.web.rate_memory import SweptMemoryStorage


def test_a_moving_window_refuses_the_hit_over_the_limit_and_counts_clients_apart() -> None:
    window = MovingWindowRateLimiter(SweptMemoryStorage())
    five = parse("5/minute")
    assert all(window.hit(five, "track", "1.2.3.4") for _ in range(5))
    assert not window.hit(five, "track", "1.2.3.4")
    assert window.hit(five, "track", "5.6.7.8")


def test_a_hit_ages_out_of_the_window_on_the_clock_whatever_the_sweep(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr("limits.storage.memory.time.time", lambda: now[0])
    monkeypatch.setattr(rate_memory, "SWEEP_EVERY", 3600.0)  # no sweep in this test
    window = MovingWindowRateLimiter(SweptMemoryStorage())
    two = parse("2/minute")
    assert window.hit(two, "k") and window.hit(two, "k") and not window.hit(two, "k")
    now[0] += 61
    assert window.hit(two, "k")


def test_a_burst_of_hits_starts_no_thread_per_hit() -> None:
    ticks = [0.0]
    window = MovingWindowRateLimiter(SweptMemoryStorage(ticks=lambda: ticks[0]))
    many = parse("100000/minute")
    started = threading.Thread.start
    count = [0]

    def counting(self: threading.Thread) -> None:
        count[0] += 1
        started(self)

    threading.Thread.start = counting  # type: ignore[method-assign]
    try:
        for n in range(500):  # spread over half a second, as a server's requests are
            ticks[0] += 0.001
            window.hit(many, "track", str(n % 7))
    finally:
        threading.Thread.start = started  # type: ignore[method-assign]
    assert count[0] <= 2  # limits' own storage started one for nearly every hit
