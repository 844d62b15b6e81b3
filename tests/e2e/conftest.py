"""A live server on loopback and Debian's chromium driven by Playwright (never a download)."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from ordertrail.bootstrap import System, build
from ordertrail.config import Settings
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import STAFF_PASSWORD, staff_member
from tests.smtp_sink import Mailbox, smtp_sink

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent.parent.parent / "artifacts"


@dataclass(frozen=True, slots=True)
class LiveServer:
    url: str
    system: System


class _Server(uvicorn.Server):
    """Says when it listens, so a test waits on that rather than on a timer."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def live_server(tmp_path: Path, clock: FixedClock) -> Iterator[LiveServer]:
    system = build(Settings(database_url=f"sqlite:///{tmp_path / 'e2e.db'}"), clock=clock)
    with serving(system) as server:
        yield server


@contextmanager
def serving(system: System) -> Iterator[LiveServer]:
    """`system` migrated and served on loopback until the block ends (then closed)."""
    system.migrate()
    port = _free_port()
    server = _Server(
        uvicorn.Config(create_app(system), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.ready.wait(timeout=10), "the live server did not start"
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", system)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        system.close()


def sign_in_as(page: Any, server: LiveServer, role: str, goal: str) -> None:
    """A staff member of `role` opens `goal`, is sent to the sign-in form, signs in by
    keyboard, and lands on `goal`."""
    email = staff_member(server.system, role)
    page.goto(f"{server.url}{goal}")
    assert "/ops/login" in page.url
    page.fill("#email", email)
    page.fill("#password", STAFF_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{server.url}{goal}", page.url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


#: The console is used on a phone in the warehouse aisle and on a laptop at the desk.
VIEWPORTS = [
    pytest.param({"width": 390, "height": 844}, id="phone"),
    pytest.param({"width": 1440, "height": 900}, id="laptop"),
]


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on loopback that keeps what it is sent."""
    with smtp_sink() as box:
        yield box
