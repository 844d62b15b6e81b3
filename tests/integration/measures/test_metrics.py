"""/metrics as an operator's Prometheus reads it: real traffic through the app, then the
figures read back with Prometheus's own text parser; and `serve` as a user runs it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from ordertrail.app.rounds import work_round
from ordertrail.bootstrap import System, build
from ordertrail.config import Settings
from ordertrail.store.tables import outbox
from tests.conftest import FixedClock
from tests.factories import api_key, canonical_order

UPS = "1Z999AA10123456784"
EASYPOST = "ep-secret"


@pytest.fixture
def metered(database_url: str, clock: FixedClock) -> Iterator[System]:
    settings = Settings(database_url=database_url, hook_secrets={"easypost": EASYPOST})
    system = build(settings, clock=clock, metered=True)
    yield system
    system.close()


@pytest.fixture
def client(metered: System) -> Iterator[TestClient]:
    from ordertrail.web.app import create_app

    with TestClient(create_app(metered), headers=api_key(metered)) as test_client:
        order = canonical_order("ORD-1", (UPS, "ups", {"DRILL": 1}))
        assert test_client.post("/api/v1/orders", json=order).status_code == 201
        yield test_client


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a scrape, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scraped: dict[Any, float], name: str, **labels: str) -> float | None:
    return scraped.get((name, frozenset(labels.items())))


def ups(milestone: str | None, hour: int, **more: Any) -> dict[str, Any]:
    found = {
        "shipment": UPS,
        "source": "carrier:ups",
        "occurred_at": f"2026-11-20T{hour:02}:00:00+00:00",
        **more,
    }
    if milestone:
        found["milestone"] = milestone
    return found


def test_a_scrape_counts_what_came_in_and_shows_what_waits(
    client: TestClient, clock: FixedClock
) -> None:
    accepted = ups("carrier_accepted", 9)
    batch = [
        accepted,
        ups(None, 10, raw_code="ZQ", raw_description="Held at an unknown place"),  # unmapped
        ups("picked", 8),  # a carrier may not say it was picked: conflict (and a case)
        ups("teleported", 11),  # no such milestone: rejected
    ]
    assert client.post("/api/v1/events", json=batch).status_code == 422  # the rest landed
    assert client.post("/api/v1/events", json=[accepted]).json()["duplicates"] == 1
    forged = {"X-Hmac-Signature": "hmac-sha256-hex=" + "0" * 64}
    assert client.post("/hooks/easypost", content=b"{}", headers=forged).status_code == 401
    assert client.get("/api/v1/orders/ORD-1").status_code == 200
    clock.advance(seconds=90)

    scraped = samples(client.get("/metrics").text)

    events = "ordertrail_events_in_total"
    for outcome in ("accepted", "unmapped", "conflict", "rejected", "duplicate"):
        assert value(scraped, events, source_kind="carrier", outcome=outcome) == 1, outcome
    hooks = "ordertrail_hook_refusals_total"
    assert value(scraped, hooks, source="easypost", reason="bad_signature") == 1
    latency = "ordertrail_http_request_duration_seconds_count"
    one_order = {"route": "/api/v1/orders/{order_id}", "method": "GET", "status": "2xx"}
    assert value(scraped, latency, **one_order) == 1
    assert not [key for key in scraped if any("ORD-1" in v for _, v in key[1])]  # no raw ids
    assert value(scraped, "ordertrail_unmapped_codes", carrier="ups") == 1
    assert value(scraped, "ordertrail_open_cases", kind="status_conflict", age="under_4h") == 1
    # the parcel's first carrier scan tells the customer: queued, not sent yet
    assert value(scraped, "ordertrail_outbox_messages", status="pending", channel="email") == 1
    assert value(scraped, "ordertrail_outbox_oldest_waiting_seconds", channel="email") == 90
    assert value(scraped, "ordertrail_worker_last_round_age_seconds") is None  # never ran


def test_the_workers_rounds_are_counted_wherever_it_runs(
    client: TestClient, metered: System, clock: FixedClock
) -> None:
    assert client.post("/api/v1/events", json=[ups("carrier_accepted", 9)]).is_success
    before = samples(client.get("/metrics").text)
    queued = sum(v for (name, _), v in before.items() if name == "ordertrail_outbox_messages")
    assert queued >= 2  # the customer's email and the shop's webhook, at least
    assert value(before, "ordertrail_sweep_rounds_total") == 0
    for _ in range(2):
        work_round(metered.uows, clock, {}, {})  # no channel set up: messages are skipped
    clock.advance(minutes=3)

    after = samples(client.get("/metrics").text)

    assert value(after, "ordertrail_sweep_rounds_total") == 2
    assert value(after, "ordertrail_worker_last_round_age_seconds") == 180
    # every message skipped, the sweep's staff alert about the case it opened included
    with metered.engine.connect() as connection:
        made = connection.execute(select(func.count()).select_from(outbox)).scalar_one()
    assert made > queued
    assert value(after, "ordertrail_outbox_deliveries_total", outcome="skipped") == made
    assert not [name for name, _ in after if name == "ordertrail_outbox_messages"]


def test_only_a_key_that_may_read_metrics_gets_them(client: TestClient, metered: System) -> None:
    anonymous = client.get("/metrics", headers={"Authorization": ""})
    assert (anonymous.status_code, anonymous.headers["www-authenticate"]) == (401, "Bearer")
    for role in ("support", "warehouse"):
        refused = client.get("/metrics", headers=api_key(metered, role))
        assert refused.status_code == 403, role
        assert "may not read metrics" in refused.json()["detail"]
    scraper = api_key(metered, "metrics")
    answer = client.get("/metrics", headers=scraper)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    assert client.get("/metrics", headers=api_key(metered, "ops")).status_code == 200
    # a scraper's key, if it leaks, reads counts and nothing else
    assert client.get("/api/v1/orders/ORD-1", headers=scraper).status_code == 403


# -- `ordertrail serve` and `ordertrail worker` as a user runs them ------------------------

CLI = [sys.executable, "-m", "ordertrail"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    base: str
    scraper: dict[str, str]
    log: Path
    env: dict[str, str]


def serve(tmp_path: Path, *, workers: int, **settings: str) -> Iterator[Served]:
    env = {
        **os.environ,
        "ORDERTRAIL_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        **settings,
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    subprocess.run([*CLI, "init"], env=env, check=True, capture_output=True)
    made = subprocess.run(
        [*CLI, "keys", "create", "prometheus", "--role", "metrics", "--json"],
        env=env,
        check=True,
        capture_output=True,
    )
    scraper = {"Authorization": f"Bearer {json.loads(made.stdout)['key']}"}
    port, log = free_port(), tmp_path / "serve.log"
    with log.open("wb") as written:
        server = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=written,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(transport=httpx.HTTPTransport(retries=50)) as client:
            for _ in range(200):  # retries cover the moments before it listens; no sleeping
                try:
                    if client.get(f"{base}/healthz", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    if server.poll() is not None:
                        pytest.fail(f"ordertrail serve exited: {log.read_text()}")
        yield Served(base, scraper, log, env)
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[Served]:
    yield from serve(tmp_path, workers=2, ORDERTRAIL_LOG_FORMAT="json")


def json_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_serve_with_two_workers_answers_metrics_counted_by_both(two_workers: Served) -> None:
    served, asked = two_workers, 0
    # each request on a new connection, until both workers have answered some (the kernel
    # hands connections out; a few dozen reach both)
    while asked < 400:
        with httpx.Client(base_url=served.base, timeout=10) as client:
            client.get("/healthz", headers={"X-Request-ID": f"probe-{asked}"})
        asked += 1
        pids = {line["pid"] for line in json_lines(served.log) if line.get("route") == "/healthz"}
        if len(pids) == 2:
            break
    assert len(pids) == 2, "one worker answered every request"
    ready = [line for line in json_lines(served.log) if line.get("route") == "/healthz"]
    with httpx.Client(base_url=served.base, timeout=10) as client:
        scraped = samples(client.get("/metrics", headers=served.scraper).text)
    healthz = {"route": "/healthz", "method": "GET", "status": "2xx"}
    # the start-up probes too: every /healthz either worker answered, in one scrape
    assert value(scraped, "ordertrail_http_request_duration_seconds_count", **healthz) == len(ready)


@pytest.fixture
def one_worker(tmp_path: Path) -> Iterator[Served]:
    yield from serve(tmp_path, workers=1, ORDERTRAIL_LOG_FORMAT="json")


def test_json_logs_carry_the_request_id_the_client_sent(one_worker: Served) -> None:
    served = one_worker
    with httpx.Client(base_url=served.base, timeout=10) as client:
        asked = client.get("/api/v1/orders/ORD-77", headers={"X-Request-ID": "lookup-42"})
        odd = client.get("/healthz", headers={"X-Request-ID": "two words"})
        unnamed = [client.get("/livez").headers["x-request-id"] for _ in range(3)]
    assert (asked.status_code, asked.headers["x-request-id"]) == (401, "lookup-42")
    assert odd.headers["x-request-id"] not in ("", "two words")  # not taken: one made instead
    assert len({odd.headers["x-request-id"], *unnamed}) == 4  # each request an id of its own

    lines = json_lines(served.log)  # every line is JSON, uvicorn's own included

    [line] = [line for line in lines if line["request_id"] == "lookup-42"]
    assert line["route"] == "/api/v1/orders/{order_id}"  # never the id asked about
    assert (line["method"], line["status"], line["logger"]) == ("GET", 401, "ordertrail.request")
    assert line["duration_ms"] >= 0 and line["level"] == "info" and line["time"]
    assert [x["request_id"] for x in lines if x.get("route") == "/healthz"][-1] == odd.headers[
        "x-request-id"
    ]
    worker = subprocess.run(
        [*CLI, "worker", "--once"], env=served.env, capture_output=True, text=True, check=True
    )
    [round_line] = [json.loads(line) for line in worker.stderr.splitlines() if "figures" in line]
    assert (round_line["logger"], round_line["figures"]["rounds"]) == ("ordertrail.worker", 1)
