"""The scan station page without a browser: set-up, escaping, and forms no scanner sends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordertrail.bootstrap import build
from ordertrail.config import Settings
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key, sign_in


@pytest.fixture
def client(database_url: str, clock: FixedClock) -> Iterator[TestClient]:
    system = build(Settings(database_url=database_url), clock=clock)
    with TestClient(create_app(system), headers=api_key(system)) as test_client:
        test_client.put("/api/v1/sites/louisville", json={"name": "Louisville DC"})
        test_client.csrf = sign_in(test_client, system, "warehouse")  # type: ignore[attr-defined]
        yield test_client
    system.close()


def scan(client: TestClient, form: dict[str, str]) -> Any:
    """Post the station's form as the signed-in browser does, CSRF token included."""
    return client.post("/scan", data=form | {"csrf": client.csrf})  # type: ignore[attr-defined]


def test_the_station_wants_a_signed_in_warehouse_worker(
    database_url: str, clock: FixedClock
) -> None:
    system = build(Settings(database_url=database_url), clock=clock)
    with TestClient(create_app(system)) as anonymous:
        first = anonymous.get("/scan?site=louisville", follow_redirects=False)
        assert first.status_code == 303
        assert first.headers["location"] == "/ops/login?next=%2Fscan%3Fsite%3Dlouisville"
        sign_in(anonymous, system, "support")
        assert anonymous.get("/scan").status_code == 403
        forged = anonymous.post("/scan", data={"site": "louisville", "code": "BADGE:ana"})
        assert forged.status_code == 403
    system.close()


def test_a_station_without_a_site_asks_for_one(client: TestClient) -> None:
    page = client.get("/scan")
    assert page.status_code == 200
    assert 'name="site"' in page.text and "Louisville DC" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_what_is_scanned_is_shown_escaped(client: TestClient) -> None:
    page = scan(client, {"site": "louisville", "code": "BADGE:<img src=x>"})
    assert page.status_code == 200
    assert "<img src=x>" not in page.text and "&lt;img src=x&gt;" in page.text


@pytest.mark.parametrize("field", ["site", "station", "operator", "target", "order", "code"])
def test_a_form_no_scanner_sends_is_turned_away(client: TestClient, field: str) -> None:
    form = {"site": "louisville", "operator": "ana", "target": "ORD-1", "code": "STEP:PACK"}
    page = scan(client, form | {field: form.get(field, "x") + "\x00"})
    assert page.status_code == 200
    assert "not a barcode" in page.text


def test_a_made_up_pending_step_is_ignored(client: TestClient) -> None:
    form = {"site": "louisville", "operator": "ana", "pending_step": "explode", "code": "ORD-9"}
    page = scan(client, form)
    assert page.status_code == 200 and "Ready" in page.text


def test_a_label_step_waits_for_a_carrier_label(client: TestClient) -> None:
    waiting = {
        "site": "louisville",
        "operator": "ana",
        "target": "ORD-1",
        "target_name": "ORD-1",
        "order": "ORD-1",
        "pending_step": "label",
    }
    page = scan(client, waiting | {"code": "LS123456789"})
    assert "not a carrier label" in page.text
    assert 'name="pending_step" value="label"' in page.text  # still waiting for the label


def test_a_new_badge_starts_afresh(client: TestClient) -> None:
    form = {"site": "louisville", "operator": "ana", "target": "ORD-1", "order": "ORD-1"}
    page = scan(client, form | {"code": "BADGE:bob"})
    assert 'name="order" value=""' in page.text and 'name="operator" value="bob"' in page.text
