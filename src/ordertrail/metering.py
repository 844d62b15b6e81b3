"""What happens in this process, counted for /metrics: events in, hook deliveries refused,
requests and how long they took.

The use cases never count: they return what happened (`BatchResult.outcomes`) and the
composition root hands it to the meter. `NoMeter` serves the command line, which has no
/metrics to show figures on; `PrometheusMeter` serves `ordertrail serve`. Under
`serve --workers N`, PROMETHEUS_MULTIPROC_DIR (set by serve before its workers start) makes
every worker write its figures to files that /metrics adds up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics


class Meter(Protocol):
    def events_in(self, outcomes: Mapping[tuple[str, str], int]) -> None:
        """Events a batch brought, per (source kind, outcome)."""
        ...

    def hook_refused(self, source: str, reason: str) -> None: ...

    def request_done(self, method: str, route: str, status: int, seconds: float) -> None: ...


class NoMeter:
    def events_in(self, outcomes: Mapping[tuple[str, str], int]) -> None:
        pass

    def hook_refused(self, source: str, reason: str) -> None:
        pass

    def request_done(self, method: str, route: str, status: int, seconds: float) -> None:
        pass


#: Request latency buckets (seconds): a tracking page in milliseconds up to a large batch.
_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class PrometheusMeter:
    """Its own registry (two apps in one process, as in tests, count apart)."""

    def __init__(self) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # a `_created` series per label set doubles them for nothing
        self.registry = CollectorRegistry()
        self._events = Counter(
            "ordertrail_events_in",
            "Events received, by kind of source and what became of them.",
            ["source_kind", "outcome"],
            registry=self.registry,
        )
        self._refused = Counter(
            "ordertrail_hook_refusals",
            "Webhook deliveries refused or ignored, by source and reason.",
            ["source", "reason"],
            registry=self.registry,
        )
        self._latency = Histogram(
            "ordertrail_http_request_duration_seconds",
            "Time to answer a request, by route template, method and status class.",
            ["route", "method", "status"],
            buckets=_LATENCY,
            registry=self.registry,
        )

    def events_in(self, outcomes: Mapping[tuple[str, str], int]) -> None:
        for (source_kind, outcome), count in outcomes.items():
            self._events.labels(source_kind, outcome).inc(count)

    def hook_refused(self, source: str, reason: str) -> None:
        self._refused.labels(source, reason).inc()

    def request_done(self, method: str, route: str, status: int, seconds: float) -> None:
        self._latency.labels(route, method, f"{status // 100}xx").observe(seconds)
