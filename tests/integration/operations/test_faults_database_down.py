"""The database stopping and starting under load, with real processes: `serve` and `worker` on
a PostgreSQL cluster of the test's own, clients posting events through the API and a carrier
posting webhooks. While it is down every write answers 503 with Retry-After, the process stays
live and not ready, the worker waits; once it is back the same clients' retries land, and
nothing acknowledged is lost, doubled or half-written."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from standardwebhooks import Webhook

from ordertrail.bootstrap import build
from ordertrail.config import Settings
from ordertrail.web.app import create_app
from tests.factories import api_key, canonical_order
from tests.integration.intake.test_hooks import FLEET
from tests.integration.operations.test_faults import CLI, start_server
from tests.integration.operations.test_serve import free_port
from tests.integration.operations.throwaway_postgres import Cluster, throwaway_postgres

UPS, FLEET_PARCEL = "1Z999AA10123456784", "ACME-000123"
BATCH = 3  # events a request carries: all of them land, or none


@dataclass
class Sender:
    """One client: sends batches of events, each under its own keys; after a 503 it sends the
    same batch again (`retries`) or gives it up and goes on."""

    name: str
    send: Callable[[httpx.Client, list[dict[str, str]], str], httpx.Response]
    retries: bool = True
    acknowledged: list[list[str]] = field(default_factory=list)
    given_up: list[list[str]] = field(default_factory=list)
    answers: Counter[int] = field(default_factory=Counter)
    faults: list[str] = field(default_factory=list)  # answers no client should ever get

    def run(self, base: str, stop: threading.Event) -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            for n in range(100_000):
                keys = [f"{self.name}-{n}-{i}" for i in range(BATCH)]
                if not self._deliver(http, keys, stop) or stop.is_set():
                    return

    def _deliver(self, http: httpx.Client, keys: list[str], stop: threading.Event) -> bool:
        delivery = f"msg_{keys[0]}"  # a webhook sender's retries keep the delivery's id
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                answer = self.send(http, [event(key) for key in keys], delivery)
            except httpx.TransportError as error:
                self.faults.append(f"transport: {error}")
                return False
            self.answers[answer.status_code] += 1
            if answer.status_code == 200:
                self.acknowledged.append(keys)
                return True
            if answer.status_code != 503 or not _retry_later(answer):
                self.faults.append(f"{answer.status_code} {answer.headers} {answer.text}")
                return False
            if not self.retries:
                self.given_up.append(keys)
                time.sleep(0.05)
                return True
            time.sleep(0.2)  # sooner than Retry-After says: the test has no minute to spare
        self.faults.append(f"{keys} never landed")
        return False


def _retry_later(answer: httpx.Response) -> bool:
    return (
        int(answer.headers.get("Retry-After", "0")) >= 1
        and answer.headers["content-type"] == "application/problem+json"
        and answer.json()["status"] == 503
    )


def event(key: str) -> dict[str, str]:
    n = sum(ord(c) for c in key)  # any time: the keys tell the events apart
    at = datetime(2026, 11, 20, tzinfo=UTC) + timedelta(seconds=n)
    return {"key": key, "milestone": "in_transit", "occurred_at": at.isoformat(), "raw_code": "I"}


def through_api(key: str) -> Callable[[httpx.Client, list[dict[str, str]], str], httpx.Response]:
    def send(http: httpx.Client, events: list[dict[str, str]], _: str) -> httpx.Response:
        body = [{**e, "shipment": UPS, "source": "carrier:ups"} for e in events]
        return http.post("/api/v1/events", json=body, headers={"Authorization": f"Bearer {key}"})

    return send


def through_hook(http: httpx.Client, events: list[dict[str, str]], delivery: str) -> httpx.Response:
    body = json.dumps([{**e, "shipment": FLEET_PARCEL} for e in events])
    now = datetime.now(UTC)
    signed = {
        "webhook-id": delivery,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(FLEET).sign(delivery, now, body),
        "content-type": "application/json",
    }
    return http.post("/hooks/acme", content=body, headers=signed)


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


def test_the_database_stopping_and_starting_under_load_loses_nothing(tmp_path: Path) -> None:
    with throwaway_postgres() as cluster:
        env = {
            **os.environ,
            "ORDERTRAIL_DATABASE_URL": cluster.url,
            "ORDERTRAIL_HOOK_SECRET_ACME": FLEET,
        }
        subprocess.run([*CLI, "init"], env=env, check=True, capture_output=True)
        made = subprocess.run(
            [*CLI, "keys", "create", "load", "--role", "ops", "--json"],
            env=env,
            check=True,
            capture_output=True,
        )
        key = json.loads(made.stdout)["key"]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(env, port)
        worker_said = tmp_path / "worker.log"
        with worker_said.open("wb") as said:
            worker = subprocess.Popen(
                [*CLI, "worker", "--interval", "1"], env=env, stdout=said, stderr=said
            )
        try:
            order = canonical_order(
                "ORD-1", (UPS, "ups", {"HAT": 1}), (FLEET_PARCEL, "acme", {"CAP": 1})
            )
            headers = {"Authorization": f"Bearer {key}"}
            assert httpx.post(f"{base}/api/v1/orders", json=order, headers=headers).is_success
            _outage_under_load(cluster, base, key, worker_said)
            assert worker.poll() is None, worker_said.read_text()  # it waited, never gave up
        finally:
            for process in (server, worker):
                process.kill()
                process.wait(timeout=10)


def _outage_under_load(cluster: Cluster, base: str, key: str, worker_said: Path) -> None:
    senders = [
        Sender("api-a", through_api(key)),
        Sender("api-b", through_api(key)),
        Sender("api-quitter", through_api(key), retries=False),
        Sender("hook", through_hook),
    ]
    stop = threading.Event()
    threads = [threading.Thread(target=s.run, args=(base, stop)) for s in senders]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: sum(len(s.acknowledged) for s in senders) >= 20, "load under way")
        cluster.stop("fast")
        wait_for(lambda: all(s.answers[503] for s in senders), "every client to meet a 503")
        assert httpx.get(f"{base}/livez").json() == {"status": "ok"}
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 503 and ready.json()["check"] == "database"
        page = httpx.get(f"{base}/track/{UPS}")
        assert page.status_code == 503 and "try again in a minute" in page.text
        wait_for(lambda: "cannot be used" in worker_said.read_text(), "the worker to notice")
        before = {s.name: len(s.acknowledged) for s in senders}
        cluster.start()
        wait_for(
            lambda: all(len(s.acknowledged) >= before[s.name] + 3 for s in senders),
            "every client's writes to land again",
        )
        wait_for(lambda: "available again" in worker_said.read_text(), "the worker to resume")
        assert httpx.get(f"{base}/readyz").json() == {"status": "ok"}
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not [f for s in senders for f in s.faults], [s.faults for s in senders]
    _nothing_lost_doubled_or_half_written(cluster.url, senders)


def _nothing_lost_doubled_or_half_written(url: str, senders: list[Sender]) -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        logged = Counter(
            row[0]
            for row in connection.execute(
                text("SELECT key FROM events WHERE key LIKE 'api-%' OR key LIKE 'hook-%'")
            )
        )
    engine.dispose()
    assert not [k for k, times in logged.items() if times > 1]
    for sender in senders:
        for batch in sender.acknowledged:  # every acknowledged key is there
            assert all(logged[k] == 1 for k in batch), (sender.name, batch)
        for batch in sender.given_up:  # a batch cut off by the outage: all of it, or none
            assert len({logged[k] for k in batch}) == 1, (sender.name, batch)
        assert sender.answers[503] and set(sender.answers) == {200, 503}, sender.answers
    sent = {k for s in senders for batch in s.acknowledged + s.given_up for k in batch}
    assert set(logged) <= sent  # and nothing else


def test_a_postgresql_out_of_connections_answers_503_until_one_is_free() -> None:
    with throwaway_postgres("-c max_connections=4 -c superuser_reserved_connections=0") as pg:
        system = build(Settings(database_url=pg.url))
        try:
            system.migrate()
            client = TestClient(create_app(system), headers=api_key(system))
            order = canonical_order("ORD-1", (UPS, "ups", {"HAT": 1}))
            assert client.post("/api/v1/orders", json=order).status_code == 201
            system.engine.dispose()  # its pool gives back what it held
            others = [psycopg.connect(pg.url.replace("+psycopg", "")) for _ in range(4)]
            try:
                refused = client.get("/api/v1/orders/ORD-1")
                assert refused.status_code == 503 and _retry_later(refused)
                assert client.get("/readyz").json()["check"] == "database"
                assert client.get("/livez").status_code == 200
            finally:
                for other in others:
                    other.close()
            assert client.get("/api/v1/orders/ORD-1").status_code == 200
        finally:
            system.close()
