"""While another process holds SQLite's write lock, or PostgreSQL's lock on the tables a write
needs (a long import, a stuck writer): pages, reads and the health checks answer; a write
waits a bounded time and then answers 503 with Retry-After, as a problem document on the API
and a page in the console."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from ordertrail.bootstrap import System, build
from ordertrail.config import Settings
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import (
    STAFF_PASSWORD,
    api_key,
    canonical_order,
    login_token,
    sign_in,
    staff_member,
)

UPS = "1Z999AA10123456784"


@pytest.fixture
def system(database_url: str, clock: FixedClock) -> Iterator[System]:
    built = build(Settings(database_url=database_url, write_wait_seconds=0.3), clock=clock)
    yield built
    built.close()


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system), headers=api_key(system)) as test_client:
        made = canonical_order("ORD-1", (UPS, "ups", {"HAT": 1}))
        assert test_client.post("/api/v1/orders", json=made).status_code == 201
        delivered = {"shipment": UPS, "milestone": "delivered", "source": "carrier:ups"}
        delivered["occurred_at"] = "2026-11-24T15:00:00+00:00"
        assert test_client.post("/api/v1/events", json=[delivered]).status_code == 200
        yield test_client


@contextmanager
def another_writer(system: System) -> Iterator[None]:
    """Another connection's writer, holding SQLite's write lock (or on PostgreSQL, the tables
    an event and a sign-in write to, letting readers in) for as long as it lasts."""
    if system.engine.dialect.name == "sqlite":
        other = sqlite3.connect(str(system.engine.url.database), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    engine = create_engine(system.engine.url)
    with engine.connect() as holder, holder.begin():
        holder.execute(text("LOCK TABLE events, staff_sessions IN EXCLUSIVE MODE"))
        yield
    engine.dispose()


def test_reads_pages_and_health_answer_while_another_process_writes(
    client: TestClient, system: System
) -> None:
    sign_in(client, system, "ops")
    fresh_key = api_key(system, "support")  # its first use is recorded when there is room
    with another_writer(system):
        assert client.get("/healthz").status_code == 200
        assert client.get("/static/ordertrail.css").status_code == 200
        assert client.get("/ops/login").status_code == 200
        assert client.get("/ops").status_code == 200
        assert client.get("/ops/orders/ORD-1").status_code == 200
        assert client.get("/api/v1/orders/ORD-1", headers=fresh_key).status_code == 200
        assert client.get(f"/track/{UPS}").status_code == 200
        looked = client.get("/track", params={"order": "ORD-1", "email": "dana@example.com"})
        assert looked.status_code == 200 and "HAT" in looked.text


def test_a_write_while_another_process_writes_answers_503_and_can_be_sent_again(
    client: TestClient, system: System
) -> None:
    event = {"shipment": UPS, "milestone": "in_transit", "source": "carrier:ups"}
    event["occurred_at"] = "2026-11-23T15:00:00+00:00"
    email = staff_member(system, "support")
    with another_writer(system):
        busy = client.post("/api/v1/events", json=[event])
        assert busy.status_code == 503 and int(busy.headers["Retry-After"]) >= 1
        assert busy.headers["content-type"] == "application/problem+json"
        assert busy.json()["status"] == 503 and "nothing was stored" in busy.json()["detail"]
        form = {"email": email, "password": STAFF_PASSWORD, "login_token": login_token(client)}
        page = client.post("/ops/login", data=form, follow_redirects=False)
        assert page.status_code == 503 and int(page.headers["Retry-After"]) >= 1
        assert page.headers["content-type"].startswith("text/html")
        assert "try again" in page.text
    assert client.post("/api/v1/events", json=[event]).json()["accepted"] == 1
