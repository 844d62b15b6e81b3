"""The console's customer-data page without a browser: admins only, an export to download, an
erasure only after the email or order is typed again (and with the form's CSRF token), and
the retention in force."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ordertrail.bootstrap import System
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import sign_in
from tests.integration.operations.test_privacy import (
    DANA,
    DANAS_DATA,
    Recorder,
    danas_story,
    everything_stored,
)


@pytest.fixture
def client(system: System, clock: FixedClock) -> Iterator[TestClient]:
    danas_story(system, clock, Recorder())
    with TestClient(create_app(system)) as test_client:
        yield test_client


def test_only_admins_reach_the_customer_data_page(client: TestClient, system: System) -> None:
    csrf = sign_in(client, system, "ops")
    assert "/ops/privacy" not in client.get("/ops").text
    assert client.get("/ops/privacy").status_code == 403
    assert client.get("/ops/privacy/export", params={"customer": DANA["email"]}).status_code == 403
    before = everything_stored(system)
    form = {"csrf": csrf, "customer": DANA["email"], "confirm": DANA["email"]}
    assert client.post("/ops/privacy/erase", data=form).status_code == 403
    assert everything_stored(system) == before


def test_an_admin_sees_what_is_held_and_downloads_it(client: TestClient, system: System) -> None:
    sign_in(client, system, "admin")
    page = client.get("/ops/privacy")
    assert page.status_code == 200
    assert "Sent messages (recipients, contents)</td><td>90 days" in page.text
    assert "Message links</td><td>180 days" in page.text
    before = everything_stored(system)
    looked = client.get("/ops/privacy", params={"customer": DANA["email"]})
    assert looked.status_code == 200
    assert "2 orders: ORD-1, ORD-2" in looked.text
    assert "Customer records (name, email, phone, postal code)</td><td>2</td>" in looked.text
    assert everything_stored(system) == before  # looking erases nothing
    download = client.get("/ops/privacy/export", params={"customer": DANA["email"]})
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["cache-control"] == "no-store"
    held = download.json()
    assert [o["order"]["id"] for o in held["orders"]] == ["ORD-1", "ORD-2"]
    unknown = client.get("/ops/privacy", params={"customer": "nobody@example.com"})
    assert unknown.status_code == 404 and "nothing is held about" in unknown.text


def test_an_erasure_needs_the_customer_typed_again_and_the_forms_token(
    client: TestClient, system: System
) -> None:
    csrf = sign_in(client, system, "admin")
    before = everything_stored(system)
    refusals = [
        {"csrf": csrf, "customer": DANA["email"], "confirm": "dana@example"},
        {"csrf": csrf, "customer": DANA["email"]},
        {"csrf": "forged", "customer": DANA["email"], "confirm": DANA["email"]},
    ]
    answers = [client.post("/ops/privacy/erase", data=form) for form in refusals]
    assert [a.status_code for a in answers][:2] == [422, 422]
    assert answers[2].status_code in (400, 403)
    assert "Nothing was erased" in answers[0].text
    assert everything_stored(system) == before

    form = {"csrf": csrf, "customer": DANA["email"], "confirm": DANA["email"].upper()}
    done = client.post("/ops/privacy/erase", data=form)
    assert done.status_code == 200
    assert "Erased the personal data of 2 orders (ORD-1, ORD-2)" in done.text
    stored = everything_stored(system)
    assert not [value for value in DANAS_DATA if value in stored]
    assert "ops:admin@shop.example" in stored
    timeline = client.get("/ops/orders/ORD-1").text  # the erasure is on the order's timeline
    assert "customer_data_erased" in timeline and "ops:admin@shop.example" in timeline
