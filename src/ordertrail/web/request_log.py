"""Every request: an id (the client's `X-Request-ID` when it sent a sane one, else a new one),
echoed in the response and carried by every log line of the request; how long it took, by
route template, for /metrics; and one log line saying what was asked and answered."""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ordertrail.logs import REQUEST_ID
from ordertrail.metering import Meter

log = logging.getLogger("ordertrail.request")

#: An id a client may choose: short, and nothing a log reader could mistake for structure.
_SANE_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_CONVERTER = re.compile(r":[A-Za-z_]+\}")


class RequestLog:
    def __init__(self, app: ASGIApp, meter: Meter) -> None:
        self._app = app
        self._meter = meter
        self._new_id = _Ids()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        exchange = _Exchange(scope, send, self._meter, self._new_id)
        token = REQUEST_ID.set(exchange.request_id)
        try:
            await self._app(scope, receive, exchange.send)
        except Exception as error:  # logged here too, where the request id is still known
            exchange.done(error)
            raise
        finally:
            exchange.done()
            REQUEST_ID.reset(token)


class _Exchange:
    """One request and its answer, as they pass."""

    def __init__(self, scope: Scope, send: Send, meter: Meter, new_id: _Ids) -> None:
        self.request_id = _request_id(scope, new_id)
        self._scope, self._send, self._meter = scope, send, meter
        self._started = time.perf_counter()
        self._status = 500  # unless an answer starts: the app failed
        self._length, self._sent, self._told = -1, 0, False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._status = message["status"]
            headers = MutableHeaders(scope=message)
            headers.append("X-Request-ID", self.request_id)
            declared = headers.get("content-length", "")
            self._length = int(declared) if declared.isdigit() else -1
        elif message["type"] == "http.response.body":
            self._sent += len(message.get("body", b""))
            # before the last byte goes (a client has the whole answer once the declared length
            # arrives, even if empty chunks follow): a client never outruns its own figures
            if not message.get("more_body") or self._sent == self._length:
                self.done()
        await self._send(message)

    def done(self, failure: Exception | None = None) -> None:
        if self._told:
            return
        self._told = True
        seconds = time.perf_counter() - self._started
        method = self._scope["method"] if self._scope["method"] in _METHODS else "OTHER"
        route = route_template(self._scope)
        self._meter.request_done(method, route, self._status, seconds)
        said = {"method": method, "route": route, "status": self._status}
        log.log(
            logging.ERROR if failure else logging.INFO,
            "%s %s %s",
            method,
            route,
            self._status,
            exc_info=failure,
            extra={**said, "duration_ms": round(seconds * 1000, 1)},
        )


class _Ids:
    """New request ids: this process's random prefix and a count. Unique across processes
    and restarts like a uuid4, without asking the kernel for random bytes per request (a
    system call that cost 75-200 µs here, most of a bare request)."""

    def __init__(self) -> None:
        self._prefix = secrets.token_hex(8)
        self._count = itertools.count(1)  # next() on it is atomic: threads share it safely

    def __call__(self) -> str:
        return f"{self._prefix}-{next(self._count):x}"


def _request_id(scope: Scope, new_id: _Ids) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            given = bytes(value).decode("latin-1")
            if _SANE_ID.fullmatch(given):
                return given
            break
    return new_id()


def route_template(scope: Scope) -> str:
    """The route as declared (`/api/v1/orders/{order_id}`), never the path asked for: ids in
    a label would make a new series per order."""
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return "unmatched"
    if not hasattr(route, "endpoint"):  # a mount (static files): everything under it
        return f"{path}/{{path}}"
    return _CONVERTER.sub("}", str(path))
