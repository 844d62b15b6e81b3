"""A round of the outbox hands its emails to the SMTP server over one connection, and a server
that hangs up between two of them still gets every one, once."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from ordertrail.app.effect_ports import OutboxMessage
from ordertrail.app.messages.delivery import Outgoing
from ordertrail.delivery.email import SmtpSender
from ordertrail.delivery.texts import Brand, Texts
from ordertrail.domain.model import Subject, SubjectKind


@dataclass
class Counting:
    """Keeps each message's id and counts the connections that greeted it; hangs up after
    each message when `hang_up` is set."""

    ids: list[str] = field(default_factory=list)
    greetings: int = 0
    hang_up: bool = False

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        text = envelope.content.decode()
        self.ids.append(text.split("Message-ID: <", 1)[1].split("@", 1)[0])
        if self.hang_up:  # after the answer is written, as a server restarting would
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 OK"


@pytest.fixture
def server() -> Iterator[tuple[Counting, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def alert(n: int) -> Outgoing:
    message = OutboxMessage(
        id=f"msg-{n}",
        dedupe=f"msg-{n}",
        channel="team",
        audience="staff",
        kind="exception:stalled",
        order_id="ORD-1",
        subject=Subject(SubjectKind.SHIPMENT, "PARCEL-1"),
        recipient="operations",
        available_at=datetime(2026, 12, 1, tzinfo=UTC),
        context={"detail": "no news for two days", "due_at": "today", "team": "operations"},
    )
    return Outgoing(message, lambda: None)


def sender(port: int) -> SmtpSender:
    teams = {"operations": "ops@shop.example"}
    return SmtpSender("127.0.0.1", port, "shop@example.com", Texts(Brand()), teams)


def test_emails_sent_in_a_session_share_one_connection(server: tuple[Counting, int]) -> None:
    handler, port = server
    mail = sender(port)
    with mail.session():
        for n in range(3):
            mail.send(alert(n))
    assert handler.ids == ["msg-0", "msg-1", "msg-2"]
    assert handler.greetings == 1
    mail.send(alert(3))  # outside a session: a connection of its own, as before
    assert handler.ids[-1] == "msg-3" and handler.greetings == 2


def test_a_server_that_hangs_up_between_emails_still_gets_each_once(
    server: tuple[Counting, int],
) -> None:
    handler, port = server
    handler.hang_up = True
    mail = sender(port)
    with mail.session():
        for n in range(3):
            mail.send(alert(n))
    assert handler.ids == ["msg-0", "msg-1", "msg-2"]
    assert handler.greetings == 3
