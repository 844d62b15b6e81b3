"""A database that cannot be used at all (a PostgreSQL nobody answers for, a SQLite file on a
volume that is not there): every surface answers 503 with Retry-After — a problem document for
programs, a page in the brand's look for people — never a 500; the process itself stays live;
and readiness says which check failed, including a schema left behind while serving."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from ordertrail.bootstrap import System, build
from ordertrail.cli import app as cli
from ordertrail.config import Settings
from ordertrail.web.api.auth import SESSION_COOKIE
from ordertrail.web.app import create_app
from tests.factories import api_key
from tests.integration.intake.test_hooks import FLEET, standard_signed
from tests.integration.operations.test_serve import free_port

UPS = "1Z999AA10123456784"


@pytest.fixture(params=["sqlite", "postgresql"])
def gone_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database that cannot be reached: nothing listens on the port, or the folder of the
    file is missing (an unmounted volume)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'unmounted' / 'ordertrail.db'}"
    return f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"


@pytest.fixture
def client(gone_url: str) -> Iterator[TestClient]:
    settings = Settings(
        database_url=gone_url, brand_name="Hatters & Co", hook_secrets={"acme": FLEET}
    )
    system = build(settings)
    with TestClient(create_app(system), raise_server_exceptions=False) as test_client:
        yield test_client
    system.close()


def assert_problem(answer: Any) -> None:
    assert answer.status_code == 503, (answer.request.url, answer.text)
    assert int(answer.headers["Retry-After"]) >= 1
    assert answer.headers["content-type"] == "application/problem+json"
    assert (
        answer.json()["status"] == 503 and "send the same request again" in answer.json()["detail"]
    )


def assert_page(answer: Any, *words: str) -> None:
    assert answer.status_code == 503, (answer.request.url, answer.text)
    assert int(answer.headers["Retry-After"]) >= 1
    assert answer.headers["content-type"].startswith("text/html")
    assert all(word in answer.text for word in words), answer.text


def test_programs_get_a_problem_document_to_retry_on(client: TestClient) -> None:
    key = {"Authorization": "Bearer otk_any-key"}
    event = {"shipment": UPS, "milestone": "in_transit", "source": "carrier:ups"}
    event["occurred_at"] = "2026-11-23T15:00:00+00:00"
    assert_problem(client.post("/api/v1/events", json=[event], headers=key))
    assert_problem(client.get(f"/api/v1/shipments/{UPS}", headers=key))
    assert_problem(client.get("/metrics", headers=key))
    body = json.dumps([{"shipment": "ACME-1", "raw_code": "SCAN", "occurred_at": "2026-11-24"}])
    signed = standard_signed(body.encode(), datetime.now(UTC))
    hook = client.post(
        "/hooks/acme", content=body, headers={"content-type": "application/json", **signed}
    )
    assert_problem(hook)  # a webhook sender retries on 503


def test_people_get_a_page_in_the_brands_look_that_says_try_again(client: TestClient) -> None:
    customer = "We cannot show your order just now. Please try again in a minute."
    assert_page(client.get(f"/track/{UPS}"), customer, "Hatters &amp; Co")
    looked = client.get("/track", params={"order": "ORD-1", "email": "dana@example.com"})
    assert_page(looked, customer, "Hatters &amp; Co")
    assert_page(client.get("/t/some-link-token"), customer)
    staff = "The console cannot reach its database just now"
    client.cookies.set(SESSION_COOKIE, "a-session")
    assert_page(client.get("/ops"), staff, "OrderTrail ops")
    assert_page(client.get("/ops/orders/ORD-1"), staff)
    assert_page(client.get("/scan"), staff)


def test_the_process_is_live_but_not_ready(client: TestClient) -> None:
    assert client.get("/livez").json() == {"status": "ok"}
    assert client.get("/static/ordertrail.css").status_code == 200
    for path in ("/readyz", "/healthz"):
        ready = client.get(path)
        assert ready.status_code == 503 and int(ready.headers["Retry-After"]) >= 1
        assert ready.headers["content-type"] == "application/problem+json"
        assert ready.json()["check"] == "database", ready.json()
        assert "127.0.0.1" not in ready.text  # no host or port for anyone who asks


def test_a_command_says_so_in_one_line(gone_url: str) -> None:
    ran = CliRunner().invoke(cli, ["--db", gone_url, "order", "show", "ORD-1"])
    assert ran.exit_code == 1
    assert "the database is unavailable" in ran.output and "Traceback" not in ran.output


@pytest.fixture
def ready_client(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system), headers=api_key(system)) as test_client:
        yield test_client


def test_readiness_says_not_migrated_when_the_schema_falls_behind_while_serving(
    ready_client: TestClient, database_url: str
) -> None:
    assert ready_client.get("/readyz").json() == {"status": "ok"}
    engine = create_engine(database_url)
    with engine.begin() as connection:
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        connection.execute(text("UPDATE alembic_version SET version_num = '0008'"))
    try:
        for path in ("/readyz", "/healthz"):
            behind = ready_client.get(path)
            assert behind.status_code == 503 and behind.json()["check"] == "schema"
            assert "not migrated" in behind.json()["detail"] and "0008" in behind.json()["detail"]
        assert ready_client.get("/livez").status_code == 200
    finally:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
        engine.dispose()
    assert ready_client.get("/readyz").json() == {"status": "ok"}


def test_readiness_says_not_migrated_for_a_database_never_initialised(tmp_path: Path) -> None:
    system = build(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"))
    try:
        with TestClient(create_app(system)) as client:
            empty = client.get("/readyz")
        assert empty.status_code == 503 and empty.json()["check"] == "schema"
        assert "ordertrail init" in empty.json()["detail"]
    finally:
        system.close()
