"""Notifications end to end: events queue messages in the outbox, the worker delivers them to
a real SMTP server (aiosmtpd), a Twilio-compatible SMS stand-in and a Standard Webhooks
receiver, all on loopback; staff hear first, quiet hours hold, nothing is said twice or late,
and a worker that dies mid-delivery loses nothing."""

from __future__ import annotations

import email
import email.policy
import json
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from standardwebhooks import Webhook

from ordertrail.app.messages.delivery import Outgoing, deliver_due
from ordertrail.app.messages.notify import order_of_token
from ordertrail.bootstrap import System, build
from ordertrail.config import BrandSettings, Settings
from ordertrail.store.tables import metadata, tracking_tokens
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key, canonical_order

UPS = "1Z999AA10123456784"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Mailbox:
    mails: list[email.message.EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.mails.append(parsed)  # type: ignore[arg-type]
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(mail["Subject"]) for mail in self.mails]

    def unique(self) -> set[str]:
        return {str(mail["Message-ID"]) for mail in self.mails}


class Recorder(BaseHTTPRequestHandler):
    """The SMS provider stand-in and the webhook receiver: records what it is sent."""

    seen: list[dict[str, Any]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        self.seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
        self.send_response(201)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_: Any) -> None:
        pass


@dataclass
class Loopback:
    """The servers messages go to: an SMTP server, and one HTTP server that stands in for
    the SMS provider and the webhook receiver (`seen` lists what it was sent)."""

    mailbox: Mailbox
    seen: list[dict[str, Any]]
    smtp_port: int
    http_port: int


@pytest.fixture
def servers() -> Iterator[Loopback]:
    mailbox, seen = Mailbox(), []
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    handler = type("Handler", (Recorder,), {"seen": seen})
    http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield Loopback(mailbox, seen, smtp_port, http.server_address[1])
    http.shutdown()
    controller.stop()


@pytest.fixture
def system(database_url: str, clock: FixedClock, servers: Loopback) -> Iterator[System]:
    smtp_port, http_port = servers.smtp_port, servers.http_port
    settings = Settings(
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        team_emails={"support": "support-team@shop.example", "operations": "ops@shop.example"},
        sms_url=f"http://127.0.0.1:{http_port}",
        sms_account="AC123",
        sms_token="token",
        sms_from="+15550001111",
        webhook_subscribers=[{"url": f"http://127.0.0.1:{http_port}/helpdesk", "secret": SECRET}],
    )
    built = build(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system), headers=api_key(system)) as test_client:
        yield test_client


def order(client: TestClient, order_id: str = "ORD-1", **customer: str) -> None:
    made = canonical_order(order_id, (UPS, "ups", {"HAT": 1}))
    made["customer"] |= {"email": "dana@example.com", "phone": "+15555550100"} | customer
    made["customer"].setdefault("time_zone", "Europe/London")
    assert client.post("/api/v1/orders", json=made).status_code == 201


def say(client: TestClient, clock: FixedClock, milestone: str, **more: Any) -> None:
    event = {"source": "carrier:ups", "shipment": UPS, "milestone": milestone}
    event["occurred_at"] = clock.now().isoformat()
    answer = client.post("/api/v1/events", json=[event | more])
    assert answer.status_code == 200, answer.text


def deliver(system: System) -> Any:
    return deliver_due(system.uows, system.senders(), system.clock, jitter=lambda: 0.5)


def sms_bodies(seen: list[dict[str, Any]]) -> list[str]:
    return [
        parse_qs(hit["body"].decode())["Body"][0] for hit in seen if "Messages.json" in hit["path"]
    ]


