"""SQLite in trouble, with real processes: held locked by another process for longer than a
writer waits, and on a disk with no room left. Writes answer 503 (never 500) and can be sent
again; reads, pages and the health checks still answer; the worker waits and resumes; once the
trouble passes the writes sent again land, and the file is sound."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from tests.factories import canonical_order
from tests.integration.operations.test_faults import CLI, start_server
from tests.integration.operations.test_faults_database_down import wait_for
from tests.integration.operations.test_serve import free_port

UPS = "1Z999AA10123456784"
HOLDER = """
import sqlite3, sys
held = sqlite3.connect(sys.argv[1], isolation_level=None)
held.execute("BEGIN IMMEDIATE")
print("held", flush=True)
sys.stdin.readline()
held.execute("ROLLBACK")
"""


@contextmanager
def held_by_another_process(path: str) -> Iterator[None]:
    """Another program (a long import, a stuck script) holding SQLite's write lock."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline() == b"held\n"
        yield
    finally:
        with suppress(OSError):
            holder.stdin.write(b"\n")
            holder.stdin.close()
        try:
            holder.wait(timeout=10)
        except subprocess.TimeoutExpired:
            holder.kill()
            holder.wait()


class Mailbox:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.received.append(envelope.content)
        return "250 OK"


def serving_env(url: str, **more: str) -> dict[str, str]:
    env = {**os.environ, "ORDERTRAIL_DATABASE_URL": url, "ORDERTRAIL_WRITE_WAIT_SECONDS": "0.5"}
    return env | more


def new_key(env: dict[str, str], name: str) -> dict[str, str]:
    made = subprocess.run(
        [*CLI, "keys", "create", name, "--role", "ops", "--json"],
        env=env,
        check=True,
        capture_output=True,
    )
    return {"Authorization": f"Bearer {json.loads(made.stdout)['key']}"}


def shipped_order(order_id: str, number: str) -> dict[str, Any]:
    order = canonical_order(order_id, (number, "ups", {"HAT": 1}))
    order["placed_at"] = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    order["customer"] |= {"time_zone": "UTC"}
    return order


def events(prefix: str, count: int, milestone: str = "in_transit") -> list[dict[str, str]]:
    at = datetime.now(UTC) - timedelta(minutes=2)
    return [
        {
            "key": f"{prefix}-{n}",
            "shipment": UPS,
            "milestone": milestone,
            "source": "carrier:ups",
            "occurred_at": (at + timedelta(seconds=n)).isoformat(),
            "raw_description": "Departed from facility " + "·" * 200,  # room for fewer
        }
        for n in range(count)
    ]


def assert_try_again(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert int(answer.headers["Retry-After"]) >= 1
    assert answer.headers["content-type"] == "application/problem+json"


def assert_reads_answer(base: str, headers: dict[str, str]) -> None:
    assert httpx.get(f"{base}/api/v1/orders/ORD-1", headers=headers).status_code == 200
    assert httpx.get(f"{base}/track/{UPS}").status_code == 200
    assert httpx.get(f"{base}/livez").status_code == 200
    assert httpx.get(f"{base}/readyz").status_code == 200


def test_sqlite_held_by_another_process_refuses_writes_until_it_lets_go(
    database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the lock held here is SQLite's")
    mailbox, smtp_port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = serving_env(
        database_url,
        ORDERTRAIL_SMTP_HOST="127.0.0.1",
        ORDERTRAIL_SMTP_PORT=str(smtp_port),
        ORDERTRAIL_QUIET_FROM="00:00",  # no quiet hours: the test runs at any time of day
        ORDERTRAIL_QUIET_UNTIL="00:00",
    )
    headers, port = new_key(env, "lock"), free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, port)
    worker_said = tmp_path / "worker.log"
    with worker_said.open("wb") as said:
        worker = subprocess.Popen([*CLI, "worker", "--interval", "1"], env=env, stdout=said)
    try:
        order = shipped_order("ORD-1", UPS)
        assert httpx.post(f"{base}/api/v1/orders", json=order, headers=headers).is_success
        accepted = events("accepted", 1, "carrier_accepted")  # its customer is to be told
        with held_by_another_process(database_url.removeprefix("sqlite:///")):
            assert_try_again(httpx.post(f"{base}/api/v1/events", json=accepted, headers=headers))
            assert_reads_answer(base, headers)
            wait_for(lambda: "cannot be used" in worker_said.read_text(), "the worker to wait")
            assert worker.poll() is None
        again = httpx.post(f"{base}/api/v1/events", json=accepted, headers=headers)
        assert again.json()["accepted"] == 1
        wait_for(lambda: len(mailbox.received) == 1, "the worker to send the message")
        wait_for(lambda: "available again" in worker_said.read_text(), "the worker to say so")
    finally:
        for process in (server, worker):
            process.kill()
            process.wait(timeout=10)
        controller.stop()


@contextmanager
def small_disk(folder: Path) -> Iterator[Path]:
    """A 2 MB file system of the test's own, or a skip saying why there can be none."""
    folder.mkdir()
    tried = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True
    )
    if tried.returncode != 0:
        said = tried.stderr.decode(errors="replace").strip() or f"exit {tried.returncode}"
        pytest.skip(f"cannot mount a small tmpfs to fill (needs root): {said}")
    try:
        yield folder
    finally:  # even when the test failed; lazily if something still holds a file there
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(path: Path) -> None:
    """Take every byte left on the disk of `path`."""
    with suppress(OSError), path.open("wb", buffering=0) as filler:
        while True:
            filler.write(b"\0" * 4096)


def test_a_full_disk_refuses_writes_with_503_and_takes_them_once_there_is_room(
    sqlite_template: Path, tmp_path: Path
) -> None:
    with small_disk(tmp_path / "disk") as disk:
        shutil.copy(sqlite_template, disk / "ordertrail.db")
        url = f"sqlite:///{disk / 'ordertrail.db'}"
        env = serving_env(url)
        headers, unused, port = new_key(env, "writer"), new_key(env, "reader"), free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(env, port)
        try:
            order = shipped_order("ORD-1", UPS)
            assert httpx.post(f"{base}/api/v1/orders", json=order, headers=headers).is_success
            delivered = events("delivered", 1, "delivered")
            assert httpx.post(f"{base}/api/v1/events", json=delivered, headers=headers).is_success
            fill(disk / "filler")
            landed: list[str] = []
            for n in range(200):  # until the log has to grow past what is left
                batch = events(f"batch{n}", 20)
                answer = httpx.post(f"{base}/api/v1/events", json=batch, headers=headers)
                if answer.status_code != 200:
                    break
                landed += [e["key"] for e in batch]
            assert_try_again(answer)
            assert answer.json()["title"] == "Unavailable"  # out of room, not another writer
            # reads answer, with a key whose first use cannot be recorded now too, and so does
            # a delivered order's page, whose ticket cannot be stored now
            assert_reads_answer(base, unused)
            looked = {"order": "ORD-1", "email": "dana@example.com"}
            assert httpx.get(f"{base}/track", params=looked).status_code == 200
            (disk / "filler").unlink()
            assert httpx.post(f"{base}/api/v1/events", json=batch, headers=headers).json()[
                "accepted"
            ] == len(batch)
        finally:
            server.kill()
            server.wait(timeout=10)
        engine = create_engine(url)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            logged = [k for (k,) in connection.execute(text("SELECT key FROM events"))]
        engine.dispose()
        wanted = landed + [e["key"] for e in batch]
        assert sorted(k for k in logged if k.startswith("batch")) == sorted(wanted)
