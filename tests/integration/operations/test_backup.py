"""Backups taken while the shop runs, restores into either database, and the log exported as
canonical JSON Lines that rebuild the same statuses elsewhere (the log is the truth)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from ordertrail.cli import app
from tests.conftest import BACKENDS

SHOP = "sqlite:///{}"


def run(url: str, *args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(app, ["--db", url, *args], input=stdin, catch_exceptions=False)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five simulated days of a shop: webhooks, scans, carriers, faults."""
    path = tmp_path_factory.mktemp("shop") / "shop.db"
    done = CliRunner().invoke(
        app, ["demo", "--db", str(path), "--days", "5", "--seed", "5", "--no-serve", "--json"]
    )
    assert done.exit_code == 0, done.output
    return path


def statuses(url: str) -> dict[str, Any]:
    """What a person sees of every parcel and order: the derived statuses."""
    engine = create_engine(url)
    with engine.connect() as connection:
        parcels = {
            row[0]: tuple(row[1:])
            for row in connection.execute(
                text("SELECT id, status, exception_reason, eta FROM shipments")
            )
        }
        orders = dict(connection.execute(text("SELECT id, status FROM orders")).all())
        events = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
    engine.dispose()
    return {"parcels": parcels, "orders": orders, "events": events}


def copy_of(shop: Path, tmp_path: Path) -> str:
    copy = tmp_path / "live.db"
    with sqlite3.connect(shop) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return SHOP.format(copy)


@pytest.mark.parametrize("logical", [False, True], ids=["native", "logical"])
def test_a_backup_restores_the_same_shop_into_each_database(
    shop: Path, tmp_path: Path, database_url: str, logical: bool
) -> None:
    source = SHOP.format(shop)
    backup = tmp_path / "shop.backup"
    taken = run(source, "backup", str(backup), *(["--logical"] if logical else []), "--json")
    assert taken.exit_code == 0, taken.output
    said = json.loads(taken.stdout)
    assert said["rows"]["events"] == statuses(source)["events"] > 0

    restored = run(database_url, "restore", str(backup), "--yes")
    assert restored.exit_code == 0, restored.output
    assert statuses(database_url) == statuses(source)
    shown = run(database_url, "order", "show", "#1001", "--json")
    assert json.loads(shown.stdout)["id"] == "#1001"


#: Another process ingesting batches of events until told to stop; prints how many it sent.
WRITER = """
import json, pathlib, sys
from datetime import UTC, datetime, timedelta
from typer.testing import CliRunner
from ordertrail.cli import app

url, stop, folder = sys.argv[1:4]
start, sent = datetime(2026, 12, 1, tzinfo=UTC), 0
while not pathlib.Path(stop).exists():
    batch = pathlib.Path(folder) / f"batch-{sent}.jsonl"
    lines = [
        {"order": "#1001", "milestone": "order_confirmed", "source": "channel:shopify",
         "occurred_at": (start + timedelta(seconds=sent + n)).isoformat(),
         "key": f"busy-{sent + n}"}
        for n in range(20)
    ]
    batch.write_text("".join(json.dumps(line) + "\\n" for line in lines))
    done = CliRunner().invoke(app, ["--db", url, "ingest", str(batch)])
    if done.exit_code:
        sys.exit(done.output)
    sent += 20
    if sent == 40:
        print("under way", flush=True)  # the test waits on this line, not on a clock
print(sent)
"""


def test_a_backup_taken_while_events_arrive_is_one_consistent_moment(
    shop: Path, tmp_path: Path
) -> None:
    """Another process ingests all through the backups; each restored copy's stored statuses
    are exactly what a rebuild from its own log derives (nothing half-written)."""
    live = copy_of(shop, tmp_path)
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, live, str(stop), str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        # blocks until two batches are in; an early exit reads as an empty line
        assert writer.stdout.readline() == "under way\n", "the writer stopped early"
        backups = []
        for n in range(3):
            backup = tmp_path / f"busy-{n}.db"
            taken = run(live, "backup", str(backup))
            assert taken.exit_code == 0, taken.output
            backups.append(backup)
    finally:
        stop.touch()
        said, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0 and int(said) > 40
    for backup in backups:
        with sqlite3.connect(backup) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        restored = SHOP.format(tmp_path / f"restored-{backup.stem}.db")
        assert run(restored, "restore", str(backup)).exit_code == 0
        before = statuses(restored)
        assert run(restored, "rebuild").exit_code == 0
        assert statuses(restored) == before


