"""Request bodies are counted as they arrive: a real `ordertrail serve` process on loopback,
fed over a raw socket so nothing on the client side buffers or declares the size."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.operations.test_serve import free_port

CLI = [sys.executable, "-m", "ordertrail"]
CHUNK = b"x" * (64 * 1024)
#: Far past every limit: a server that held it would grow by this much.
SENT_AT_MOST = 96 * 1024 * 1024


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, int]]:
    """(port, pid) of a served app whose `acme` hook is configured."""
    env = {
        **os.environ,
        "ORDERTRAIL_DATABASE_URL": f"sqlite:///{tmp_path / 'limits.db'}",
        "ORDERTRAIL_HOOK_SECRET_ACME": "whsec_" + "A" * 32,
    }
    subprocess.run([*CLI, "init"], env=env, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(transport=httpx.HTTPTransport(retries=50)) as client:
            for _ in range(200):
                try:
                    if client.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    assert process.poll() is None, "ordertrail serve exited"
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def resident_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1])


def stream_chunked(port: int, path: str, kind: str = "application/json") -> tuple[bytes, int]:
    """POST an endless chunked body to `path` until the server answers; (answer, bytes sent)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
        head = f"POST {path} HTTP/1.1\r\nHost: shop\r\nContent-Type: {kind}\r\n"
        connection.sendall(f"{head}Transfer-Encoding: chunked\r\n\r\n".encode())
        while sent < SENT_AT_MOST:
            readable, writable, _ = select.select([connection], [connection], [], 60)
            if readable:
                break
            assert writable, "the server neither read the body nor answered"
            try:
                connection.sendall(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(CHUNK)
        else:
            connection.sendall(b"0\r\n\r\n")  # the whole body went: let the server answer
        return _answer(connection), sent


def _answer(connection: socket.socket) -> bytes:
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received and received.endswith(b"}"):
                break
    except ConnectionResetError:
        pass
    return received


def test_a_chunked_delivery_is_refused_at_the_limit_not_read_to_its_end(
    server: tuple[int, int],
) -> None:
    port, pid = server
    before = resident_kb(pid)
    answer, sent = stream_chunked(port, "/hooks/acme")
    assert sent < SENT_AT_MOST  # answered while the body was still coming
    assert resident_kb(pid) - before < SENT_AT_MOST // 1024 // 4
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"application/problem+json" in answer and b"2,097,152 bytes" in answer


def test_a_form_post_is_held_to_a_form_sized_limit(server: tuple[int, int]) -> None:
    port, pid = server
    before = resident_kb(pid)
    answer, sent = stream_chunked(port, "/track/not-arrived", "application/x-www-form-urlencoded")
    assert sent < SENT_AT_MOST
    assert resident_kb(pid) - before < SENT_AT_MOST // 1024 // 4
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"65,536 bytes" in answer


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(
    server: tuple[int, int],
) -> None:
    port, _ = server
    with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
        connection.sendall(
            b"POST /api/v1/events HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000000000\r\n\r\n"
        )
        answer = _answer(connection)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"application/problem+json" in answer and b"8,388,608 bytes" in answer


def test_bodies_within_the_limits_still_land(server: tuple[int, int]) -> None:
    port, _ = server
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        unsigned = client.post("/hooks/acme", content=b"[" + b" " * 1_000_000 + b"]")
        assert unsigned.status_code == 401  # read whole, then refused for its signature
