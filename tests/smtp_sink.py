"""A real SMTP server (aiosmtpd) on loopback that keeps what it is sent, for tests."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    port: int = 0
    mails: list[email.message.EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.mails.append(parsed)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [mail for mail in self.mails if address in str(mail["To"])]

    def subjects(self, address: str) -> list[str]:
        """Each subject to `address` without the brand before it."""
        return [str(mail["Subject"]).split(": ", 1)[1] for mail in self.to(address)]

    def text(self, address: str, n: int) -> str:
        body = self.to(address)[n].get_body(("plain",))
        assert body is not None
        return str(body.get_content())  # type: ignore[attr-defined]


@contextmanager
def smtp_sink() -> Iterator[Mailbox]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    box = Mailbox(port)
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
