"""`ordertrail serve` as a user runs it: a real process, real HTTP on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.factories import canonical_order

CLI = [sys.executable, "-m", "ordertrail"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    database = f"sqlite:///{tmp_path / 'served.db'}"
    env = {**os.environ, "ORDERTRAIL_DATABASE_URL": database}
    subprocess.run([*CLI, "init"], env=env, check=True, capture_output=True)
    made = subprocess.run(
        [*CLI, "keys", "create", "store-sync", "--role", "ops", "--json"],
        env=env,
        check=True,
        capture_output=True,
    )
    key = json.loads(made.stdout)["key"]
    server, base = started(env)
    try:
        yield base, key
    finally:
        server.terminate()
        server.wait(timeout=10)


def started(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """`ordertrail serve` on a free port, once it answers; the process and its address."""
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(transport=httpx.HTTPTransport(retries=50)) as client:
        for _ in range(200):  # retries cover the moments before it listens; no sleeping
            try:
                if client.get(f"{base}/healthz", timeout=5).status_code == 200:
                    return server, base
            except httpx.TransportError:
                if server.poll() is not None:
                    output = server.stdout.read().decode() if server.stdout else ""
                    pytest.fail(f"ordertrail serve exited: {output}")
    server.terminate()
    pytest.fail("ordertrail serve did not answer")


def test_the_served_api_takes_an_order_and_its_events(served: tuple[str, str]) -> None:
    base, key = served
    with httpx.Client(base_url=base, timeout=10) as client:
        order = canonical_order("ORD-8", ("1Z999AA10123456784", "ups", {"DRILL": 1}))
        assert client.post("/api/v1/orders", json=order).status_code == 401  # no key, no entry
        client.headers["Authorization"] = f"Bearer {key}"
        order = canonical_order("ORD-9", ("1Z999AA10123456784", "ups", {"DRILL": 1}))
        assert client.post("/api/v1/orders", json=order).status_code == 201
        event = {
            "shipment": "1Z999AA10123456784",
            "milestone": "carrier_accepted",
            "occurred_at": "2026-11-19T18:30:00-05:00",
            "source": "carrier:ups",
        }
        assert client.post("/api/v1/events", json=[event]).json()["accepted"] == 1
        assert client.get("/api/v1/orders/ORD-9").json()["status"] == "shipped"
        assert client.get("/openapi.json").json()["info"]["title"] == "OrderTrail"


def test_behind_a_trusted_proxy_each_visitor_has_their_own_limit(
    served: tuple[str, str],
) -> None:
    """The proxy on 127.0.0.1 (trusted by default) forwards every visitor: one visitor who
    guesses is slowed down, the others are not."""
    base, _ = served
    with httpx.Client(base_url=base, timeout=10) as client:
        guesser = {"X-Forwarded-For": "203.0.113.7"}
        guesses = [client.get(f"/track/GUESS{n}", headers=guesser).status_code for n in range(31)]
        assert guesses[:30] == [404] * 30 and guesses[30] == 429
        others = [
            client.get(f"/track/OTHER{n}", headers={"X-Forwarded-For": f"198.51.100.{n}"})
            for n in range(10)
        ]
        assert [answer.status_code for answer in others] == [404] * 10


def serve_exit(env: dict[str, str]) -> tuple[int, str]:
    """Run `ordertrail serve` until it stops by itself: (exit code, what it said). One that
    is still serving a minute later has started on the database, and fails the test."""
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(free_port())],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        said, _ = server.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        server.terminate()
        server.wait(timeout=10)
        pytest.fail("ordertrail serve started on a database that is not ready")
    return server.returncode, said.decode()


def test_serve_refuses_a_database_never_initialised_and_creates_no_file(tmp_path: Path) -> None:
    database = tmp_path / "never.db"
    env = {**os.environ, "ORDERTRAIL_DATABASE_URL": f"sqlite:///{database}"}
    code, said = serve_exit(env)
    assert code == 2
    assert "`ordertrail init`" in said and len(said.strip().splitlines()) == 1
    assert not database.exists()


def test_serve_refuses_a_database_of_an_older_schema(tmp_path: Path) -> None:
    from ordertrail.store.engine import make_engine
    from ordertrail.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0007")
    engine.dispose()
    code, said = serve_exit({**os.environ, "ORDERTRAIL_DATABASE_URL": url})
    assert code == 2
    assert "revision 0007" in said and "`ordertrail init`" in said


def test_a_parcel_asked_about_from_everywhere_stays_open_to_everyone(
    served: tuple[str, str],
) -> None:
    """The public parcel view shows nothing private: it is limited per visitor only, so no
    count that strangers run up, from however many addresses, closes it to its customer."""
    base, key = served
    number = "1Z999AA10123456784"
    with httpx.Client(base_url=base, timeout=10) as client:
        for n in range(25):  # before the parcel is known: 125 misses from 25 addresses
            stranger = {"X-Forwarded-For": f"203.0.113.{n}"}
            misses = {
                client.get(f"/track/{number}", headers=stranger).status_code for _ in range(5)
            }
            assert misses == {404}
        order = canonical_order("ORD-7", (number, "ups", {"DRILL": 1}))
        made = client.post("/api/v1/orders", json=order, headers={"Authorization": f"Bearer {key}"})
        assert made.status_code == 201
        visitors = [{"X-Forwarded-For": f"198.51.100.{n}"} for n in range(20)]
        views = [client.get(f"/track/{number}", headers=v).status_code for v in visitors]
        assert views == [200] * 20
        greedy = {"X-Forwarded-For": "192.0.2.1"}  # one visitor, past its own budget
        own = [client.get(f"/track/{number}", headers=greedy).status_code for _ in range(31)]
        assert own[:30] == [200] * 30 and own[30] == 429
