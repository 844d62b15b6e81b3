"""What `ordertrail demo` runs beside the web app: a local SMTP sink that keeps every message
as an .eml file (a process of its own), and the worker's rounds (the sweep, the outbox) on a
thread."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from ordertrail.app.rounds import work_round
from ordertrail.bootstrap import System


class MailSink:
    """An SMTP server on loopback that writes what it receives into `folder`, run as a process
    of its own (simulate/mail_sink.py)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.eml"):
            old.unlink()
        self.folder = folder
        # aiosmtpd checks its server by connecting to the port it was given, so it cannot be
        # handed port 0: ask the system for a free one first
        self.port = free_port()
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "ordertrail.simulate.mail_sink"]
        self._process = subprocess.Popen(
            [*command, str(self.folder), str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        if self._process.stdout.readline().strip() != "ready":
            self.stop()
            raise RuntimeError(f"the demo's SMTP sink did not start on port {self.port}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None and process.stdout is not None
        process.stdin.close()  # its signal to stop
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


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
