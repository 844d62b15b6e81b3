"""API keys are read once per few seconds, not per request, and a revocation still counts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from ordertrail.app.staff.access import issue_key, revoke_key
from ordertrail.app.staff.key_cache import KeyCache
from ordertrail.bootstrap import System
from ordertrail.domain.access import Role
from ordertrail.store.tables import api_keys
from ordertrail.web.app import create_app
from tests.factories import api_key


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system)) as test_client:
        yield test_client


def test_a_key_revoked_through_the_api_is_refused_on_the_very_next_request(
    client: TestClient, system: System
) -> None:
    admin = api_key(system)
    made = client.post("/api/v1/keys", json={"name": "sync", "role": "ops"}, headers=admin)
    mine = {"Authorization": f"Bearer {made.json()['key']}"}
    for _ in range(3):  # read once, then believed from the cache
        assert client.get("/api/v1/orders", headers=mine).status_code == 200
    assert client.delete(f"/api/v1/keys/{made.json()['id']}", headers=admin).status_code == 200
    assert client.get("/api/v1/orders", headers=mine).status_code == 401


def test_a_cached_key_is_not_read_again_until_it_ages_out(system: System) -> None:
    ticks = Ticks()
    keys = KeyCache(system.uows, 5.0, ticks)
    issued = issue_key(system.uows, "sync", Role.OPS, "tests", system.clock.now())
    assert keys.principal(issued.secret, system.clock.now()) is not None
    # the role changed behind the cache's back (as another process could): not read yet...
    with system.engine.begin() as connection:
        connection.execute(update(api_keys).values(role="support"))
    seen = keys.principal(issued.secret, system.clock.now())
    assert seen is not None and seen.role is Role.OPS
    ticks.now += 5.0  # ...until the entry is as old as the setting says
    seen = keys.principal(issued.secret, system.clock.now())
    assert seen is not None and seen.role is Role.SUPPORT


def test_a_revocation_by_another_process_counts_once_the_entry_ages_out(system: System) -> None:
    ticks = Ticks()
    keys = KeyCache(system.uows, 5.0, ticks)
    issued = issue_key(system.uows, "sync", Role.OPS, "tests", system.clock.now())
    assert keys.principal(issued.secret, system.clock.now()) is not None
    assert revoke_key(system.uows, issued.id, system.clock.now())  # e.g. `ordertrail keys`
    ticks.now += 5.0
    assert keys.principal(issued.secret, system.clock.now()) is None


def test_unknown_keys_are_never_kept_so_a_new_key_works_at_once(system: System) -> None:
    keys = KeyCache(system.uows, 60.0, Ticks())
    for n in range(50):
        assert keys.principal(f"otk_forged{n:040d}", system.clock.now()) is None
    issued = issue_key(system.uows, "new", Role.OPS, "tests", system.clock.now())
    assert keys.principal(issued.secret, system.clock.now()) is not None
    assert len(keys._seen) == 1


def test_with_the_cache_off_every_request_reads_the_key(system: System) -> None:
    keys = KeyCache(system.uows, 0, Ticks())
    issued = issue_key(system.uows, "sync", Role.OPS, "tests", system.clock.now())
    assert keys.principal(issued.secret, system.clock.now()) is not None
    assert revoke_key(system.uows, issued.id, system.clock.now())
    assert keys.principal(issued.secret, system.clock.now()) is None


def test_only_a_key_read_a_moment_ago_is_known_without_reading(system: System) -> None:
    """`known` answers on the event loop: from the cache or not at all."""
    ticks = Ticks()
    keys = KeyCache(system.uows, 5.0, ticks)
    issued = issue_key(system.uows, "sync", Role.OPS, "tests", system.clock.now())
    assert keys.known(issued.secret) is None  # never read: the caller asks `principal`
    assert keys.principal(issued.secret, system.clock.now()) is not None
    known = keys.known(issued.secret)
    assert known is not None and known.role is Role.OPS
    ticks.now += 5.0
    assert keys.known(issued.secret) is None  # aged out: read again
    assert keys.known("not-a-key") is None
