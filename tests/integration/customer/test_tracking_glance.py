"""The tracking page at a glance (issue 20, items 1, 2 and 4) through the real app on a real
database: the stepper, the delivered day, the carrier's link, the trouble's next attempt and
pickup point, the scans' places and their map, pictures of the items, help that fits the
parcel, and Contact support landing on the parcel's case — hostile posts refused with a clear
answer, nothing stored."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordertrail.app.casework.cases import find_cases, sweep
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.bootstrap import build
from ordertrail.config import Settings
from ordertrail.domain.casework.cases import Case
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key, canonical_order

UPS, FEDEX, OTHER = "1Z999AA10123456784", "123456789012", "1Z12345E6605272234"
PICTURE = "https://cdn.hatandmug.example/hat.jpg"
MEMPHIS = {"city": "MEMPHIS HUB TN 38118", "country": "US"}
LOUISVILLE = {"city": "LOUISVILLE", "region": "KY", "country": "US", "postal_code": "40213"}


def send(client: TestClient, clock: FixedClock, *events: dict[str, Any]) -> None:
    for event in events:
        clock.advance(hours=1)
        carrier = "ups" if event.get("shipment") in (UPS, OTHER) else "fedex"
        sent = {"source": f"carrier:{carrier}", "occurred_at": clock.now().isoformat()} | event
        assert client.post("/api/v1/events", json=[sent]).status_code == 200


@pytest.fixture
def client(database_url: str, clock: FixedClock) -> Iterator[TestClient]:
    system = build(Settings(database_url=database_url), clock=clock)
    with TestClient(create_app(system), headers=api_key(system)) as test_client:
        order = canonical_order("ORD-7", (UPS, "ups", {"HAT": 1}), (FEDEX, "fedex", {"MUG": 2}))
        order["lines"][0] |= {"name": "Felt hat", "image_url": PICTURE}
        order["customer"] |= {"time_zone": "America/New_York"}
        assert test_client.post("/api/v1/orders", json=order).status_code == 201
        other = canonical_order("ORD-8", (OTHER, "ups", {"CAP": 1}))
        other["customer"] |= {"email": "sam@example.com"}
        assert test_client.post("/api/v1/orders", json=other).status_code == 201
        attempt = {"next_attempt": "2026-11-27", "pickup_point": "Corner Shop, 5 Elm St"}
        send(
            test_client,
            clock,
            {"shipment": UPS, "milestone": "carrier_accepted", "location": MEMPHIS},
            {"shipment": UPS, "milestone": "in_transit", "location": LOUISVILLE},
            {"shipment": UPS, "milestone": "delivered", "location": LOUISVILLE},
            {"shipment": FEDEX, "milestone": "carrier_accepted", "location": MEMPHIS},
            {
                "shipment": FEDEX,
                "milestone": "delivery_attempted",
                "reason": "recipient_unavailable",
            }
            | {"data": attempt | {"opening_hours": "Mon–Sat 8:00–20:00"}},
        )
        yield test_client
    system.close()


def order_page(client: TestClient) -> str:
    answer = client.get("/track", params={"order": "ORD-7", "email": "dana@example.com"})
    assert answer.status_code == 200
    return answer.text


def parcel_part(text: str, tracking: str) -> str:
    """The part of the page about one parcel."""
    [part] = [p for p in text.split('<section class="parcel"') if f" {tracking}</span>" in p]
    return part


def contact_link(text: str, tracking: str) -> str:
    links = re.findall(r'class="contact" href="([^"]+)"', text)
    found = [html.unescape(link) for link in links if tracking in link]
    assert found, f"no Contact support link for {tracking}"
    return found[0]


def ticket_of(text: str) -> str:
    found = re.search(r'ticket=([A-Za-z0-9_-]+)|name="ticket" value="([^"]+)"', html.unescape(text))
    assert found
    return found.group(1) or found.group(2)


def all_cases(client: TestClient) -> list[Case]:
    uows = client.app.state.system.uows  # type: ignore[attr-defined]
    return find_cases(uows, CaseQuery(status=None))


def test_each_parcel_shows_its_steps_its_day_and_the_carriers_page(client: TestClient) -> None:
    text = order_page(client)
    delivered = parcel_part(text, UPS)
    current = re.findall(r'<li class="step (\w+)" aria-current="step">', delivered)
    assert current == ["current"] and "Delivered on Wednesday 25 November" in delivered
    assert 'href="https://www.ups.com/track?tracknum=1Z999AA10123456784"' in text
    assert "https://www.fedex.com/fedextrack/?trknbr=123456789012" in text
    failed = parcel_part(text, FEDEX)
    assert re.search(r'class="step trouble" aria-current="step">.*?Out for delivery', failed, re.S)
    assert "(needs attention)" in failed  # in words, not by colour alone
    assert "Next delivery attempt" in failed and "Friday 27 November" in failed
    assert "Corner Shop, 5 Elm St" in failed and "Mon–Sat 8:00–20:00" in failed
    assert "The carrier could not deliver" in failed and "The carrier will try again on" in failed
    assert f'<img src="{PICTURE}"' in text


def test_scans_places_are_read_and_drawn_without_the_customers_street(
    client: TestClient,
) -> None:
    text = order_page(client)
    first = parcel_part(text, UPS)
    assert "Memphis, TN, US" in first and "MEMPHIS HUB TN" in first  # read, and as said
    assert "Louisville, KY, US" in first
    assert '<svg class="route-map"' in first and "<line " in first
    assert "Map of the parcel's route from Memphis, TN, US to Louisville, KY, US" in first
    assert "38118" not in text and "40213" not in text


def test_a_parcel_alone_shows_the_glance_but_no_way_to_write(client: TestClient) -> None:
    text = client.get(f"/track/{FEDEX}").text
    assert "Out for delivery" in text and "The carrier could not deliver" in text
    assert "/track/contact" not in text and "look up your order" in text


def test_an_image_address_that_is_not_https_is_refused(client: TestClient) -> None:
    for bad in ("http://cdn.example/hat.jpg", "javascript:alert(1)", "https://x/a b.jpg"):
        order = canonical_order("ORD-9")
        order["lines"][0]["image_url"] = bad
        answer = client.post("/api/v1/orders", json=order)
        assert answer.status_code == 422 and "image_url" in answer.text, bad


def test_contact_support_opens_a_case_with_the_message_and_the_page_says_so(
    client: TestClient, clock: FixedClock
) -> None:
    form_page = client.get(contact_link(order_page(client), UPS))
    assert form_page.status_code == 200
    assert "About order ORD-7, parcel UPS 1Z999AA10123456784" in form_page.text
    ticket = ticket_of(form_page.text)
    before = len(all_cases(client))
    sent = client.post(
        "/track/contact", data={"ticket": ticket, "tracking": UPS, "message": "Box was wet."}
    )
    assert sent.status_code == 200 and "Your message is with our support team" in sent.text
    [case] = [c for c in all_cases(client) if c.kind.value == "customer_message"]
    assert len(all_cases(client)) == before + 1 and case.team.value == "support"
    assert case.order_id == "ORD-7" and "Box was wet." in case.detail
    assert f"case {case.id}" in sent.text
    clock.advance(minutes=5)
    again = {"ticket": ticket, "tracking": UPS, "message": "Also the hat is blue, not red."}
    assert client.post("/track/contact", data=again).status_code == 200
    [same] = [c for c in all_cases(client) if c.kind.value == "customer_message"]
    assert [n.by for n in same.history] == ["customer", "customer"]  # the open case, again
    assert "We have your message of" in order_page(client)


def test_a_message_about_a_parcel_in_trouble_lands_on_its_open_case(
    client: TestClient,
) -> None:
    ticket = ticket_of(order_page(client))
    [failed] = [c for c in all_cases(client) if c.kind.value == "failed_attempt"]
    message = {"ticket": ticket, "tracking": FEDEX, "message": "Please leave it next door."}
    assert client.post("/track/contact", data=message).status_code == 200
    [noted] = [c for c in all_cases(client) if c.id == failed.id]
    assert noted.history[-1].what == "customer wrote: Please leave it next door."
    assert not [c for c in all_cases(client) if c.kind.value == "customer_message"]


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"message": "x" * 2001}, 422, "Your message is too long"),
        ({"message": "bad\x00byte"}, 422, "characters we cannot keep"),
        ({"message": "bell\x07"}, 422, "characters we cannot keep"),
        ({"message": "   "}, 422, "Please write your message"),
        ({"tracking": OTHER}, 404, "We could not open this order"),  # another's parcel
        ({"ticket": "A" * 22}, 404, "We could not open this order"),  # no access
        ({"ticket": "x\x00"}, 422, ""),
    ],
)
def test_a_hostile_message_is_refused_clearly_and_nothing_is_kept(
    client: TestClient, change: dict[str, str], status: int, says: str
) -> None:
    ticket = ticket_of(order_page(client))
    before = all_cases(client)
    form = {"ticket": ticket, "tracking": UPS, "message": "Where is it?"} | change
    answer = client.post("/track/contact", data=form)
    assert answer.status_code == status and says in answer.text
    assert all_cases(client) == before


def test_a_form_posted_from_another_site_is_refused(client: TestClient) -> None:
    ticket = ticket_of(order_page(client))
    form = {"ticket": ticket, "tracking": UPS, "message": "hello"}
    for elsewhere in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        answer = client.post("/track/contact", data=form, headers=elsewhere)
        assert answer.status_code == 403 and "another website" in answer.text
    assert not [c for c in all_cases(client) if c.kind.value == "customer_message"]


def test_a_stall_we_noticed_says_when_we_opened_the_case(
    client: TestClient, clock: FixedClock
) -> None:
    send(client, clock, {"shipment": OTHER, "milestone": "in_transit", "location": MEMPHIS})
    clock.advance(days=6)
    uows = client.app.state.system.uows  # type: ignore[attr-defined]
    sweep(uows, clock.now())
    [stall] = [c for c in all_cases(client) if c.kind.value == "stalled"]
    text = client.get(f"/track/{OTHER}").text
    assert "Times in UTC" in text  # the order named no zone
    said = f"We noticed and opened a case with the carrier at {stall.opened_at:%H:%M on %a %d %b}"
    assert said in text
