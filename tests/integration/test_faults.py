"""Faults a self-hosted shop meets, each with real processes: a server killed with -9 while
clients post. What was acknowledged is never lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.factories import canonical_order
from tests.integration.test_serve import free_port

CLI = [sys.executable, "-m", "ordertrail"]
PARCEL = "1Z999AA10123456784"


@dataclass
class Served:
    base: str
    key: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    port: int = 0
    acknowledged: set[str] = field(default_factory=set)


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with httpx.Client(transport=httpx.HTTPTransport(retries=50)) as client:
        for _ in range(200):
            try:
                if client.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                    return server
            except httpx.TransportError:
                assert server.poll() is None, "ordertrail serve exited"
    pytest.fail("ordertrail serve never answered")


@pytest.fixture
def served(database_url: str) -> Iterator[Served]:
    env = {**os.environ, "ORDERTRAIL_DATABASE_URL": database_url}
    made = subprocess.run(
        [*CLI, "keys", "create", "faults", "--role", "ops", "--json"],
        env=env,
        check=True,
        capture_output=True,
    )
    key = json.loads(made.stdout)["key"]
    port = free_port()
    server = start_server(env, port)
    found = Served(f"http://127.0.0.1:{port}", key, env, server, port)
    try:
        yield found
    finally:
        if found.process.poll() is None:
            found.process.kill()
        found.process.wait(timeout=10)


def event(n: int, client: int) -> dict[str, str]:
    at = datetime(2026, 11, 20, tzinfo=UTC) + timedelta(seconds=n)
    return {
        "key": f"client-{client}-{n}",
        "shipment": PARCEL,
        "milestone": "in_transit",
        "occurred_at": at.isoformat(),
        "source": "carrier:ups",
        "raw_code": "I",
    }


def test_a_server_killed_mid_ingest_loses_nothing_it_acknowledged(
    served: Served, database_url: str
) -> None:
    headers = {"Authorization": f"Bearer {served.key}"}
    order = canonical_order("ORD-KILL", (PARCEL, "ups", {"DRILL": 1}))
    assert httpx.post(f"{served.base}/api/v1/orders", json=order, headers=headers).is_success
    killed = threading.Event()
    lock = threading.Lock()

    def post_until_refused(client: int) -> None:
        with httpx.Client(base_url=served.base, headers=headers, timeout=10) as http:
            for n in range(100_000):
                try:
                    answer = http.post("/api/v1/events", json=[event(n, client)])
                except httpx.TransportError:
                    return  # the server is gone: whatever was in flight was never acknowledged
                if answer.status_code == 200 and answer.json()["accepted"] == 1:
                    with lock:
                        served.acknowledged.add(f"client-{client}-{n}")
                if killed.is_set():
                    return

    clients = [threading.Thread(target=post_until_refused, args=(c,)) for c in range(4)]
    for thread in clients:
        thread.start()
    while len(served.acknowledged) < 60:  # well under way, with requests in flight
        assert all(thread.is_alive() for thread in clients)
        killed.wait(0.01)  # let the clients have the processor
    served.process.send_signal(signal.SIGKILL)
    served.process.wait(timeout=10)
    killed.set()
    for thread in clients:
        thread.join(timeout=30)

    engine = create_engine(database_url)
    with engine.connect() as connection:
        logged = {
            row[0]
            for row in connection.execute(text("SELECT key FROM events WHERE key LIKE 'client-%'"))
        }
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    engine.dispose()
    assert served.acknowledged <= logged, served.acknowledged - logged

    # and it starts again on the same database, taking events as before
    served.process = start_server(served.env, served.port)
    again = httpx.post(
        f"{served.base}/api/v1/events", json=[event(999_999, 9)], headers=headers
    ).json()
    assert again["accepted"] == 1
