"""The customer's return pages without a browser: the lookup shares /track's privacy and
limits, the policy is previewed without saving anything, a return is started and shown with
its RMA, decision and instructions, and bad input is refused in the page's words with nothing
saved."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ordertrail.app.intake.commands import RecordEvents
from ordertrail.bootstrap import System, build
from ordertrail.config import ReturnSettings, Settings
from ordertrail.sources.canonical import parse_event
from ordertrail.store.tables import counters, events, return_lines, returns
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key, canonical_order

DRILLS, BITS = "1Z999AA10123456784", "123456789012"
INSTRUCTIONS = "Send it to Returns, 1 Dock Road, Louisville KY 40213, with the RMA on the box."


@pytest.fixture
def shop(database_url: str, clock: FixedClock) -> Iterator[tuple[TestClient, System]]:
    """A drill delivered; two bit sets still on their way."""
    settings = Settings(
        database_url=database_url,
        returns=ReturnSettings(
            instructions=INSTRUCTIONS, restocking_fee_percent={"no_longer_needed": 10}
        ),
    )
    system = build(settings, clock=clock)
    with TestClient(create_app(system), headers=api_key(system)) as client:
        order = canonical_order(
            "ORD-9", (DRILLS, "ups", {"DRILL": 1}), (BITS, "fedex", {"BITS": 2})
        )
        order["lines"][0]["name"] = "18V cordless drill"
        order["value"] = {"amount": 30000, "currency": "USD"}
        assert client.post("/api/v1/orders", json=order).status_code == 201
        carrier(system, clock, DRILLS, "delivered")
        carrier(system, clock, BITS, "in_transit", "carrier:fedex")
        clock.advance(days=2)
        yield client, system
    system.close()


def carrier(
    system: System, clock: FixedClock, parcel: str, milestone: str, source: str = "carrier:ups"
) -> None:
    clock.advance(hours=1)
    said = {"source": source, "shipment": parcel, "milestone": milestone}
    event = parse_event(said | {"occurred_at": clock.now().isoformat()})
    assert not system.handle(RecordEvents([event])).problems


def stored(system: System) -> dict[str, Any]:
    with system.engine.connect() as connection:
        return {
            "events": connection.scalar(select(func.count()).select_from(events)),
            "returns": connection.scalar(select(func.count()).select_from(returns)),
            "lines": connection.scalar(select(func.count()).select_from(return_lines)),
            "rma": connection.scalar(select(counters.c.value)),
        }


def ticket_of(text: str) -> str:
    found = re.search(r'name="ticket" value="([^"]+)"', text)
    assert found, text
    return found.group(1)


def choose(client: TestClient) -> tuple[str, str]:
    answer = client.get("/returns", params={"order": "ORD-9", "email": "dana@example.com"})
    assert answer.status_code == 200, answer.text
    return ticket_of(answer.text), answer.text


def lines(ticket: str, *given: tuple[str, str, str]) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "sku": [sku for sku, _, _ in given],
        "quantity": [quantity for _, quantity, _ in given],
        "reason": [reason for _, _, reason in given],
    }


def test_the_order_is_found_as_on_the_tracking_page_and_shows_what_can_come_back(
    shop: tuple[TestClient, System],
) -> None:
    client, _ = shop
    answer = client.get("/returns")
    assert answer.status_code == 200 and 'action="/returns"' in answer.text
    _, text = choose(client)
    assert "Return items from order ORD-9" in text
    assert "18V cordless drill" in text and "you can return up to 1" in text
    assert "Not delivered yet." in text  # the bits are still on their way
    assert "I no longer need it" in text  # the reasons, in the customer's words
    assert "dana@example.com" not in text  # what they typed does not come back
    by_postal = client.get("/returns", params={"order": "ORD-9", "postal_code": "40213"})
    assert by_postal.status_code == 200 and "18V cordless drill" in by_postal.text
    assert by_postal.headers["cache-control"] == "no-store"


def test_a_wrong_email_looks_like_an_unknown_order_and_reveals_nothing(
    shop: tuple[TestClient, System],
) -> None:
    client, _ = shop
    wrong = client.get("/returns", params={"order": "ORD-9", "email": "eve@example.com"})
    unknown = client.get("/returns", params={"order": "ORD-404", "email": "eve@example.com"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.text.replace("ORD-9", "ORD-404") == unknown.text
    assert "drill" not in wrong.text.lower() and "Dana" not in wrong.text
    proofless = client.get("/returns", params={"order": "ORD-9"})
    assert proofless.status_code == 422 and "email address or the postal code" in proofless.text


def test_returns_and_tracking_share_one_guessing_budget(shop: tuple[TestClient, System]) -> None:
    client, _ = shop
    statuses = []
    for n in range(12):  # alternating between the pages buys a guesser nothing
        url = "/returns" if n % 2 else "/track"
        params = {"order": "ORD-9", "email": f"guess{n}@example.com"}
        statuses.append(client.get(url, params=params).status_code)
    assert statuses[:10] == [404] * 10 and statuses[-1] == 429
    refused = client.get("/returns", params={"order": "ORD-9", "email": "guess@example.com"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_the_preview_says_what_the_policy_would_decide_and_saves_nothing(
    shop: tuple[TestClient, System],
) -> None:
    client, system = shop
    ticket, _ = choose(client)
    before = stored(system)
    answer = client.post("/returns/preview", data=lines(ticket, ("DRILL", "1", "no_longer_needed")))
    assert answer.status_code == 200, answer.text
    text = answer.text
    assert "1 × 18V cordless drill — I no longer need it" in text
    assert "Approved: you can send these items back to us." in text
    assert "within the return window, which is open until" in text
    assert "refunded as soon as it reaches us (a 10% restocking fee is kept back)" in text
    assert "Start the return" in text
    assert stored(system) == before


def test_a_customer_starts_a_return_and_reads_its_rma_page(
    shop: tuple[TestClient, System],
) -> None:
    client, _ = shop
    ticket, _ = choose(client)
    asked = client.post(
        "/returns", data=lines(ticket, ("DRILL", "1", "defective")), follow_redirects=False
    )
    assert asked.status_code == 303
    target = asked.headers["location"]
    assert target.startswith("/returns/RMA-") and "ticket=" in target
    rma = target.split("?")[0].rsplit("/", 1)[1]
    page = client.get(target)
    assert page.status_code == 200
    text = page.text
    assert f"Return {rma}" in text and "Return approved" in text
    assert "1 × 18V cordless drill — It does not work" in text
    assert "we check it when it reaches us, then refund you" in text
    assert INSTRUCTIONS in text
    tracked = client.get(f"/t/{ticket}").text  # followed on the tracking page
    assert rma in text and rma in tracked and "Return approved" in tracked
    view = client.get(f"/api/v1/returns/{rma}").json()
    assert view["requested_by"] == "customer" and view["status"] == "return_approved"
    # a ticket that opens nothing opens no return
    stranger = client.get(f"/returns/{rma}", params={"ticket": "x" * 22})
    assert stranger.status_code == 404 and INSTRUCTIONS not in stranger.text


def test_the_tracking_page_offers_a_return_once_something_was_delivered(
    shop: tuple[TestClient, System],
) -> None:
    client, _ = shop
    page = client.get("/track", params={"order": "ORD-9", "email": "dana@example.com"})
    link = re.search(
        r'href="(/returns/new\?ticket=[^"]+)"[^>]*>Return items from this order', page.text
    )
    assert link, page.text
    chosen = client.get(link.group(1).replace("&amp;", "&"))
    assert chosen.status_code == 200 and "18V cordless drill" in chosen.text


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (
            [("DRILL", "2", "defective")],
            "18V cordless drill: you can return 1 at most (1 delivered).",
        ),
        ([("BITS", "1", "defective")], "BITS has not been delivered yet"),
        ([("CHAINSAW", "1", "defective")], "One of the items is not on this order."),
        ([("DRILL", "1", "")], "18V cordless drill: choose why you are returning it."),
        ([("DRILL", "1", "<script>alert(1)</script>")], "choose why you are returning it"),
        ([("DRILL", "-1", "defective")], "give how many to return as a whole number"),
        ([("DRILL", "one", "defective")], "give how many to return as a whole number"),
        ([("DRILL", "0", "")], "Choose at least one item"),
        ([("<b>DRILL</b>", "1", "defective")], "One of the items is not on this order."),
    ],
)
def test_bad_choices_are_refused_in_the_page_s_words_and_save_nothing(
    shop: tuple[TestClient, System], given: list[tuple[str, str, str]], said: str
) -> None:
    client, system = shop
    ticket, _ = choose(client)
    before = stored(system)
    for url in ("/returns/preview", "/returns"):
        answer = client.post(url, data=lines(ticket, *given), follow_redirects=False)
        assert answer.status_code == 422, answer.text
        assert said in answer.text
        assert "<script>alert" not in answer.text and "<b>DRILL" not in answer.text
    assert stored(system) == before


def test_units_already_returned_cannot_be_returned_again(shop: tuple[TestClient, System]) -> None:
    client, system = shop
    ticket, _ = choose(client)
    first = client.post("/returns", data=lines(ticket, ("DRILL", "1", "defective")))
    assert first.status_code == 200
    before = stored(system)
    again = client.post("/returns", data=lines(ticket, ("DRILL", "1", "other")))
    assert again.status_code == 422
    assert "18V cordless drill: all 1 delivered are already on another return." in again.text
    assert stored(system) == before
    chosen = client.get("/returns/new", params={"ticket": ticket}).text
    assert "Nothing on this order can be returned here now" in chosen


def test_a_mixed_warranty_claim_is_explained(
    shop: tuple[TestClient, System], clock: FixedClock
) -> None:
    client, system = shop
    carrier(system, clock, BITS, "delivered", "carrier:fedex")
    ticket, _ = choose(client)
    given = lines(ticket, ("DRILL", "1", "warranty"), ("BITS", "1", "defective"))
    answer = client.post("/returns/preview", data=given)
    assert answer.status_code == 422 and "A warranty claim is a return of its own" in answer.text


def test_forms_without_a_valid_ticket_change_nothing(shop: tuple[TestClient, System]) -> None:
    client, system = shop
    before = stored(system)
    forged = client.post("/returns", data=lines("not-a-ticket-at-all", ("DRILL", "1", "other")))
    assert forged.status_code == 404 and "has expired or cannot be opened" in forged.text
    torn = client.post("/returns", data={"ticket": "x", "sku": ["DRILL"], "quantity": []})
    assert torn.status_code == 422 and "The form was not complete" in torn.text
    nul = client.post("/returns", data=lines("abc\x00def", ("DRILL", "1", "other")))
    assert nul.status_code == 422
    assert stored(system) == before


def test_a_return_outside_the_window_is_previewed_as_declined(
    shop: tuple[TestClient, System], clock: FixedClock
) -> None:
    client, _ = shop
    clock.advance(days=40)
    ticket, _ = choose(client)
    answer = client.post("/returns/preview", data=lines(ticket, ("DRILL", "1", "no_longer_needed")))
    assert answer.status_code == 200
    assert "We cannot take this return." in answer.text
    assert "The return window for this order ended on" in answer.text
    assert "Start the return" not in answer.text


def test_guessed_tickets_are_limited_like_guessed_orders(shop: tuple[TestClient, System]) -> None:
    client, _ = shop
    statuses = [
        client.get("/returns/new", params={"ticket": f"guess-{n:02}"}).status_code for n in range(3)
    ]
    assert statuses == [404] * 3
    guess = {"ticket": "guess-xx"}
    same = [client.get("/returns/new", params=guess).status_code for _ in range(11)]
    assert same[:10] == [404] * 10 and same[-1] == 429


def test_a_refused_parcel_s_return_asks_nothing_of_the_customer(
    shop: tuple[TestClient, System], clock: FixedClock
) -> None:
    client, system = shop
    carrier(system, clock, BITS, "delivery_attempted", "carrier:fedex")
    refused = {"source": "carrier:fedex", "shipment": BITS, "milestone": "returned_to_sender"}
    event = parse_event(refused | {"reason": "refused", "occurred_at": clock.now().isoformat()})
    assert not system.handle(RecordEvents([event])).problems
    ticket, _ = choose(client)
    rma = client.get("/api/v1/returns", params={"order": "ORD-9"}).json()["returns"][0]["id"]
    page = client.get(f"/returns/{rma}", params={"ticket": ticket}).text
    assert "The carrier is bringing your parcel back to us" in page
    assert INSTRUCTIONS not in page and "How to send it back" not in page
