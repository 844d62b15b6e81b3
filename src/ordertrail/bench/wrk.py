"""wrk, the load generator `bench http` drives every path with, and what it measured.

One Lua script (load.lua) shapes every request: GETs cycle through a list of paths; writes
carry unique event keys and request ids, are signed when they go to a hook, and each 2xx
answer's request id is written down, so the database can be checked for every write the app
acknowledged."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

INSTALL = "sudo apt-get install -y wrk"


class WrkMissing(RuntimeError):
    def __init__(self) -> None:
        super().__init__(f"wrk (the load generator) is not installed; run once: {INSTALL}")


@dataclass(frozen=True, slots=True)
class Load:
    """One measured path: `mode` is load.lua's (get, events, hook); `paths` the GETs' targets
    (cycled); `per_request` events per write; `headers` sent with every request."""

    name: str
    mode: str
    paths: tuple[str, ...] = ()
    per_request: int = 1
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def writes(self) -> bool:
        return self.mode != "get"


@dataclass(frozen=True, slots=True)
class Measured:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failed: int  # answers outside 2xx/3xx, and socket errors and timeouts
    acked: list[str]  # request ids of the writes answered 2xx
    cpu_seconds: float | None = None  # the server's, while wrk drove it
    #: the share of all the machine's cores that were busy meanwhile (server, database, wrk
    #: and anything else): near 100%, more processes cannot buy more requests
    machine_busy: float | None = None

    @property
    def cpu_ms_per_request(self) -> float | None:
        if self.cpu_seconds is None or not self.requests:
            return None
        return 1000 * self.cpu_seconds / self.requests

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise WrkMissing()
    return found


def drive(
    base_url: str,
    load: Load,
    folder: Path,
    *,
    seconds: float,
    connections: int,
    run_id: str,
    targets: list[str],
    secret: str = "",
    source: str = "",
) -> Measured:
    """Drive `load` at `base_url` for `seconds` over `connections`; `targets` are the
    tracking numbers writes move, `run_id` starts every request id and event key."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "run").write_text(f"{run_id}\n")
    (folder / "paths").write_text("".join(f"{p}\n" for p in load.paths))
    (folder / "shipments").write_text("".join(f"{t}\n" for t in targets))
    (folder / "secret").write_text(f"{secret}\n")
    script = files("ordertrail.bench").joinpath("load.lua")
    threads = min(2, connections)
    command = [
        wrk_path(),
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        f"--script={script}",
    ]
    for name, value in load.headers.items():
        command.append(f"--header={name}: {value}")
    command += [base_url + (load.paths[0] if load.paths else "/")]
    command += ["--", load.mode, str(folder), str(load.per_request), source, str(threads)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    said = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
    if done.returncode != 0 or not said:
        raise RuntimeError(f"wrk failed on {load.name}: {done.stderr.strip() or done.stdout}")
    figures = json.loads(said[-1].removeprefix("BENCH "))
    acked = [
        line
        for kept in sorted(folder.glob("acked-*"))
        for line in kept.read_text().splitlines()
        if line
    ]
    return Measured(
        requests=figures["requests"],
        seconds=figures["seconds"],
        p50_ms=figures["p50_ms"],
        p99_ms=figures["p99_ms"],
        failed=figures["non_2xx_3xx"] + figures["socket_errors"] + figures["timeouts"],
        acked=acked,
    )
