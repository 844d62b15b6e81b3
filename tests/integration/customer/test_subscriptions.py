"""A customer's say over an order's messages: texts to a number they add on the order's page,
and the one-click unsubscribe (RFC 8058) every email carries, read off a real SMTP server on
loopback; the outbox honours it; hostile input gets a clear answer; erasure forgets it."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ordertrail.app.messages.delivery import deliver_due
from ordertrail.app.privacy.erasure import erase
from ordertrail.app.privacy.export import customer_record
from ordertrail.bootstrap import System, build
from ordertrail.config import Settings
from ordertrail.sources.customer_out import customer_json
from ordertrail.store.tables import order_subscriptions, outbox
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key, canonical_order
from tests.smtp_sink import Mailbox, smtp_sink

UPS = "1Z999AA10123456784"
DANA = "dana@example.com"


class SmsProvider(BaseHTTPRequestHandler):
    """A Twilio-compatible stand-in on loopback: keeps each text's form."""

    texts: list[dict[str, list[str]]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        self.texts.append(parse_qs(body.decode()))
        self.send_response(201)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def texts() -> Iterator[tuple[int, list[dict[str, list[str]]]]]:
    kept: list[dict[str, list[str]]] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("P", (SmsProvider,), {"texts": kept}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], kept
    server.shutdown()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_sink() as box:
        yield box


@pytest.fixture
def system(
    database_url: str, clock: FixedClock, mailbox: Mailbox, texts: tuple[int, Any]
) -> Iterator[System]:
    settings = Settings(
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        team_emails={"support": "support@shop.example", "operations": "ops@shop.example"},
        sms_url=f"http://127.0.0.1:{texts[0]}",
        sms_account="AC1",
        sms_token="token",
        sms_from="+15550001111",
        public_url="https://track.shop.example",
    )
    built = build(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system), headers=api_key(system)) as test_client:
        made = canonical_order("ORD-1", (UPS, "ups", {"HAT": 1}))
        made["customer"] |= {"time_zone": "Europe/London", "country": "GB"}
        assert test_client.post("/api/v1/orders", json=made).status_code == 201
        yield test_client


def say(client: TestClient, clock: FixedClock, milestone: str, **more: Any) -> None:
    clock.advance(hours=1)
    event = {"source": "carrier:ups", "shipment": UPS, "milestone": milestone}
    answer = client.post(
        "/api/v1/events", json=[event | {"occurred_at": clock.now().isoformat()} | more]
    )
    assert answer.status_code == 200, answer.text


def deliver(system: System, clock: FixedClock) -> None:
    clock.advance(minutes=30)  # past the wait a customer's message has after staff hear
    result = deliver_due(system.uows, system.senders(), system.clock, jitter=lambda: 0.5)
    assert not (result.dead or result.retried), result


def ticket(client: TestClient) -> str:
    page = client.get("/track", params={"order": "ORD-1", "email": DANA}).text
    found = re.search(r'action="/track/sms".*?name="ticket" value="([^"]+)"', page, re.S)
    assert found, "no form for texts on the order's page"
    return found.group(1)


def unsubscribe_path(mail: Any) -> str:
    return urlsplit(link_of(mail)).path


def link_of(mail: Any) -> str:
    """The one address `List-Unsubscribe` names, in its angle brackets."""
    [link] = re.findall(r"<([^>]+)>", str(mail["List-Unsubscribe"]))
    assert link.startswith("https://track.shop.example/unsubscribe/")
    return str(link)


