"""`/metrics`: what an operator graphs, in Prometheus's text format, for a key that may read
metrics (the `metrics` role is made for a scraper; admin and ops keys may too).

Two kinds of figures. What happens in the serving processes (events in, hook refusals,
request latency) is counted by the meter as it happens; under `serve --workers N` each
worker writes its counts to PROMETHEUS_MULTIPROC_DIR and this adds them up. The state of the
system (outbox, open cases, unmapped codes, the worker's rounds) is read from the database at
scrape time, so every process answers alike and the worker, wherever it runs, needs no port
of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from ordertrail.app.measures.figures import StateFigures, state_figures
from ordertrail.app.privacy.retention import AGED_KINDS
from ordertrail.domain.access import Permission
from ordertrail.metering import PrometheusMeter
from ordertrail.web.api.auth import require
from ordertrail.web.api.docs import ApiRoute

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def router() -> APIRouter:
    routes = APIRouter(tags=["metrics"], route_class=ApiRoute)

    @routes.get(
        "/metrics",
        response_class=Response,
        dependencies=[Depends(require(Permission.READ_METRICS))],
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
    )
    def metrics(request: Request) -> Response:
        """Counters, gauges and histograms in Prometheus's text format."""
        system = request.app.state.system
        state = CollectorRegistry(auto_describe=False)
        state.register(StateCollector(state_figures(system.uows, system.clock.now())))
        body = generate_latest(_this_process(system.meter)) + generate_latest(state)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return routes


def _this_process(meter: Any) -> CollectorRegistry:
    if os.environ.get(MULTIPROCESS_DIR):  # every serve worker's counts, from their files
        registry = CollectorRegistry(auto_describe=False)
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    if isinstance(meter, PrometheusMeter):
        return meter.registry
    return CollectorRegistry()  # an app whose system counts nothing


#: The worker's round totals offered as counters: (metric, help, label, {value: figure}).
_ROUND_COUNTERS: tuple[tuple[str, str, str | None, dict[str, str]], ...] = (
    ("ordertrail_sweep_rounds", "Worker rounds (each sweeps and sends).", None, {"": "rounds"}),
    (
        "ordertrail_sweep_parcels",
        "Parcels the sweep looked at.",
        None,
        {"": "sweep_looked_at"},
    ),
    (
        "ordertrail_sweep_cases",
        "Cases the sweep opened or resolved.",
        "change",
        {"opened": "sweep_opened", "resolved": "sweep_resolved"},
    ),
    (
        "ordertrail_outbox_deliveries",
        "Messages the worker tried to send, by what became of them.",
        "outcome",
        {
            "sent": "outbox_sent",
            "retried": "outbox_retried",
            "dead": "outbox_dead",
            "skipped": "outbox_skipped",
        },
    ),
    ("ordertrail_poll_rounds", "Worker rounds that asked carriers.", None, {"": "poll_rounds"}),
    (
        "ordertrail_poll_parcels",
        "Parcels the worker asked carriers about, by what came of it.",
        "outcome",
        {
            "asked": "poll_asked",
            "failed": "poll_failed",
            "rate_limited": "poll_rate_limited",
            "put_off": "poll_put_off",
        },
    ),
    ("ordertrail_poll_events", "New events polling found.", None, {"": "poll_events"}),
    (
        "ordertrail_retention_aged",
        "Rows of personal data the retention settings aged out (deleted or blanked), by kind.",
        "kind",
        {kind: f"retention_{kind}" for kind in AGED_KINDS},
    ),
)


class StateCollector(Collector):
    """The state read from the database, as gauges, and the worker's totals, as counters."""

    def __init__(self, figures: StateFigures) -> None:
        self._figures = figures

    def collect(self) -> Iterator[Metric]:
        figures = self._figures
        waiting = GaugeMetricFamily(
            "ordertrail_outbox_messages",
            "Messages not sent yet, by status (pending, sending, dead) and channel.",
            labels=["status", "channel"],
        )
        for (status, channel), count in sorted(figures.outbox.items()):
            waiting.add_metric([status, channel], count)
        yield waiting
        oldest = GaugeMetricFamily(
            "ordertrail_outbox_oldest_waiting_seconds",
            "Age of the oldest message still to go (pending or sending), by channel.",
            labels=["channel"],
        )
        for channel, waited in sorted(figures.oldest_waiting.items()):
            oldest.add_metric([channel], waited.total_seconds())
        yield oldest
        cases = GaugeMetricFamily(
            "ordertrail_open_cases",
            "Open exception cases, by kind and age.",
            labels=["kind", "age"],
        )
        for (kind, age), count in sorted(figures.open_cases.items()):
            cases.add_metric([kind, age], count)
        yield cases
        codes = GaugeMetricFamily(
            "ordertrail_unmapped_codes",
            "Carrier codes events carry that no table or mapping reads yet, by carrier.",
            labels=["carrier"],
        )
        carrying = GaugeMetricFamily(
            "ordertrail_unmapped_code_events",
            "Events carrying those codes, by carrier.",
            labels=["carrier"],
        )
        for carrier, (known, events) in sorted(figures.unmapped.items()):
            codes.add_metric([carrier], known)
            carrying.add_metric([carrier], events)
        yield codes
        yield carrying
        yield from self._worker(figures)

    def _worker(self, figures: StateFigures) -> Iterator[Metric]:
        if figures.worker_silent_for is not None:  # never ran: absent, not a made-up age
            yield GaugeMetricFamily(
                "ordertrail_worker_last_round_age_seconds",
                "Seconds since the worker last finished a round.",
                value=figures.worker_silent_for.total_seconds(),
            )
        totals = figures.worker_totals
        for name, documentation, label, values in _ROUND_COUNTERS:
            counter = CounterMetricFamily(name, documentation, labels=[label] if label else [])
            for value, figure in values.items():
                counter.add_metric([value] if label else [], totals.get(figure, 0))
            yield counter
