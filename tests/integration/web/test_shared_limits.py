"""Rate limits hold across processes: two `ordertrail serve` processes on one database, a
guesser spreading tracking-number guesses over both is stopped after the one budget, not two
(counted in the database, or in Redis when one answers on loopback); and the counters work as
a `limits` storage on both databases."""

from __future__ import annotations

import os
import random
import socket
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from ordertrail.bootstrap import build
from ordertrail.config import Settings
from tests.integration.operations.test_serve import started

REDIS = ("127.0.0.1", 6379)


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5) as talk:
            talk.sendall(b"PING\r\n")
            return talk.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(params=["database", "redis"])
def two_servers(request: pytest.FixtureRequest, database_url: str) -> Iterator[list[str]]:
    storage = request.param
    if storage == "redis":
        if not _redis_answers():
            pytest.skip("no Redis server answers on 127.0.0.1:6379")
        storage = f"redis://{REDIS[0]}:{REDIS[1]}/0"
    env = {
        **os.environ,
        "ORDERTRAIL_DATABASE_URL": database_url,
        "ORDERTRAIL_RATE_LIMIT_STORAGE": storage,
    }
    with ExitStack() as stack:
        bases = []
        for _ in range(2):
            server, base = started(env)
            stack.callback(server.wait, timeout=10)
            stack.callback(server.terminate)
            bases.append(base)
        yield bases


def test_a_guesser_spread_over_two_processes_has_one_budget(two_servers: list[str]) -> None:
    # addresses of this run's own: Redis keeps its counts between runs for their minute
    guesser_ip, other_ip = random.sample(range(1, 255), 2)
    guesser = {"X-Forwarded-For": f"203.0.113.{guesser_ip}"}  # via the trusted loopback proxy
    answers = []
    with httpx.Client(timeout=10) as client:
        for n in range(32):
            base = two_servers[n % 2]
            answers.append(client.get(f"{base}/track/GUESS{n}", headers=guesser).status_code)
        assert answers[:30] == [404] * 30  # 15 on each: one budget of 30 between them
        assert answers[30:] == [429, 429]
        someone_else = {"X-Forwarded-For": f"198.51.100.{other_ip}"}
        assert client.get(f"{two_servers[1]}/track/X1", headers=someone_else).status_code == 404


def test_the_database_counters_count_and_forget(database_url: str) -> None:
    system = build(Settings(database_url=database_url))
    try:
        counters = system.shared_rate_counters()
        assert counters.check()
        assert [counters.incr("k", 60) for _ in range(3)] == [1, 2, 3]
        assert counters.get("k") == 3 and counters.get("other") == 0
        assert counters.incr("gone", -1) == 1  # a window already over
        assert counters.get("gone") == 0
        assert counters.incr("gone", 60) == 1  # starts again, not at 2
        counters.clear("k")
        assert counters.get("k") == 0
        assert counters.reset() == 1
    finally:
        system.close()
