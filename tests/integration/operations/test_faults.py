"""Faults a self-hosted shop meets, each with real processes: a server killed with -9 while
clients post, a worker killed mid-send. What was acknowledged is never lost."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from ordertrail.simulate.carriers.labels import tracking_number
from tests.factories import canonical_order
from tests.integration.operations.test_serve import free_port

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


class StallingMailbox:
    """An SMTP server's handler that records every message by its Message-ID and holds the
    first one open (the sender waits for the server's answer) until released."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.first_arrived = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(str(mail["Message-ID"]))
        if not self.first_arrived.is_set():
            self.first_arrived.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        return "250 OK"


def test_a_worker_killed_mid_send_leaves_every_message_to_go_out_under_its_own_id(
    database_url: str, tmp_path: Path
) -> None:
    mailbox = StallingMailbox()
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = {
        **os.environ,
        "ORDERTRAIL_DATABASE_URL": database_url,
        "ORDERTRAIL_SMTP_HOST": "127.0.0.1",
        "ORDERTRAIL_SMTP_PORT": str(smtp_port),
        "ORDERTRAIL_QUIET_FROM": "00:00",  # no quiet hours: the test runs at any time of day
        "ORDERTRAIL_QUIET_UNTIL": "00:00",
        "ORDERTRAIL_OUTBOX_LEASE_SECONDS": "1",
    }
    try:
        queued = _queue_shipped_messages(env, tmp_path, parcels=4)
        assert len(queued) == 4
        worker = subprocess.Popen(
            [*CLI, "worker", "--interval", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert mailbox.first_arrived.wait(60), "the worker sent nothing"
            worker.send_signal(signal.SIGKILL)  # while the server still owes its answer
        finally:
            worker.wait(timeout=10)
        mailbox.release.set()
        for _ in range(30):  # a new worker takes over once the dead one's lease runs out
            subprocess.run([*CLI, "worker", "--once"], env=env, check=True, capture_output=True)
            if _outbox(database_url) == dict.fromkeys(queued, "sent"):
                break
    finally:
        controller.stop()
    assert _outbox(database_url) == dict.fromkeys(queued, "sent")
    # every message arrived, each under its own id; the one cut off arrives again with the
    # same id, which is what receivers deduplicate on
    assert {f"<{message}@ordertrail>" for message in queued} == set(mailbox.received)
    assert len(mailbox.received) == len(queued) + 1


def _queue_shipped_messages(env: dict[str, str], tmp_path: Path, parcels: int) -> list[str]:
    """Orders whose parcels the carrier just accepted: each queues a customer email."""
    now = datetime.now(UTC)
    rng = random.Random(7)
    numbers = [tracking_number("ups", rng) for _ in range(parcels)]
    orders, events = tmp_path / "orders.jsonl", tmp_path / "events.jsonl"
    made = []
    for n, number in enumerate(numbers):
        order = canonical_order(f"ORD-W{n}", (number, "ups", {"HAT": 1}))
        order["placed_at"] = (now - timedelta(days=1)).isoformat()
        order["customer"] |= {"email": f"customer{n}@example.com", "time_zone": "UTC"}
        made.append(order)
    orders.write_text("".join(json.dumps(order) + "\n" for order in made))
    accepted = [
        {
            "shipment": number,
            "milestone": "carrier_accepted",
            "source": "carrier:ups",
            "occurred_at": (now - timedelta(minutes=2)).isoformat(),
        }
        for number in numbers
    ]
    events.write_text("".join(json.dumps(event) + "\n" for event in accepted))
    for args in (["import", "orders", str(orders), "--format", "jsonl"], ["ingest", str(events)]):
        subprocess.run([*CLI, *args], env=env, check=True, capture_output=True)
    return [
        m for m, channel in _outbox_channels(env["ORDERTRAIL_DATABASE_URL"]) if channel == "email"
    ]


def _outbox_channels(url: str) -> list[tuple[str, str]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text("SELECT id, channel FROM outbox"))]
    engine.dispose()
    return rows  # type: ignore[return-value]


def _outbox(url: str) -> dict[str, str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = dict(
            connection.execute(text("SELECT id, status FROM outbox WHERE channel = 'email'")).all()
        )
    engine.dispose()
    return rows
