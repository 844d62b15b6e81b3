"""The KPI report on a year of a busy shop, next to counting the orders table in the same run.

The year is written straight through the store's tables (orders, parcels with their derived
columns, events, messages, cases, costs), not through the simulator: building it takes
seconds, and what is measured is the report alone.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.progress import Progress
from sqlalchemy import Engine, func, select

from ordertrail.app.kpis import report, scope_of
from ordertrail.bootstrap import build
from ordertrail.config import Settings
from ordertrail.domain.promise import promise_ends
from ordertrail.store import tables
from ordertrail.store.migrate import upgrade

FIRST_DAY = date(2025, 1, 1)
SITES = ("louisville", "reno")
CARRIERS = (("ups", "ground"), ("fedex", "home"), ("usps", "priority"))
WAREHOUSE = ("picked", "packed", "label_created")
_BATCH = 5000


def run(*, days: int = 365, per_day: int = 200, progress: bool = True) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'kpis.db'}"
        system = build(Settings(database_url=url, sqlite_synchronous="OFF"))
        try:
            upgrade(system.engine)
            started = time.perf_counter()
            rows = _fill(system.engine, days, per_day, progress)
            built = time.perf_counter() - started
            with system.engine.connect() as connection:
                started = time.perf_counter()
                orders = connection.execute(select(func.count()).select_from(tables.orders))
                counted = orders.scalar_one()
                count_seconds = time.perf_counter() - started
            last = FIRST_DAY + timedelta(days=days - 1)
            scope = scope_of(datetime.now(UTC), FIRST_DAY, last)
            started = time.perf_counter()
            figures = report(system.uows, scope)
            report_seconds = time.perf_counter() - started
        finally:
            system.close()
    return {
        "orders": counted,
        "rows_written": rows,
        "build_seconds": round(built, 2),
        "report_seconds": round(report_seconds, 3),
        "count_orders_seconds": round(count_seconds, 4),
        "on_time_delivery_rate": figures["kpis"]["on_time_delivery_rate"]["value"],
    }


def _fill(engine: Engine, days: int, per_day: int, progress: bool) -> int:
    written = 0
    with Progress(transient=True, disable=not progress) as bar:
        task = bar.add_task("writing a year of orders", total=days)
        for day in range(days):
            batch = _day(day, per_day, random.Random(day))
            with engine.begin() as connection:
                for table, rows in batch.items():
                    for start in range(0, len(rows), _BATCH):
                        connection.execute(table.insert(), rows[start : start + _BATCH])
                    written += len(rows)
            bar.advance(task)
    return written


def _day(day: int, per_day: int, chance: random.Random) -> dict[Any, list[dict[str, Any]]]:
    rows: dict[Any, list[dict[str, Any]]] = {
        tables.orders: [],
        tables.shipments: [],
        tables.events: [],
        tables.outbox: [],
        tables.exception_cases: [],
        tables.costs: [],
    }
    for n in range(per_day):
        order_id = f"ORD-{day:03d}-{n:04d}"
        placed = datetime.combine(FIRST_DAY, datetime.min.time(), UTC) + timedelta(
            days=day, minutes=chance.randrange(24 * 60)
        )
        promised = (placed + timedelta(days=5)).date()
        rows[tables.orders].append(_order(order_id, placed, promised))
        for parcel in range(2 if chance.random() < 0.1 else 1):
            for table, made in _parcel(order_id, parcel, placed, chance).items():
                rows[table].extend(made)
        rows[tables.costs].append(_cost(order_id, placed, chance))
    return rows


def _order(order_id: str, placed: datetime, promised: date) -> dict[str, Any]:
    zone = "America/New_York"
    return {
        "id": order_id,
        "channel": "shopify",
        "placed_at": placed,
        "customer": {"country": "US", "time_zone": zone},
        "promised_by": promised,
        "promise_ends_at": promise_ends(promised, zone),
        "priority": "routine",
        "lines": [{"sku": "HAT", "quantity": 1}],
        "status": "delivered",
        "needs_attention": False,
    }


def _parcel(
    order_id: str, parcel: int, placed: datetime, chance: random.Random
) -> dict[Any, list[dict[str, Any]]]:
    parcel_id = f"{order_id}-P{parcel}"
    carrier, service = chance.choice(CARRIERS)
    site = chance.choice(SITES)
    times = list(_journey(placed, chance))
    attempted = chance.random() < 0.08
    milestones = [*WAREHOUSE, "carrier_accepted", "in_transit", "delivered"]
    if attempted:
        milestones.insert(-1, "delivery_attempted")
        times.insert(-1, times[-1] - timedelta(days=1))
    made: dict[Any, list[dict[str, Any]]] = {
        tables.shipments: [
            {
                "id": parcel_id,
                "order_id": order_id,
                "tracking_number": parcel_id,
                "carrier": carrier,
                "service": service,
                "site": site,
                "lines": [{"sku": "HAT", "quantity": 1}],
                "status": "delivered",
                "shipped_at": times[3],
                "delivered_at": times[-1],
            }
        ],
        tables.events: [
            _event(parcel_id, order_id, milestone, at, carrier if i > 2 else site)
            for i, (milestone, at) in enumerate(zip(milestones, times, strict=True))
        ],
        tables.outbox: [
            _message(order_id, parcel_id, kind, times[-1]) for kind in ("shipped", "delivered")
        ],
        tables.exception_cases: [],
    }
    if attempted:
        made[tables.exception_cases].append(_case(order_id, parcel_id, times[-2]))
    return made


def _journey(placed: datetime, chance: random.Random) -> Iterator[datetime]:
    at = placed
    for hours in (3, 1, 0.5, 5, 20, 30):
        at += timedelta(hours=hours * (0.5 + chance.random()))
        yield at


def _event(parcel: str, order_id: str, milestone: str, at: datetime, who: str) -> dict[str, Any]:
    source = f"warehouse:{who}" if milestone in WAREHOUSE else f"carrier:{who}"
    return {
        "key": f"{parcel}:{milestone}",
        "subject_kind": "shipment",
        "subject_id": parcel,
        "order_id": order_id,
        "milestone": milestone,
        "reason": "recipient_unavailable" if milestone == "delivery_attempted" else None,
        "source": source,
        "occurred_at": at,
        "occurred_offset_min": 0,
        "received_at": at,
    }


def _message(order_id: str, parcel: str, kind: str, at: datetime) -> dict[str, Any]:
    return {
        "id": f"{parcel}:{kind}",
        "dedupe": f"{parcel}:{kind}:email",
        "channel": "email",
        "audience": "customer",
        "kind": kind,
        "order_id": order_id,
        "subject_kind": "shipment",
        "subject_id": parcel,
        "recipient": "customer@example.com",
        "context": {},
        "status": "sent",
        "available_at": at,
        "created_at": at,
        "sent_at": at,
    }


def _case(order_id: str, parcel: str, at: datetime) -> dict[str, Any]:
    return {
        "subject_kind": "shipment",
        "subject_id": parcel,
        "order_id": order_id,
        "kind": "failed_attempt",
        "cause": f"attempt:{at.isoformat()}",
        "team": "support",
        "status": "resolved",
        "opened_at": at,
        "due_at": at + timedelta(hours=24),
        "resolved_at": at + timedelta(hours=20),
        "detail": "missed the customer",
        "history": [],
    }


def _cost(order_id: str, placed: datetime, chance: random.Random) -> dict[str, Any]:
    return {
        "key": f"{order_id}:postage",
        "target": "order",
        "target_id": order_id,
        "order_id": order_id,
        "kind": "postage",
        "amount": chance.randrange(400, 1500),
        "currency": "USD",
        "incurred_on": placed.date(),
        "source": "bench",
        "recorded_at": placed,
    }
