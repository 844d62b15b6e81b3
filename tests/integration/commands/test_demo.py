"""`ordertrail demo` as a person runs it: the summary matches the database it built, bad
options get one line, and the served demo answers and has mail to read."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ordertrail.cli import app

CLI = [sys.executable, "-m", "ordertrail"]
KEYS = {
    "orders",
    "shipments",
    "events",
    "unmapped_codes",
    "exceptions_by_kind",
    "messages_by_kind",
    "messages_per_order",
    "max_messages_smooth_routine_order",
    "duplicate_messages",
    "truth",
    "kpis",
    "delivery_windows",
}


def count_in(connection: sqlite3.Connection, sql: str) -> int:
    return int(connection.execute(sql).fetchone()[0])


def test_the_summary_is_what_the_database_holds(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    args = ["demo", "--db", str(db), "--days", "6", "--seed", "3", "--no-serve", "--json"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)  # nothing but JSON on stdout
    assert set(summary) >= KEYS
    with sqlite3.connect(db) as connection:

        def count(sql: str) -> int:
            return int(connection.execute(sql).fetchone()[0])

        assert summary["orders"] == count("SELECT count(*) FROM orders") > 0
        assert summary["shipments"] == count("SELECT count(*) FROM shipments") > 0
        assert summary["events"] == count("SELECT count(*) FROM events") > 0
        kinds = dict(connection.execute("SELECT kind, count(*) FROM exception_cases GROUP BY kind"))
        unmapped = count(
            "SELECT count(DISTINCT source || raw_code) FROM events WHERE milestone IS NULL"
        )
        delivered = count(  # orders whose every parcel arrived
            "SELECT count(*) FROM orders o WHERE coalesce(o.own_status, '') != 'order_cancelled'"
            " AND EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id AND NOT s.cancelled)"
            " AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id"
            " AND NOT s.cancelled AND s.delivered_at IS NULL)"
        )
    assert summary["exceptions_by_kind"] == kinds
    assert summary["unmapped_codes"] == unmapped
    truth = summary["truth"]
    assert truth["misses"] == 0 and truth["contradicting_messages"] == 0
    assert 0 < truth["judged"] <= truth["parcels"]
    assert summary["duplicate_messages"] == 0
    assert sum(summary["messages_by_kind"].values()) > 0
    # delivered parcels had a window their customers saw (the carrier's date at least), and
    # the changes counted are the ones the database recorded for them
    windows = summary["delivery_windows"]
    assert 0 < windows["delivered"] <= truth["judged"]
    with sqlite3.connect(db) as connection:
        recorded = count_in(connection, "SELECT count(*) FROM eta_changes")
    assert windows["changes"] <= recorded
    on_time = summary["kpis"]["on_time_delivery_rate"]
    assert on_time["denominator"] + on_time["excluded"]["no_promise"] == delivered > 0
    assert 0 <= on_time["numerator"] <= on_time["denominator"]
    assert summary["kpis"]["click_to_door"]["count"] == delivered
    url = f"sqlite:///{db}"
    printed = CliRunner().invoke(app, ["--db", url, "kpis", "--json", *_period(summary)])
    assert json.loads(printed.stdout)["kpis"]["on_time_delivery_rate"] == on_time


def _period(summary: dict[str, Any]) -> list[str]:
    period = summary["kpis"]["period"]
    return ["--since", period["since"], "--until", period["until"]]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--days", "0"], "--days"),
        (["--db", "."], "is a directory"),
        (["--db", "no/such/folder/demo.db"], "does not exist"),
    ],
)
def test_bad_options_get_one_line(args: list[str], said: str) -> None:
    result = CliRunner().invoke(app, ["demo", "--no-serve", *args])
    assert result.exit_code == 2
    assert said in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_served_demo_answers_and_its_mail_can_be_read(tmp_path: Path) -> None:
    port = free_port()
    demo = subprocess.Popen(
        [*CLI, "demo", "--db", str(tmp_path / "demo.db"), "--days", "2", "--port", str(port)],
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "120"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(transport=httpx.HTTPTransport(retries=50)) as client:
            answered = False
            for _ in range(400):  # the simulation runs first: retries wait for the server
                try:
                    answered = client.get(f"{base}/healthz", timeout=5).status_code == 200
                    break
                except httpx.TransportError:
                    if demo.poll() is not None:
                        pytest.fail(f"ordertrail demo exited: {demo.communicate()}")
            assert answered
            mail = sorted((tmp_path / "demo-mail").glob("*.eml"))
            assert mail, "the notifications sent during the simulation reached the SMTP sink"
            assert b"Subject:" in mail[0].read_bytes()
    finally:
        demo.send_signal(signal.SIGINT)  # Ctrl-C
        stdout, stderr = demo.communicate(timeout=30)
    assert b"Traceback" not in stderr
    assert f"{base}/track/".encode() in stdout
