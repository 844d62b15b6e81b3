"""What `ordertrail demo` runs beside the web app: a local SMTP sink that keeps every message
as an .eml file, and the worker's rounds (the sweep, the outbox) on a thread."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from ordertrail.app.rounds import work_round
from ordertrail.bootstrap import System


class _Folder:
    """aiosmtpd handler: each message accepted becomes one numbered .eml file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.count += 1
            number = self.count
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        (self.folder / f"{number:05d}-{stamp}.eml").write_bytes(envelope.original_content)
        return "250 Message accepted for delivery"


class MailSink:
    """An SMTP server on loopback that writes what it receives into `folder`."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.eml"):
            old.unlink()
        self.folder = folder
        # aiosmtpd checks its server by connecting to the port it was given, so it cannot be
        # handed port 0: ask the system for a free one first
        self.port = free_port()
        self._controller = Controller(_Folder(folder), hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Worker(threading.Thread):
    """`ordertrail worker`'s rounds, every `interval` seconds, until stopped. A round that
    fails is told to `trouble` and the next one tries again, as the real worker's restart
    would: the demo must not lose its worker to one busy moment of the database."""

    def __init__(
        self, system: System, trouble: Callable[[str], None], interval: float = 5.0
    ) -> None:
        super().__init__(name="ordertrail-demo-worker", daemon=True)
        self.system = system
        self.trouble = trouble
        self.interval = interval
        self._halt = threading.Event()

    def run(self) -> None:
        senders = self.system.senders()
        while not self._halt.is_set():
            try:
                work_round(self.system.uows, self.system.clock, senders, {})
            except Exception as error:  # any failure: report it, keep the worker alive
                self.trouble(f"worker round failed, trying again: {error}".splitlines()[0])
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=30)
