"""The processes `bench http` drives: `ordertrail serve` on the scratch database, and the bare
FastAPI app, each a real uvicorn on a free loopback port, its output kept in a file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

#: How long a server may take to answer its first request before the bench gives up.
START_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(
    command: list[str], *, log: Path, env: Mapping[str, str], ready_path: str
) -> Iterator[str]:
    """Run `command` (it must take `--port`), yield its base URL once `ready_path` answers,
    stop it (SIGTERM, as Ctrl-C would) on the way out."""
    port = free_port()
    with log.open("ab") as output:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(process, base + ready_path, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def app_command(workers: int) -> list[str]:
    return [sys.executable, "-m", "ordertrail", "serve", "--workers", str(workers)]


def bare_command(workers: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "ordertrail.bench.bare:app", "--workers", str(workers)]


def _wait_until_answering(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Poll until the server answers: uvicorn prints no machine-readable ready signal, and a
    connection refused is cheap to retry."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text(errors="replace").strip().splitlines()[-5:]
            raise RuntimeError(f"the server stopped at start: {' / '.join(said)}")
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the server did not answer {url} within {START_SECONDS:.0f} s")
