"""Guessing limits that slow a guesser down without locking out the person guessed at, and an
order lookup that does the same work whether the order exists or not."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from ordertrail.bootstrap import System
from ordertrail.store.access.passwords import Argon2Passwords
from ordertrail.web.app import create_app
from tests.factories import STAFF_PASSWORD, api_key, canonical_order, login_token, staff_member

UPS = "1Z999AA10123456784"
STRANGER, OWNER = ("203.0.113.7", 40000), ("198.51.100.20", 40000)


@pytest.fixture
def app(system: System) -> Iterator[FastAPI]:
    made = create_app(system)
    with TestClient(made, headers=api_key(system)) as client:
        order = canonical_order("ORD-1", (UPS, "ups", {"HAT": 1}))
        assert client.post("/api/v1/orders", json=order).status_code == 201
        yield made


def visitor(app: FastAPI, address: tuple[str, int] = STRANGER) -> TestClient:
    return TestClient(app, client=address, follow_redirects=False)


def sign_in_as(client: TestClient, email: str, password: str) -> Any:
    form = {"email": email, "password": password, "login_token": login_token(client)}
    return client.post("/ops/login", data=form)


def lookup(client: TestClient, email: str) -> int:
    return client.get("/track", params={"order": "ORD-1", "email": email}).status_code


def test_a_stranger_guessing_a_staff_password_does_not_lock_its_owner_out(
    app: FastAPI, system: System
) -> None:
    email = staff_member(system, "ops")
    stranger = visitor(app)
    codes = [sign_in_as(stranger, email, f"guess {n}").status_code for n in range(8)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429] * 3
    refused = sign_in_as(stranger, email, STAFF_PASSWORD)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "wrong passwords for this email from your network" in refused.text
    owner = visitor(app, OWNER)
    assert sign_in_as(owner, email, STAFF_PASSWORD).status_code == 303


def test_signing_in_often_is_not_guessing(app: FastAPI, system: System) -> None:
    email = staff_member(system, "support")
    office = visitor(app, OWNER)
    codes = [sign_in_as(office, email, STAFF_PASSWORD).status_code for _ in range(8)]
    assert codes == [303] * 8


class QuickArgon2(Argon2Passwords):
    """argon2id with the least work it allows: a hundred wrong guesses in a test's time."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def test_a_staff_email_guessed_at_from_everywhere_is_paused_for_everyone(
    system: System,
) -> None:
    system = replace(system, passwords=QuickArgon2())
    app = create_app(system)
    email = staff_member(system, "ops")
    for n in range(25):  # many addresses, each under its own limit
        guesser = visitor(app, (f"203.0.113.{n}", 40000))
        assert {sign_in_as(guesser, email, "guess").status_code for _ in range(4)} == {401}
    owner = sign_in_as(visitor(app, OWNER), email, STAFF_PASSWORD)
    assert owner.status_code == 429
    assert "from many places" in owner.text


def test_a_stranger_guessing_an_orders_email_does_not_lock_its_customer_out(
    app: FastAPI,
) -> None:
    stranger = visitor(app)
    codes = [lookup(stranger, f"guess{n}@example.com") for n in range(12)]
    assert codes[:10] == [404] * 10 and codes[10:] == [429] * 2
    for n in range(100):  # refused: none of these counts against the order
        assert lookup(stranger, f"more{n}@example.com") == 429
    assert lookup(visitor(app, OWNER), "dana@example.com") == 200


def test_an_order_guessed_at_from_everywhere_is_paused_for_everyone(app: FastAPI) -> None:
    for n in range(25):
        guesser = visitor(app, (f"203.0.113.{n}", 40000))
        assert {lookup(guesser, f"guess{k}@example.com") for k in range(4)} == {404}
    assert lookup(visitor(app, OWNER), "dana@example.com") == 429


def test_a_wrong_email_for_a_known_order_asks_the_database_what_an_unknown_order_does(
    app: FastAPI, system: System
) -> None:
    """Timing must not tell which orders exist: the same statements run either way."""
    ran: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        ran.append(statement)

    event.listen(system.engine, "before_cursor_execute", seen)
    try:
        client = visitor(app)
        asked = {}
        for order in ("ORD-1", "ORD-404"):
            ran.clear()
            answer = client.get("/track", params={"order": order, "email": "eve@example.com"})
            assert answer.status_code == 404
            asked[order] = list(ran)
    finally:
        event.remove(system.engine, "before_cursor_execute", seen)
    assert asked["ORD-1"] == asked["ORD-404"]
    assert asked["ORD-1"]  # it did look
