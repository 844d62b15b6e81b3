"""A PostgreSQL cluster of a test's own, to stop and start at will (the machine's shared server
is others' to use). Made with the binaries the system has; a test skips, saying why, where
they are missing."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.operations.test_serve import free_port


@dataclass
class Cluster:
    folder: Path
    port: int
    bin: Path
    as_owner: list[str]
    settings: str = ""  # more server options: "-c name=value ..."

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        data = str(self.folder / "data")
        subprocess.run(
            [*self.as_owner, str(self.bin / "pg_ctl"), "-D", data, *args],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        options += f" {self.settings}"
        log = str(self.folder / "server.log")
        self._ctl("-o", options, "-l", log, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "stop")


@contextmanager
def throwaway_postgres(settings: str = "") -> Iterator[Cluster]:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin) to run a cluster")
    bin = found[-1].parent
    as_owner: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="ordertrail-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL as postgres")
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run a cluster as")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_owner = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(folder, free_port(), bin, as_owner, settings)
    data = str(folder / "data")
    try:
        made = [str(bin / "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "--no-sync"]
        subprocess.run([*as_owner, *made], check=True, capture_output=True)
        cluster.start()
        yield cluster
    finally:  # whatever the test did, the cluster goes
        gone = [str(bin / "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"]
        subprocess.run([*as_owner, *gone], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
