"""A webhook posted to the web app in process, over ASGI: the app's own routes, middleware,
signature checks and handlers, called as a server calls them, with the scope httpx's ASGI
transport gives. An HTTP client in between cost the simulation more than the app's own routing
(building and merging URLs, headers and streams, and looking for trio on every request)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message

#: Where the simulated webhooks come from and go to (as httpx's ASGI transport says).
HOST, CLIENT = "simulated.shop", ("127.0.0.1", 123)


@dataclass(frozen=True, slots=True)
class Answer:
    """The app's answer to one delivery."""

    path: str
    status_code: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


async def post(app: ASGIApp, path: str, body: bytes, headers: Mapping[str, str]) -> Answer:
    """POST `body` to `path`; the answer once the app has sent all of it."""
    sent = [(b"host", HOST.encode()), (b"content-length", str(len(body)).encode())]
    sent += [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "headers": sent,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "server": (HOST, None),
        "client": CLIENT,
        "root_path": "",
    }
    read, done = False, asyncio.Event()
    status, parts = 500, []

    async def receive() -> Message:
        nonlocal read
        if read:  # the body was read: what follows is the client going, once answered
            await done.wait()
            return {"type": "http.disconnect"}
        read = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    await app(scope, receive, send)
    return Answer(path, status, b"".join(parts))
