"""Ingest throughput: the whole pipeline next to a raw insert of the same rows.

Each figure is measured on a fresh database prepared the same way (same orders, same
durability setting), so the raw insert is the storage limit the pipeline is compared with.
The pipeline starts from canonical JSON lines and ends at a committed transaction with events
appended, shipments and orders re-derived.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.progress import Progress

from ordertrail.app.intake.commands import EventReport, Rebuild, RecordEvents, RegisterOrders
from ordertrail.app.intake.handlers import BatchResult, RebuildResult
from ordertrail.bench.scratch import scratch_database
from ordertrail.bootstrap import System, build
from ordertrail.config import Settings
from ordertrail.domain.model import Subject, SubjectKind, TrackingEvent
from ordertrail.sources.canonical import parse_event_line, parse_order
from ordertrail.store import codec
from ordertrail.store.tables import events

PATH = [
    "picked",
    "packed",
    "label_created",
    "carrier_accepted",
    "in_transit",
    "in_transit",
    "out_for_delivery",
    "delivered",
]
START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def run(
    *,
    events: int,
    database_url: str | None,
    progress: bool,
    per_txn_events: int = 5000,
    seed: int = 1,
) -> dict[str, Any]:
    lines, orders = _store_day(events, seed)
    per_txn = lines[: min(per_txn_events, len(lines))]
    measure: dict[str, Callable[[System], float]] = {
        "pipeline_per_txn_eps": lambda system: _pipeline(system, per_txn, batch=1),
        "raw_per_txn_eps": lambda system: _raw(system, per_txn, batch=1),
        "pipeline_batched_eps": lambda system: _pipeline(system, lines, batch=1000),
        # the log the batched run stored, folded again from nothing (`ordertrail rebuild`)
        "rebuild_eps": lambda system: _rebuilt(system, lines),
        "raw_batched_eps": lambda system: _raw(system, lines, batch=1000),
    }
    figures: dict[str, Any] = {}
    with Progress(transient=True, disable=not progress) as bar:
        task = bar.add_task("measuring", total=len(measure))
        for name, how in measure.items():
            with _fresh_system(database_url) as system:
                system.handle(RegisterOrders(orders))
                figures[name] = round(how(system))
                figures["backend"] = system.engine.dialect.name
                figures["sqlite_synchronous"] = system.settings.sqlite_synchronous
            bar.advance(task)
    for mode in ("per_txn", "batched"):
        ratio = figures[f"pipeline_{mode}_eps"] / figures[f"raw_{mode}_eps"]
        figures[f"{mode}_ratio"] = round(ratio, 3)
    figures["rebuild_ratio"] = round(figures["rebuild_eps"] / figures["raw_batched_eps"], 3)
    figures.update(
        events_batched=len(lines),
        events_per_txn=len(per_txn),
        shipments=len(lines) // len(PATH),
        batch_size=1000,
    )
    return figures


def _store_day(count: int, seed: int) -> tuple[list[bytes], list[Any]]:
    """Parcels moving at once, their events interleaved in arrival order, a few arriving late."""
    rng = random.Random(seed)
    parcels = max(1, count // len(PATH))
    orders, timed = [], []
    for n in range(parcels):
        tracking = f"BENCH{n:09d}"
        orders.append(
            parse_order(
                {
                    "id": f"ORD-{n:07d}",
                    "channel": "shopify",
                    "placed_at": (START + timedelta(minutes=n)).isoformat(),
                    "lines": [{"sku": "SKU-1", "quantity": 1}],
                    "shipments": [
                        {
                            "tracking_number": tracking,
                            "carrier": "ups",
                            "lines": [{"sku": "SKU-1", "quantity": 1}],
                        }
                    ],
                }
            )
        )
        moment = START + timedelta(minutes=n)
        for step, milestone in enumerate(PATH):
            moment += timedelta(hours=rng.uniform(0.5, 20))
            source = "warehouse:reno" if step < 2 else "carrier:ups"
            arrival = moment + timedelta(hours=rng.uniform(0, 1) if rng.random() > 0.05 else 30)
            timed.append(
                (
                    arrival,
                    json.dumps(
                        {
                            "shipment": tracking,
                            "milestone": milestone,
                            "source": source,
                            "occurred_at": moment.isoformat(),
                            "raw_code": f"R{step}",
                            "location": {"city": "Reno", "region": "NV", "country": "US"},
                        }
                    ).encode(),
                )
            )
    timed.sort(key=lambda pair: pair[0])
    return [line for _, line in timed][:count], orders


def _pipeline(system: System, lines: list[bytes], *, batch: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(lines), batch):
        reports = [parse_event_line(line) for line in lines[start : start + batch]]
        result: BatchResult = system.handle(RecordEvents(reports))
        assert not result.problems, result.problems[:3]
    return len(lines) / (time.perf_counter() - started)


def _rebuilt(system: System, lines: list[bytes]) -> float:
    """Events/s of a rebuild of the log that the batched pipeline stored (filled untimed)."""
    _pipeline(system, lines, batch=1000)
    started = time.perf_counter()
    result: RebuildResult = system.handle(Rebuild())
    return result.events / (time.perf_counter() - started)


def _raw(system: System, lines: list[bytes], *, batch: int) -> float:
    """The same rows straight through the driver: no parsing, folding or projections."""
    rows = _rows_as_stored(system, lines)
    columns = list(rows[0])
    dialect = system.engine.dialect.name
    marks = ", ".join("?" if dialect == "sqlite" else "%s" for _ in columns)
    statement = f"INSERT INTO events ({', '.join(columns)}) VALUES ({marks})"
    connection = system.engine.raw_connection()  # same PRAGMAs as the pipeline's
    try:
        cursor = connection.cursor()
        started = time.perf_counter()
        for start in range(0, len(rows), batch):
            if dialect == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            cursor.executemany(statement, [tuple(r.values()) for r in rows[start : start + batch]])
            connection.commit() if dialect != "sqlite" else cursor.execute("COMMIT")
        return len(rows) / (time.perf_counter() - started)
    finally:
        connection.close()


def _rows_as_stored(system: System, lines: list[bytes]) -> list[dict[str, Any]]:
    """Each event as the pipeline binds it to the driver, prepared before the clock starts."""
    received = system.clock.now()
    dialect = system.engine.dialect
    processors: dict[str, Any] = {c.name: c.type.bind_processor(dialect) for c in events.c}
    rows = []
    for number, line in enumerate(lines):
        report = parse_event_line(line)
        row = codec.event_row(_as_event(report, number, received))
        bound = {
            name: (processors[name](value) if processors[name] else value)
            for name, value in row.items()
        }
        if dialect.name == "postgresql":  # psycopg adapts JSON itself, given the hint
            bound = {name: _json_hint(value) for name, value in bound.items()}
        rows.append(bound)
    return rows


def _json_hint(value: Any) -> Any:
    from psycopg.types.json import Json

    return Json(value) if isinstance(value, dict | list) else value


def _as_event(report: EventReport, number: int, received: datetime) -> TrackingEvent:
    return TrackingEvent(
        key=f"raw-{number}",
        subject=Subject(SubjectKind.SHIPMENT, report.shipment or ""),
        milestone=report.milestone,
        source=report.source,
        occurred_at=report.occurred_at,
        received_at=received,
        order_id="ORD",
        location=report.location,
        raw_code=report.raw_code,
    )


@contextmanager
def _fresh_system(database_url: str | None) -> Iterator[System]:
    with scratch_database(database_url) as url:
        system = build(Settings(database_url=url))
        system.migrate()
        try:
            yield system
        finally:
            system.close()
