"""`ordertrail bench http` as a user runs it, in a tiny mode: real `serve` and bare uvicorn
processes, real wrk, a scratch database filled by the simulator. What is asserted is what the
user reads (every path measured next to the bare ceiling, and every acknowledged write found in
the database), never a timing."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from ordertrail.bench.http import acknowledged_writes, check_line, tables
from ordertrail.bench.wrk import Load, Measured
from ordertrail.cli import app

PATHS = [
    "bare FastAPI /healthz",
    "/healthz",
    "GET /track/{number}",
    "GET /t/{token}",
    "GET /api/v1/orders/{id}",
    "GET /ops/exceptions",
    "webhook, 1 event",
    "webhook, 50 events",
    "POST /api/v1/events, 1 event",
]
TINY = ["--seconds", "2", "--connections", "1", "--days", "1", "--per-day", "4"]


def bench(*given: str, database_url: str = "") -> tuple[int, str]:
    on_postgres = database_url and make_url(database_url).get_backend_name() == "postgresql"
    root = ["--db", database_url] if on_postgres else []
    result = CliRunner().invoke(app, [*root, "bench", "http", *TINY, *given])
    return result.exit_code, result.output


def test_every_path_is_measured_next_to_the_bare_app_and_every_acknowledged_write_is_stored(
    database_url: str,
) -> None:
    code, output = bench("--json", database_url=database_url)
    assert code == 0, output
    figures = json.loads(output)
    (measured,) = figures["runs"]
    assert measured["workers"] == 1
    assert [row["path"] for row in measured["paths"]] == PATHS
    for row in measured["paths"]:
        assert row["requests"] > 0, row
        assert row["failed"] == 0, row  # every request answered 2xx (or 3xx)
        assert row["p50_ms"] <= row["p99_ms"], row
        assert row["share_of_bare"] > 0, row
        assert 0 < row["machine_busy"] <= 1, row  # something ran: at least wrk and the server
    assert measured["paths"][0]["share_of_bare"] == 1.0
    assert 10 < measured["rss_mb_max"] < 10_000  # the largest `serve` process, in MB
    check = figures["acknowledged_writes"]
    assert check["acknowledged_requests"] > 0
    assert check["acknowledged_events"] >= check["acknowledged_requests"] + 49  # one of 50
    assert check["all_stored"] is True and check["missing_events"] == 0
    assert check["stored_events"] >= check["acknowledged_events"]
    backend = make_url(database_url).get_backend_name()
    assert figures["backend"] == backend
    shown = Console(file=io.StringIO(), width=120)
    for table in tables(figures):
        shown.print(table)
    shown.print(check_line(figures))
    text = shown.file.getvalue()  # type: ignore[attr-defined]
    assert f"{backend}, 1 worker(s), 1 connections" in text
    assert "of bare" in text and "p99 ms" in text and "GET /ops/exceptions" in text
    assert "in the database: all stored" in text
    assert "MB resident" in text and "machine busy" in text


def test_a_profiled_run_leaves_a_flame_graph_of_each_app_path(tmp_path: Path) -> None:
    code, output = bench("--profile", str(tmp_path / "flames"))
    assert code == 0, output
    drawn = sorted(path.name for path in (tmp_path / "flames").glob("*.svg"))
    assert len(drawn) == len(PATHS) - 1, output  # every path but the bare app's
    assert "webhook__1_event-w1.svg" in drawn
    for svg in (tmp_path / "flames").glob("*.svg"):
        assert svg.read_text().lstrip().startswith("<?xml") and "ordertrail" in svg.read_text()
    assert "flame graphs of each path" in output


def test_an_acknowledged_write_missing_from_the_database_is_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hook = Load("webhook, 50 events", "hook", per_request=50)
    measured = Measured(2, 1.0, 1.0, 2.0, 0, acked=["r-hook-1-1", "r-hook-1-2"])
    kept = {f"r-hook-1-1-{n}" for n in range(1, 51)} | {f"r-hook-1-2-{n}" for n in range(2, 51)}
    monkeypatch.setattr("ordertrail.bench.http.stored_keys", lambda url, prefix: kept)
    check = acknowledged_writes("sqlite://", "r", [(1, measured, {hook.name: (hook, measured)})])
    assert check["acknowledged_requests"] == 2 and check["acknowledged_events"] == 100
    assert check["all_stored"] is False
    assert check["missing_events"] == 1 and check["missing_examples"] == ["r-hook-1-2-1"]
    said = check_line({"acknowledged_writes": check})
    assert said.endswith("in the database: 1 MISSING")


def test_without_wrk_it_says_how_to_install_it_before_doing_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", os.pathsep.join(["/nonexistent"]))
    code, output = bench()
    assert code == 1
    assert "apt-get install -y wrk" in output


@pytest.mark.parametrize("workers", ["0", "two", ","])
def test_worker_counts_are_checked(workers: str) -> None:
    code, output = bench("--workers", workers)
    assert code == 2
    assert "--workers" in output
