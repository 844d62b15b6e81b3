"""An S3-compatible store on loopback, for the proof bucket's tests: a real HTTP server that
answers the object calls a bucket client makes (PUT, GET, HEAD, DELETE on /<bucket>/<key>, path
style), keeps objects in memory, and refuses requests that are unsigned or name another bucket,
as a real store would. Anything more of S3 (listing, multipart) it does not pretend to know."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

ERROR = (
    "<?xml version='1.0' encoding='UTF-8'?>"
    "<Error><Code>{code}</Code><Message>{code}</Message></Error>"
)


class StandIn:
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.url = ""


@contextmanager
def s3_stand_in(bucket: str = "proofs") -> Iterator[StandIn]:
    store = StandIn(bucket)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet in test output
            pass

        def _target(self) -> str | None:
            if not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256"):
                self._error(403, "AccessDenied")
                return None
            path = unquote(urlsplit(self.path).path)
            bucket, _, key = path.lstrip("/").partition("/")
            if bucket != store.bucket:
                self._error(404, "NoSuchBucket")
                return None
            return key

        def _error(self, status: int, code: str) -> None:
            body = ERROR.format(code=code).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _empty(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_PUT(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            key = self._target()
            if key is None:
                return
            store.objects[key] = (body, self.headers.get("Content-Type", ""))
            self.send_response(200)
            self.send_header("ETag", '"stand-in"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            key = self._target()
            if key is None:
                return
            if key not in store.objects:
                self._error(404, "NoSuchKey")
                return
            body, media_type = store.objects[key]
            self.send_response(200)
            self.send_header("Content-Type", media_type or "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_HEAD = do_GET

        def do_DELETE(self) -> None:
            key = self._target()
            if key is None:
                return
            store.objects.pop(key, None)
            self._empty(204)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    store.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield store
    finally:
        server.shutdown()
        server.server_close()
