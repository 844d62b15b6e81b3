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
from dataclasses import dataclass
from pathlib import Path

import httpx

#: How long a server may take to answer its first request before the bench gives up.
START_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True, slots=True)
class Server:
    base_url: str
    pid: int

    def cpu_seconds(self) -> float | None:
        """CPU time the server and its worker processes have used so far (Linux: /proc);
        None where it cannot be read. Unlike requests/s, it hardly moves when other programs
        share the machine."""
        try:
            return sum(_cpu_of(pid) for pid in _with_children(self.pid))
        except OSError:
            return None

    def settle(self, *, quiet: float = 0.3, most: float = 60.0) -> None:
        """Wait until the server has stopped working on what the last load left behind: wrk
        stops counting at its deadline, but writes it sent are still queued and done, and
        their CPU must not be charged to the next path (nor their samples to its profile)."""
        deadline = time.monotonic() + most
        before = self.cpu_seconds()
        while before is not None and time.monotonic() < deadline:
            time.sleep(quiet)
            after = self.cpu_seconds()
            if after is None or after - before < quiet * 0.05:  # under 5% of a core: idle
                return
            before = after

    def rss_mb(self) -> float | None:
        """The largest resident memory of any one of the server's processes, in MB."""
        try:
            return max(_rss_of(pid) for pid in _with_children(self.pid)) / 1024
        except (OSError, ValueError):
            return None


def machine_ticks() -> tuple[int, int] | None:
    """(busy, all) CPU ticks of every core since boot (Linux: /proc/stat); None elsewhere."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    ticks = [int(value) for value in first[1:]]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle and waiting for the disk
    return sum(ticks) - idle, sum(ticks)


def busy_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    if before is None or after is None or after[1] == before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def _rss_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])  # kB
    return 0


def _with_children(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").iterdir():
            pending += [int(child) for child in (task / "children").read_text().split()]
    return found


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


@contextmanager
def serving(
    command: list[str], *, log: Path, env: Mapping[str, str], ready_path: str
) -> Iterator[Server]:
    """Run `command` (it must take `--port`), yield it once `ready_path` answers, stop it
    (SIGTERM, as Ctrl-C would) on the way out."""
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
        yield Server(base, process.pid)
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