def test_the_exported_log_rebuilds_the_same_statuses_elsewhere(
    shop: Path, tmp_path: Path, database_url: str
) -> None:
    source = SHOP.format(shop)
    orders, events = tmp_path / "orders.jsonl", tmp_path / "events.jsonl"
    assert run(source, "export", "orders", "-o", str(orders)).exit_code == 0
    assert run(source, "export", "events", "-o", str(events)).exit_code == 0
    assert len(events.read_text().splitlines()) == statuses(source)["events"]

    imported = run(database_url, "import", "orders", str(orders), "--format", "jsonl")
    assert imported.exit_code == 0, imported.output
    ingested = run(database_url, "ingest", str(events))
    assert ingested.exit_code == 0, ingested.output
    assert run(database_url, "rebuild").exit_code == 0
    copy, original = statuses(database_url), statuses(source)
    assert copy["parcels"] == original["parcels"]
    assert copy["orders"] == original["orders"]
    # a second ingest of the same export is all duplicates: the keys travel with the events
    again = run(database_url, "ingest", str(events), "--json")
    assert json.loads(again.stdout)["accepted"] == 0


def test_export_events_since_a_date_writes_only_what_arrived_from_then(
    shop: Path, tmp_path: Path
) -> None:
    source = SHOP.format(shop)
    everything = run(source, "export", "events").stdout.splitlines()
    later = run(source, "export", "events", "--since", "2026-12-30").stdout.splitlines()
    assert later == [] and len(everything) > 0
    bad = run(source, "export", "events", "--since", "last tuesday")
    assert bad.exit_code == 2 and "--since" in bad.output


def test_restore_says_what_is_wrong_and_replaces_nothing_unasked(
    shop: Path, tmp_path: Path
) -> None:
    live = copy_of(shop, tmp_path)
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    refused = run(live, "restore", str(not_a_backup), "--yes")
    assert refused.exit_code == 1 and "not an OrderTrail backup" in refused.output
    missing = run(live, "restore", str(tmp_path / "nothing.db"), "--yes")
    assert missing.exit_code == 2 and "no such file" in missing.output

    backup = tmp_path / "b.db"
    assert run(SHOP.format(shop), "backup", str(backup)).exit_code == 0
    before = statuses(live)
    unasked = run(live, "restore", str(backup))  # not a terminal: no one to ask
    assert unasked.exit_code == 2 and "--yes" in unasked.output
    declined = run(live, "restore", str(backup), stdin="n\n")
    assert declined.exit_code != 0
    assert statuses(live) == before


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs ORDERTRAIL_TEST_POSTGRES_URL")
def test_a_pg_dump_backup_does_not_restore_into_sqlite(
    shop: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("postgres_schema_url")
    backup = tmp_path / "pg.dump"
    assert run(url, "restore", str(_native(shop, tmp_path)), "--yes").exit_code == 0
    taken = run(url, "backup", str(backup), "--json")
    assert taken.exit_code == 0, taken.output
    assert json.loads(taken.stdout)["kind"] == "pg_dump"
    assert run(url, "restore", str(backup), "--yes").exit_code == 0
    assert statuses(url) == statuses(SHOP.format(shop))
    into_sqlite = run(SHOP.format(tmp_path / "new.db"), "restore", str(backup))
    assert into_sqlite.exit_code == 1 and "--logical" in into_sqlite.output


def _native(shop: Path, tmp_path: Path) -> Path:
    backup = tmp_path / "native.db"
    assert run(SHOP.format(shop), "backup", str(backup)).exit_code == 0
    return backup
