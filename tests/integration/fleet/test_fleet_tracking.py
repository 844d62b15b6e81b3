"""What the customer sees of a local delivery: the promised hours in their own zone, how many
stops the van has before theirs, and the proof behind a signed link that expires; and what
staff see of a disputed delivery: the phone's position and its accuracy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ordertrail.bootstrap import System
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import sign_in as staff_sign_in
from tests.fleet_story import (
    EMAIL,
    ORDERS,
    PARCELS,
    act,
    deliver,
    driver,
    fleet_system,
    photo,
    plan,
    shop_orders,
    sign_in,
)


@pytest.fixture
def system(database_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[System]:
    built = fleet_system(database_url, clock, tmp_path / "proofs")
    yield built
    built.close()


@pytest.fixture
def csrf(client: TestClient) -> str:
    return client.csrf  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def client(system: System, clock: FixedClock) -> Iterator[TestClient]:
    """The route planned at noon and started two hours later."""
    pin = driver(system)
    with TestClient(create_app(system)) as test_client:
        shop_orders(test_client, system)
        assert plan(test_client, system).status_code == 201
        clock.advance(hours=2)
        token = sign_in(test_client, "Sam Ortiz", pin)
        started = act(test_client, token, action="started", stop=None, key="start" * 4)
        assert started.status_code == 201, started.text
        test_client.csrf = token  # type: ignore[attr-defined]
        yield test_client


def order_page(client: TestClient, order: str) -> str:
    answer = client.get("/track", params={"order": order, "email": EMAIL})
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_customer_sees_the_promised_hours_in_their_zone_and_how_near_the_van_is(
    client: TestClient, csrf: str
) -> None:
    page = order_page(client, ORDERS[2])
    assert "between 14:00 and 16:00 on Wed 25 Nov" in page  # New York, not UTC (19:00)
    assert "2 stops away" in page
    assert deliver(client, csrf, stop="1", key="d1" * 10).status_code == 201
    assert "1 stop away" in order_page(client, ORDERS[2])
    later = "2026-11-25T14:05:00+00:00"  # after the route started, as on a real round
    attempted = act(
        client,
        csrf,
        action="attempted",
        stop="2",
        reason="refused",
        key="a2" * 10,
        occurred_at=later,
    )
    assert attempted.status_code == 201
    assert "The driver comes to you next" in order_page(client, ORDERS[2])


def test_the_proof_opens_through_a_signed_link_that_expires(
    client: TestClient, csrf: str, clock: FixedClock
) -> None:
    assert deliver(client, csrf, stop="3", key="d3" * 10).status_code == 201
    page = order_page(client, ORDERS[2])
    assert "Signed for by D. Reyes" in page
    links = re.findall(r'src="(/proof/[^"]+)"', page)
    assert len(links) == 2  # the photo and the signature
    photo_link = links[0].replace("&amp;", "&")
    opened = client.get(photo_link)
    assert opened.status_code == 200
    assert opened.headers["content-type"] == "image/jpeg"
    assert opened.content == photo()
    assert opened.headers["cache-control"] == "no-store"
    tampered = re.sub(r"sig=[^&]+", "sig=AAAAAAAAAAAAAAAAAAAAAA", photo_link)
    assert client.get(tampered).status_code == 410
    clock.advance(minutes=31)
    assert client.get(photo_link).status_code == 410


def test_the_tracking_number_alone_shows_no_photo_and_no_signer(
    client: TestClient, csrf: str
) -> None:
    assert deliver(client, csrf, stop="3", key="d3" * 10).status_code == 201
    page = client.get(f"/track/{PARCELS[2]}").text
    assert "/proof/" not in page
    assert "Reyes" not in page


def test_staff_see_where_the_phone_was_for_a_disputed_delivery(
    client: TestClient, csrf: str, system: System
) -> None:
    assert deliver(client, csrf, stop="3", key="d3" * 10).status_code == 201
    staff_sign_in(client, system, "support")
    page = client.get(f"/ops/orders/{ORDERS[2]}").text
    assert "38.20810, -85.74660" in page
    assert "±12 m" in page
    assert "40213" in page  # the address's region, beside it


def test_erasing_the_customer_takes_the_proof_and_the_stop_address_with_it(
    client: TestClient, csrf: str, system: System, tmp_path: Path
) -> None:
    from ordertrail.app.fleet.routes import route_of
    from ordertrail.app.privacy.erasure import erase
    from tests.fleet_story import stored_files

    assert deliver(client, csrf, stop="3", key="d3" * 10).status_code == 201
    assert len(stored_files(tmp_path / "proofs")) == 2
    now = system.clock.now()
    preview = erase(system.uows, ORDERS[2], "ops:dpo", now, carry_out=False)
    assert preview.counts["proofs"] == 2 and preview.counts["stops"] == 1
    assert len(stored_files(tmp_path / "proofs")) == 2  # a preview deletes nothing

    done = erase(system.uows, ORDERS[2], "ops:dpo", now, proofs=system.proof_files())
    assert done.counts["proofs"] == 2 and done.counts["stops"] == 1
    assert stored_files(tmp_path / "proofs") == []
    route = route_of(system.uows, "R-1125")
    assert route is not None
    assert [stop.address for stop in route.stops if stop.sequence == 3] == [None]
    assert all(stop.address for stop in route.stops if stop.sequence != 3)  # others' stay

    staff_sign_in(client, system, "support")
    page = client.get(f"/ops/orders/{ORDERS[2]}").text
    assert "38.20810" not in page and "Dana" not in page
    # the parcel is still delivered: the erasure took the person, not the fact
    assert 'data-status="delivered"' in page