def webhooks(seen: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [hit for hit in seen if hit["path"] == "/helpdesk"]


def test_a_smooth_routine_order_gets_four_messages(
    client: TestClient,
    system: System,
    clock: FixedClock,
    servers: Loopback,
) -> None:
    mailbox, seen = servers.mailbox, servers.seen
    order(client)
    confirmed = {"source": "channel:shopify", "order": "ORD-1", "milestone": "order_confirmed"}
    client.post("/api/v1/events", json=[confirmed | {"occurred_at": clock.now().isoformat()}])
    results = [deliver(system)]  # the worker runs all along
    for milestone in ("label_created", "carrier_accepted", "in_transit", "in_transit"):
        clock.advance(hours=3)
        say(client, clock, milestone)
        results.append(deliver(system))
    clock.advance(hours=10)
    say(client, clock, "out_for_delivery")
    say(client, clock, "out_for_delivery", key="the-same-scan-again")
    results.append(deliver(system))
    clock.advance(hours=4)
    say(client, clock, "delivered")
    results.append(deliver(system))
    assert not any(r.dead or r.retried or r.skipped for r in results)
    assert [s.split(": ", 1)[1] for s in mailbox.subjects()] == [
        "We have your order ORD-1",
        "Your order ORD-1 is on its way",
        "Your parcel is out for delivery today",
        "Your parcel was delivered",
    ]
    assert len(mailbox.unique()) == 4
    shipped = mailbox.mails[1]
    assert UPS in shipped.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert shipped.get_body(("html",)) is not None
    assert [body.split(": ", 1)[1] for body in sms_bodies(seen)] == [
        f"Your parcel is out for delivery today http://127.0.0.1:8000/track/{UPS}"
    ]
    hooks = webhooks(seen)
    assert [json.loads(h["body"])["type"] for h in hooks] == [
        "order_confirmed",
        "shipped",
        "out_for_delivery",
        "delivered",
    ]
    for hook in hooks:  # each one verifies under the subscriber's secret
        Webhook(SECRET).verify(hook["body"], hook["headers"])
    assert deliver(system).sent == 0  # nothing twice


def test_staff_hear_of_a_failed_attempt_before_the_customer(
    client: TestClient,
    system: System,
    clock: FixedClock,
    servers: Loopback,
) -> None:
    mailbox, seen = servers.mailbox, servers.seen
    order(client)
    say(client, clock, "carrier_accepted")
    clock.advance(hours=20)
    say(client, clock, "delivery_attempted", reason="recipient_unavailable")
    deliver(system)
    assert [str(m["To"]) for m in mailbox.mails] == [
        "dana@example.com",
        "support-team@shop.example",
    ]
    assert "failed attempt" in str(mailbox.mails[1]["Subject"])
    alert = mailbox.mails[1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Open it: http://127.0.0.1:8000/ops/orders/ORD-1" in alert
    clock.advance(minutes=11)
    deliver(system)
    last = mailbox.mails[-1]
    assert str(last["Subject"]).endswith("We could not deliver your parcel")
    text = last.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "recipient unavailable" in text and "reschedule" in text
    types = [json.loads(h["body"])["type"] for h in webhooks(seen)]
    assert types.index("exception:failed_attempt") < types.index("failed_attempt")


def test_quiet_hours_hold_messages_and_a_late_message_is_never_sent(
    client: TestClient,
    system: System,
    clock: FixedClock,
    servers: Loopback,
) -> None:
    mailbox = servers.mailbox
    order(client, time_zone="America/Chicago")  # 12:00 UTC is 06:00 there: quiet
    say(client, clock, "carrier_accepted", key="accepted")
    clock.advance(minutes=30)
    say(client, clock, "out_for_delivery")
    clock.advance(minutes=30)
    say(client, clock, "delivered")
    deliver(system)
    assert mailbox.mails == []  # the shop's systems hear at once; the customer waits
    clock.advance(hours=1)  # 08:00 in Chicago
    result = deliver(system)
    subjects = [s.split(": ", 1)[1] for s in mailbox.subjects()]
    assert subjects == ["Your order ORD-1 is on its way", "Your parcel was delivered"]
    assert result.skipped >= 1  # "out for delivery" after delivery: dropped, never sent


def test_a_worker_that_dies_mid_delivery_loses_nothing(
    client: TestClient,
    system: System,
    clock: FixedClock,
    servers: Loopback,
) -> None:
    mailbox, seen = servers.mailbox, servers.seen
    order(client)
    say(client, clock, "carrier_accepted")
    senders = system.senders()

    class DiesAfterSending:
        """Hands the mail over, then the process dies before it can note it was sent."""

        def send(self, outgoing: Outgoing) -> None:
            senders["email"].send(outgoing)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        deliver_due(system.uows, {**senders, "email": DiesAfterSending()}, system.clock)
    assert deliver(system).sent == 0  # what the dead worker claimed waits out its lease
    clock.advance(minutes=6)
    assert deliver(system).sent == 2  # the email again, and the webhook it never reached
    assert len(mailbox.mails) == 2 and len(mailbox.unique()) == 1  # sent twice, one message id
    ids = [h["headers"]["webhook-id"] for h in webhooks(seen)]
    assert len(ids) == len(set(ids)) == 1


def test_failures_are_retried_with_backoff_then_dead_lettered(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    order(client)
    say(client, clock, "carrier_accepted")
    broken = {"email": system.senders()["email"]}
    broken["email"]._port = free_port()  # type: ignore[attr-defined]  # nothing listens
    first = deliver_due(system.uows, broken, system.clock, jitter=lambda: 0.5)
    assert first.retried == 1
    assert deliver_due(system.uows, broken, system.clock).retried == 0  # waiting its turn
    for _ in range(10):
        clock.advance(hours=7)
        deliver_due(system.uows, broken, system.clock, jitter=lambda: 0.5)
    dead = client.get("/api/v1/outbox?status=dead").json()
    assert [m["channel"] for m in dead] == ["email"]
    assert "unreachable" in dead[0]["last_error"]
    retried = client.post(f"/api/v1/outbox/{dead[0]['id']}/retry")
    assert retried.status_code == 200
    assert deliver(system).sent == 1
    assert client.post(f"/api/v1/outbox/{dead[0]['id']}/retry").status_code == 404


def test_the_preview_shows_what_the_customer_would_get_and_when(
    client: TestClient, clock: FixedClock, database_url: str
) -> None:
    from typer.testing import CliRunner

    from ordertrail.cli import app

    order(client, time_zone="America/Chicago")
    for milestone in ("carrier_accepted", "in_transit", "out_for_delivery", "delivered"):
        clock.advance(hours=4)  # 10:00, 14:00, 18:00, 22:00 in Chicago
        say(client, clock, milestone)
    shown = CliRunner().invoke(
        app, ["--db", database_url, "notifications", "preview", "--order", "ORD-1", "--json"]
    )
    assert shown.exit_code == 0, shown.output
    rows = json.loads(shown.stdout)
    assert [(r["kind"], r["channels"]) for r in rows] == [
        ("shipped", ["email"]),
        ("out_for_delivery", ["email", "sms"]),
        ("delivered", ["email"]),  # 22:00 there: held for the morning
    ]
    assert rows[-1]["at"].startswith("2026-11-26T14:00")  # 08:00 the next day in Chicago
    missing = CliRunner().invoke(
        app, ["--db", database_url, "notifications", "preview", "--order", "NOPE"]
    )
    assert missing.exit_code == 1


def test_a_split_order_says_which_items_are_in_which_parcel(
    client: TestClient,
    system: System,
    clock: FixedClock,
    servers: Loopback,
) -> None:
    mailbox = servers.mailbox
    fedex = "123456789012"
    made = canonical_order("ORD-9", (UPS, "ups", {"HAT": 1}), (fedex, "fedex", {"MUG": 2}))
    made["customer"] |= {"email": "dana@example.com", "time_zone": "Europe/London"}
    assert client.post("/api/v1/orders", json=made).status_code == 201
    say(client, clock, "carrier_accepted")
    deliver(system)
    [mail] = mailbox.mails
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "more than one parcel" in text and "1 × HAT" in text and "MUG" not in text


def test_a_message_link_opens_the_order_until_some_weeks_after_it_arrived(
    client: TestClient,
    system: System,
    clock: FixedClock,
    servers: Loopback,
) -> None:
    mailbox = servers.mailbox
    order(client)
    say(client, clock, "carrier_accepted")
    deliver(system)
    text = mailbox.mails[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"http://127\.0\.0\.1:8000(/t/[\w-]+)", text)
    assert link is not None
    opened = client.get(link.group(1))
    assert opened.status_code == 200 and "1 × HAT" in opened.text
    assert "dana@example.com" not in opened.text
    assert client.get(link.group(1)[:-2] + "xx").status_code == 404
    clock.advance(days=61)  # a long journey: the link still opens the order on its way
    assert client.get(link.group(1)).status_code == 200
    say(client, clock, "delivered")
    clock.advance(weeks=5)
    assert client.get(link.group(1)).status_code == 200
    clock.advance(weeks=1, hours=1)  # six weeks after it arrived
    expired = client.get(link.group(1))
    assert expired.status_code == 410 and "This link has expired" in expired.text


def test_each_channel_s_customers_hear_from_its_own_brand(
    system: System, clock: FixedClock, servers: Loopback, tmp_path: Path
) -> None:
    templates = tmp_path / "mugco"
    templates.mkdir()
    (templates / "customer_subject.txt").write_text("Mug news: {{ kind }}")
    mug = {"name": "Mug Co.", "support": "help@mugco.example", "channels": ["amazon"]}
    mug |= {"public_url": "https://track.mugco.example", "mail_from": "Mug Co. <hi@mugco.example>"}
    mug["templates"] = str(templates)
    brands = {"mugco": BrandSettings.model_validate(mug)}
    branded = build(system.settings.model_copy(update={"brands": brands}), clock=clock)
    try:
        with TestClient(create_app(branded), headers=api_key(branded)) as client:
            made = canonical_order("ORD-A", (UPS, "ups", {"MUG": 1}))
            made["channel"] = "amazon"
            made["customer"] |= {"email": "amy@example.com", "time_zone": "Europe/London"}
            assert client.post("/api/v1/orders", json=made).status_code == 201
            say(client, clock, "carrier_accepted")
            deliver(branded)
    finally:
        branded.close()
    [mail] = [m for m in servers.mailbox.mails if m["To"] == "amy@example.com"]
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "help@mugco.example" in text
    assert "https://track.mugco.example/t/" in text
    assert (
        mail["From"].addresses[0].addr_spec == "hi@mugco.example"
        and mail["Subject"] == "Mug news: shipped"
    )


def test_the_preview_reads_a_fleets_codes_as_the_outbox_did(
    database_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from ordertrail.cli import app

    table = tmp_path / "carriers.toml"
    table.write_text('[carriers.acme]\nPU = "carrier_accepted"\nOFD = "out_for_delivery"\n')
    settings = Settings(database_url=database_url, carrier_mappings=table)
    system = build(settings, clock=clock)
    try:
        with TestClient(create_app(system), headers=api_key(system)) as client:
            made = canonical_order("ORD-7", ("ACME-77", "acme", {"HAT": 1}))
            made["customer"] |= {"email": "dana@example.com", "time_zone": "Europe/London"}
            assert client.post("/api/v1/orders", json=made).status_code == 201
            for code in ("PU", "OFD"):
                clock.advance(hours=2)
                scan = {"shipment": "ACME-77", "source": "carrier:acme", "raw_code": code}
                scan["occurred_at"] = clock.now().isoformat()
                assert client.post("/api/v1/events", json=[scan]).json()["accepted"] == 1
        with system.uows(read_only=True) as uow:
            queued = [
                (m.kind, m.subject.id)
                for m in uow.outbox.find(order_id="ORD-7")
                if m.audience == "customer" and m.channel == "email"
            ]
    finally:
        system.close()
    assert queued == [("shipped", "ACME-77"), ("out_for_delivery", "ACME-77")]
    shown = CliRunner().invoke(
        app,
        ["--db", database_url, "notifications", "preview", "--order", "ORD-7", "--json"],
        env={"ORDERTRAIL_CARRIER_MAPPINGS": str(table)},
    )
    assert shown.exit_code == 0, shown.output
    assert [(r["kind"], r["subject"]["id"]) for r in json.loads(shown.stdout)] == queued


#: (the carrier's news, the message kind, its subject, words it must hold, sent by SMS too)
TROUBLE = [
    ("exception", "address_issue", "address_issue", "Please confirm your address", True),
    ("delivery_attempted", "address_issue", "address_issue", "Please confirm your address", True),
    ("exception", "damaged", "damaged", "Your parcel was damaged on the way", False),
    ("exception", "lost", "lost", "The carrier cannot find your parcel", False),
    ("exception", "customs_hold", "customs_hold", "Your parcel is held at customs", False),
    ("returned_to_sender", None, "returned_to_sender", "on its way back to us", False),
]
NEXT_STEP = {
    "address_issue": "with your full address",
    "damaged": "we will send a replacement or refund you",
    "lost": "we will send a replacement or refund you",
    "customs_hold": "follow its instructions with your tracking number",
    "returned_to_sender": "we will send it again or refund you",
}


@pytest.mark.parametrize(("milestone", "reason", "kind", "subject", "texted"), TROUBLE)
def test_trouble_the_customer_must_know_of_reaches_them_after_staff_once(
    client: TestClient,
    system: System,
    clock: FixedClock,
    servers: Loopback,
    database_url: str,
    milestone: str,
    reason: str | None,
    kind: str,
    subject: str,
    texted: bool,
) -> None:
    from typer.testing import CliRunner

    from ordertrail.cli import app

    mailbox, seen = servers.mailbox, servers.seen
    order(client)
    say(client, clock, "carrier_accepted")
    deliver(system)
    clock.advance(hours=20)
    say(client, clock, milestone, key="trouble-1", reason=reason)
    deliver(system)
    # staff hear at once; the customer's message waits
    assert [str(m["To"]).endswith("@shop.example") for m in mailbox.mails[1:]] == [True]
    clock.advance(minutes=11)
    deliver(system)
    clock.advance(hours=2)  # the carrier says it again: not news to the customer
    say(client, clock, milestone, key="trouble-2", reason=reason)
    clock.advance(minutes=11)
    deliver(system)
    told = [m for m in mailbox.mails if str(m["To"]) == "dana@example.com"][1:]
    assert len(told) == 1 and subject in str(told[0]["Subject"])  # once, after staff
    text = told[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert NEXT_STEP[kind] in text and "support@example.com" in text
    assert len([body for body in sms_bodies(seen) if subject in body]) == (1 if texted else 0)
    shown = CliRunner().invoke(
        app, ["--db", database_url, "notifications", "preview", "--order", "ORD-1", "--json"]
    )
    assert [row["kind"] for row in json.loads(shown.stdout)] == ["shipped", kind]


def test_nothing_the_outbox_api_or_the_database_holds_opens_an_order(
    client: TestClient, system: System, clock: FixedClock, servers: Loopback
) -> None:
    order(client)
    say(client, clock, "carrier_accepted")
    listed = client.get("/api/v1/outbox", headers=api_key(system, "ops"))
    assert listed.status_code == 200 and listed.json()
    with system.engine.connect() as connection:
        stored = [
            str(tuple(row))
            for table in metadata.sorted_tables
            for row in connection.execute(select(table))
        ]
    words = set(re.findall(r"[\w-]{10,64}", " ".join([listed.text, *stored])))
    now = clock.now()
    assert [word for word in words if order_of_token(system.uows, word, now)] == []
    deliver(system)  # the message sent still carries a link that works
    [mail] = [m for m in servers.mailbox.mails if m["To"] == "dana@example.com"]
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"http://127\.0\.0\.1:8000/t/([\w-]+)", text)
    assert link is not None and order_of_token(system.uows, link.group(1), now) == "ORD-1"
    assert client.get(f"/t/{link.group(1)}").status_code == 200


def test_looking_up_a_delivered_order_again_writes_no_new_link(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    order(client)
    say(client, clock, "carrier_accepted")
    say(client, clock, "delivered")

    def links() -> int:
        with system.engine.connect() as connection:
            return connection.execute(
                select(func.count()).select_from(tracking_tokens)
            ).scalar_one()

    tickets = []
    for _ in range(2):
        clock.advance(minutes=5)
        found = client.get("/track", params={"order": "ORD-1", "email": "dana@example.com"})
        ticket = re.search(r'name="ticket" value="([^"]+)"', found.text)
        assert found.status_code == 200 and ticket is not None
        tickets.append((ticket.group(1), links()))
    (first, after_first), (second, after_second) = tickets
    assert second == first and after_second == after_first
    assert order_of_token(system.uows, first, clock.now()) == "ORD-1"