def test_every_customer_email_carries_one_click_unsubscribe(
    client: TestClient, system: System, clock: FixedClock, mailbox: Mailbox
) -> None:
    say(client, clock, "carrier_accepted")
    deliver(system, clock)
    [mail] = mailbox.to(DANA)
    assert str(mail["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    link = link_of(mail)
    assert f"No more emails about this order: {link}" in mailbox.text(DANA, 0)
    for staff in mailbox.mails:
        if DANA not in str(staff["To"]):
            assert staff["List-Unsubscribe"] is None  # staff alerts are work, not news


def test_a_one_click_post_stops_the_orders_emails_and_the_outbox_says_why(
    client: TestClient, system: System, clock: FixedClock, mailbox: Mailbox
) -> None:
    say(client, clock, "carrier_accepted")
    deliver(system, clock)
    path = unsubscribe_path(mailbox.to(DANA)[0])
    asked = client.get(path)  # a mail scanner opening the link changes nothing
    assert asked.status_code == 200 and "Stop emails about order ORD-1?" in asked.text
    with system.engine.connect() as connection:
        assert connection.execute(select(order_subscriptions)).first() is None
    # what a mail client's button sends (RFC 8058): no sign-in, no cookie
    stopped = client.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert stopped.status_code == 200
    assert "We will send no more emails about order ORD-1." in stopped.text
    say(client, clock, "out_for_delivery")
    deliver(system, clock)
    assert len(mailbox.to(DANA)) == 1  # nothing more
    with system.engine.connect() as connection:
        held = connection.execute(
            select(outbox.c.status, outbox.c.last_error).where(
                outbox.c.channel == "email", outbox.c.kind == "out_for_delivery"
            )
        ).one()
    assert held.status == "skipped" and "unsubscribed" in held.last_error


def test_a_replayed_unsubscribe_says_it_was_already_done(
    client: TestClient, system: System, clock: FixedClock, mailbox: Mailbox
) -> None:
    say(client, clock, "carrier_accepted")
    deliver(system, clock)
    path = unsubscribe_path(mailbox.to(DANA)[0])
    assert client.post(path).status_code == 200
    clock.advance(days=1)
    again = client.post(path)
    assert again.status_code == 200
    assert "You already stopped emails about order ORD-1 on Wed 25 Nov 2026" in again.text
    assert "You already stopped emails" in client.get(path).text


def test_a_forged_unsubscribe_link_stops_nothing_and_says_so(
    client: TestClient, system: System
) -> None:
    for forged in ("AAAAAAAAAAAAAAAAAAAAAA", "x", "%3Cscript%3Ealert(1)%3C%3Cscript%3E"):
        answer = client.post(f"/unsubscribe/{forged}")
        assert answer.status_code == 404
        assert "This unsubscribe link is not one we sent" in answer.text
    assert client.get("/unsubscribe/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404
    assert client.post("/unsubscribe/" + "A" * 65).status_code == 422  # too long to be ours
    with system.engine.connect() as connection:
        assert connection.execute(select(order_subscriptions)).first() is None


def test_a_number_added_on_the_page_gets_every_update_by_text(
    client: TestClient, system: System, clock: FixedClock, texts: tuple[int, Any]
) -> None:
    given = ticket(client)
    added = client.post(
        "/track/sms", data={"ticket": given, "phone": "+44 7911 123456"}, follow_redirects=False
    )
    assert added.status_code == 303 and added.headers["location"] == f"/t/{given}#texts"
    page = client.get(added.headers["location"]).text
    assert "your number ending 456" in page and "7911" not in page
    say(client, clock, "carrier_accepted")  # "shipped": an email only, unless they asked
    deliver(system, clock)
    sent = texts[1]
    assert [text["To"] for text in sent] == [["+447911123456"]]
    assert "Your order ORD-1 is on its way" in sent[0]["Body"][0]


def test_bad_numbers_and_forged_tickets_get_a_clear_answer(
    client: TestClient, system: System
) -> None:
    given = ticket(client)
    for typed, said in [
        ("07700 900123", "with its country code, starting with +"),
        ("+44 7700 9OO123", "only digits after the +"),
        ("+44 77", "too short or too long"),
        ("", "Please type your mobile number."),
    ]:
        answer = client.post("/track/sms", data={"ticket": given, "phone": typed})
        assert answer.status_code == 422 and said in answer.text, typed
    forged = client.post("/track/sms", data={"ticket": "B" * 22, "phone": "+447700900123"})
    assert forged.status_code == 404 and "could not find your order" in forged.text
    assert client.post("/track/sms", data={"ticket": given, "phone": "+44\x00"}).status_code == 422
    with system.engine.connect() as connection:
        assert connection.execute(select(order_subscriptions)).first() is None


def test_erasure_forgets_the_number_the_customer_gave(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    given = ticket(client)
    client.post("/track/sms", data={"ticket": given, "phone": "+447700900123"})
    [held] = customer_json(customer_record(system.uows, DANA, clock.now()))["orders"]
    assert held["subscription"]["sms_number"] == "+447700900123"  # what they may ask to see
    done = erase(system.uows, DANA, "ops:privacy@shop.example", clock.now())
    assert done.counts["subscriptions"] == 1
    with system.engine.connect() as connection:
        assert connection.execute(select(order_subscriptions)).first() is None
