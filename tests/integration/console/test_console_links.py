"""Every address the console gives out opens what it names, whatever the id holds: Shopify
numbers its orders `#1029`, and a raw `#` in a link asks the browser for `/ops/orders/`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from ordertrail.bootstrap import System
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import STAFF_PASSWORD, login_token, sign_in
from tests.stories import ATTEMPTED, SHOPIFY_ORDER, shopify_order_in_trouble

ENCODED = "/ops/orders/%231029"


@pytest.fixture
def client(system: System, clock: FixedClock) -> Iterator[TestClient]:
    shopify_order_in_trouble(system, clock)
    with TestClient(create_app(system)) as test_client:
        yield test_client


def _opens_the_order(client: TestClient, address: str) -> None:
    page = client.get(address)
    assert page.status_code == 200, (address, page.status_code)
    assert f"<h1>Order {SHOPIFY_ORDER}</h1>" in page.text, address


@pytest.mark.parametrize(
    "listing", ["/ops", "/ops/exceptions", "/ops/orders?needs_attention=true", "/ops/outbox"]
)
def test_every_list_links_a_shopify_order_to_its_page(
    client: TestClient, system: System, listing: str
) -> None:
    sign_in(client, system, "ops")
    page = client.get(listing).text
    links = re.findall(r'href="(/ops/orders/[^"]*)"', page)
    assert links and set(links) == {ENCODED}, (listing, links)
    _opens_the_order(client, links[0])


def test_no_console_page_puts_a_raw_hash_into_an_address(
    client: TestClient, system: System
) -> None:
    sign_in(client, system, "admin")
    for address in ("/ops", "/ops/exceptions", "/ops/orders", ENCODED, "/ops/outbox"):
        page = client.get(address).text
        targets = re.findall(r'(?:href|action|value)="(/[^"]*)"', page)
        assert targets, address
        assert [t for t in targets if "#" in t and "#case-" not in t] == [], address


def test_search_opens_a_shopify_order(client: TestClient, system: System) -> None:
    sign_in(client, system, "support")
    for asked in (SHOPIFY_ORDER, ATTEMPTED):
        found = client.get("/ops/search", params={"q": asked}, follow_redirects=False)
        assert found.headers["location"] == ENCODED, asked
    _opens_the_order(client, ENCODED)


def test_working_a_case_from_the_order_page_returns_to_the_order(
    client: TestClient, system: System
) -> None:
    csrf = sign_in(client, system, "ops")
    page = client.get(ENCODED).text
    action = re.search(r'action="(/ops/exceptions/\d+/note)"', page)
    back_to = re.search(r'name="back_to" value="([^"]+)"', page)
    assert action and back_to
    form = {"csrf": csrf, "text": "called the customer", "back_to": back_to.group(1)}
    done = client.post(action.group(1), data=form, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"].startswith(f"{ENCODED}?done=note"), done.headers["location"]
    _opens_the_order(client, done.headers["location"])


def test_a_correction_returns_to_the_shopify_order(client: TestClient, system: System) -> None:
    csrf = sign_in(client, system, "ops")
    page = client.get(ENCODED).text
    action = re.search(r'action="(/ops/shipments/[^"]+/correction)"', page)
    assert action
    form = {"csrf": csrf, "milestone": "in_transit", "note": "seen on the van", "order_id": "#1029"}
    done = client.post(action.group(1), data=form, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == f"{ENCODED}?done=corrected"


def test_signing_in_from_a_link_to_a_shopify_order_lands_on_it(
    client: TestClient, system: System
) -> None:
    sign_in(client, system, "ops")
    client.cookies.clear()
    asked = client.get(ENCODED, follow_redirects=False)
    assert asked.status_code == 303
    login = asked.headers["location"]
    next_path = re.search(r"next=([^&]+)", login)
    assert next_path
    form = {
        "email": "ops@shop.example",
        "password": STAFF_PASSWORD,
        "login_token": login_token(client),
        "next": unquote(next_path.group(1)),
    }
    answer = client.post("/ops/login", data=form, follow_redirects=False)
    assert answer.headers["location"] == ENCODED
