"""The KPI report on a year of a busy shop, next to counting the orders table in the same run.

The year is written straight through the store's tables (orders, parcels with their derived
columns, events, messages, cases, costs), not through the simulator: building it takes
seconds, and what is measured is the report alone.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.progress import Progress
from sqlalchemy import Engine, func, select

from ordertrail.app.measures.kpis import report, scope_of
from ordertrail.bootstrap import build
from ordertrail.config import Settings
from ordertrail.domain.promise.promised_date import promise_ends
from ordertrail.store import tables
from ordertrail.store.migrate import upgrade

FIRST_DAY = date(2025, 1, 1)
SITE_CLOCKS = (
    ("louisville", "America/New_York", "16:00"),
    ("reno", "America/Los_Angeles", "15:30"),
)
SITES = tuple(site for site, _, _ in SITE_CLOCKS)
CARRIERS = (
    ("ups", "ground"),
    ("ups", "next_day_air"),
    ("fedex", "home"),
    ("usps", "priority"),
)
CHANNELS = ("shopify", "shopify", "woocommerce", "amazon")
ZONES = (
    ("America/New_York", "US"),
    ("America/Chicago", "US"),
    ("America/Los_Angeles", "US"),
    ("America/Toronto", "CA"),
)
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
            started, used = time.perf_counter(), time.process_time()
            figures = report(system.uows, scope)
            report_seconds = time.perf_counter() - started
            report_cpu = time.process_time() - used
        finally:
            system.close()
    return {
        "orders": counted,
        "rows_written": rows,
        "build_seconds": round(built, 2),
        "report_seconds": round(report_seconds, 3),
        # both connections' work: the report reads on two at once where it can, so on a
        # machine with a spare core its wall time is below this
        "report_cpu_seconds": round(report_cpu, 3),
        "count_orders_seconds": round(count_seconds, 4),
        "on_time_delivery_rate": figures["kpis"]["on_time_delivery_rate"]["value"],
    }


def _fill(engine: Engine, days: int, per_day: int, progress: bool) -> int:
    written = 0
    with engine.begin() as connection:
        connection.execute(tables.sites.insert(), _sites())
    with Progress(transient=True, disable=not progress) as bar:
        task = bar.add_task("writing a year of orders", total=days)
        for day in range(days):
            batch = _day(day, per_day, random.Random(day), _news_until(days))
            with engine.begin() as connection:
                for table, rows in batch.items():
                    for start in range(0, len(rows), _BATCH):
                        connection.execute(table.insert(), rows[start : start + _BATCH])
                    written += len(rows)
            bar.advance(task)
    return written


def _news_until(days: int) -> datetime:
    """The report is read four days after the last order: its parcels are still moving."""
    return datetime.combine(FIRST_DAY, datetime.min.time(), UTC) + timedelta(days=days + 4)


def _sites() -> list[dict[str, Any]]:
    return [
        {
            "id": site,
            "name": site.title(),
            "kind": "warehouse",
            "time_zone": zone,
            "cutoff": cutoff,
        }
        for site, zone, cutoff in SITE_CLOCKS
    ]


def _day(
    day: int, per_day: int, chance: random.Random, news: datetime
) -> dict[Any, list[dict[str, Any]]]:
    rows: dict[Any, list[dict[str, Any]]] = {
        tables.orders: [],
        tables.shipments: [],
        tables.events: [],
        tables.outbox: [],
        tables.exception_cases: [],
        tables.costs: [],
        tables.returns: [],
        tables.page_views: [],
    }
    for n in range(per_day):
        order_id = f"ORD-{day:03d}-{n:04d}"
        placed = datetime.combine(FIRST_DAY, datetime.min.time(), UTC) + timedelta(
            days=day, minutes=chance.randrange(24 * 60)
        )
        promised = (placed + timedelta(days=chance.choice((3, 4, 5, 5, 7)))).date()
        rows[tables.orders].append(_order(order_id, placed, promised, chance))
        delivered = []
        for parcel in range(2 if chance.random() < 0.1 else 1):
            made, when = _parcel(order_id, parcel, placed, chance, news)
            delivered.append(when)
            for table, found in made.items():
                rows[table].extend(found)
        rows[tables.costs].append(_cost(order_id, placed, chance))
        if all(delivered) and chance.random() < 0.06:
            back = _return(order_id, max(d for d in delivered if d), chance, news)
            for table, found in back.items():
                rows[table].extend(found)
        if chance.random() < 0.4:
            rows[tables.page_views].append(
                {"order_id": order_id, "day": placed.date(), "views": chance.randint(1, 4)}
            )
    return rows


def _order(
    order_id: str, placed: datetime, promised: date, chance: random.Random
) -> dict[str, Any]:
    zone, country = chance.choice(ZONES)
    return {
        "id": order_id,
        "channel": chance.choice(CHANNELS),
        "placed_at": placed,
        "customer": {"country": country, "time_zone": zone},
        "customer_country": country,
        "promised_by": promised,
        "promise_ends_at": promise_ends(promised, zone),
        "priority": "routine",
        "lines": [{"sku": "HAT", "quantity": 1}],
        "status": "delivered",
        "needs_attention": False,
    }


def _parcel(
    order_id: str, parcel: int, placed: datetime, chance: random.Random, news: datetime
) -> tuple[dict[Any, list[dict[str, Any]]], datetime | None]:
    """A parcel's journey; some wait days for stock or stretch in transit, some miss the
    customer before delivering, some skip a warehouse scan, some are still on their way or
    lost; with when it was delivered, if it was."""
    parcel_id = f"{order_id}-P{parcel}"
    carrier, service = chance.choice(CARRIERS)
    site = chance.choice(SITES)
    journey = _journey(placed, chance)
    attempted = chance.random() < 0.08
    lost = chance.random() < 0.01
    milestones = [*WAREHOUSE, "carrier_accepted", "in_transit", "delivered"]
    if chance.random() < 0.03:  # a scan the warehouse forgot
        skipped = chance.choice(WAREHOUSE)
        journey.pop(milestones.index(skipped))
        milestones.remove(skipped)
    if attempted:
        milestones.insert(-1, "delivery_attempted")
        journey.insert(-1, journey[-1] - timedelta(days=1))
    if lost:
        milestones[-1] = "exception"
    delivered = None if lost or journey[-1] > news else journey[-1]
    kept = [(m, at) for m, at in zip(milestones, journey, strict=True) if at <= news]
    accepted = dict(kept).get("carrier_accepted")
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
                "status": kept[-1][0] if kept else None,
                "shipped_at": accepted,
                "delivered_at": delivered,
            }
        ],
        tables.events: [
            _event(parcel_id, order_id, milestone, at, site if milestone in WAREHOUSE else carrier)
            for milestone, at in kept
        ],
        tables.outbox: [
            _message(order_id, parcel_id, kind, at)
            for kind, at in (("shipped", accepted), ("delivered", delivered))
            if at is not None
        ],
        tables.exception_cases: [],
    }
    if attempted and delivered:
        made[tables.exception_cases].append(
            _case(order_id, parcel_id, "failed_attempt", journey[-2])
        )
    if lost and journey[-1] <= news:
        made[tables.exception_cases].append(_case(order_id, parcel_id, "lost", journey[-1]))
    return made, delivered


def _journey(placed: datetime, chance: random.Random) -> list[datetime]:
    """Placed → picked → packed → label → carrier → in transit → delivered: most orders
    leave the same or next day, one in ten waits days for stock, and transit has a long
    tail (weather, a hub backlog), so some arrive after their promise."""
    waits = [
        chance.uniform(0.5, 20) + (chance.uniform(24, 96) if chance.random() < 0.1 else 0),
        chance.uniform(0.2, 3),
        chance.uniform(0.1, 2),
        chance.uniform(1, 10),
        chance.uniform(4, 30),
        chance.uniform(20, 70) + (chance.expovariate(1 / 60) if chance.random() < 0.2 else 0),
    ]
    at, found = placed, []
    for hours in waits:
        at += timedelta(hours=hours)
        found.append(at)
    return found


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


def _case(order_id: str, parcel: str, kind: str, at: datetime) -> dict[str, Any]:
    return {
        "subject_kind": "shipment",
        "subject_id": parcel,
        "order_id": order_id,
        "kind": kind,
        "cause": f"{kind}:{at.isoformat()}",
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


def _return(
    order_id: str, delivered: datetime, chance: random.Random, news: datetime
) -> dict[Any, list[Any]]:
    """A return asked for days after delivery, refunded a week or two later (if by now)."""
    return_id = f"{order_id}-R"
    asked = delivered + timedelta(hours=chance.uniform(24, 24 * 20))
    refunded = asked + timedelta(hours=chance.uniform(24 * 5, 24 * 15))
    steps = [(m, at) for m, at in (("return_requested", asked), ("refund_released", refunded))]
    return {
        tables.returns: [
            {"id": return_id, "order_id": order_id, "lines": [{"sku": "HAT", "quantity": 1}]}
        ],
        tables.events: [
            {
                **_event(return_id, order_id, milestone, at, "customer"),
                "subject_kind": "return",
                "source": "customer",
            }
            for milestone, at in steps
            if at <= news
        ],
    }
