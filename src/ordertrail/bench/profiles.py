"""Where a path's time goes: py-spy samples the `serve` processes while wrk drives one path
and writes a flame graph (SVG) per path, so an optimisation starts from a measurement."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


class ProfilerMissing(Exception):
    pass


def py_spy() -> str:
    """py-spy beside this Python (the dev install), else on the PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if not found:
        raise ProfilerMissing("--profile needs py-spy: pip install py-spy (in the dev extra)")
    return found


def sampling(pid: int, seconds: float, svg: Path) -> subprocess.Popen[bytes]:
    """Start sampling `pid` and its worker processes for `seconds`; wait on the result."""
    svg.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            py_spy(),
            "record",
            "--pid",
            str(pid),
            "--subprocesses",
            "--duration",
            str(max(1, round(seconds))),
            "--rate",
            "250",
            "--format",
            "flamegraph",
            "--output",
            str(svg),
            "--nonblocking",  # the server is not paused to be read: its figures stand
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def finished(sampler: subprocess.Popen[bytes]) -> str | None:
    """None when the flame graph was written, else py-spy's reason."""
    _, said = sampler.communicate(timeout=60)
    if sampler.returncode == 0:
        return None
    return said.decode(errors="replace").strip().splitlines()[-1:][0] if said else "failed"
