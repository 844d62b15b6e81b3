"""What `ordertrail serve` sets up before uvicorn starts its workers: where they count for
/metrics, and how they log."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ordertrail.logs import json_config

#: prometheus_client's own variable: set, every process writes its counts to files there.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def metrics_folder(workers: int) -> Iterator[Path | None]:
    """With several workers, a fresh folder for their counts (each is its own process, and a
    scrape reaches only one), removed when serve stops. A folder the operator names is used
    instead, emptied first: counts left by an earlier run would be added to this one's."""
    given = os.environ.get(MULTIPROCESS_DIR)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        yield folder
        return
    if workers == 1:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="ordertrail-metrics-"))
    os.environ[MULTIPROCESS_DIR] = str(folder)  # the workers, started next, inherit it
    try:
        yield folder
    finally:
        os.environ.pop(MULTIPROCESS_DIR, None)
        shutil.rmtree(folder, ignore_errors=True)


def uvicorn_logging(log_format: str) -> dict[str, Any]:
    """uvicorn.run's logging arguments: its own (plain) by default, else JSON lines."""
    if log_format == "json":
        return {"log_config": json_config(uvicorn=True), "access_log": False}
    return {}
