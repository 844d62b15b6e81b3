"""Does a lookup or a sweep cost more as the shop grows? The same measurement at two sizes
(10k and 1M parcels by default), each on its own SQLite file filled through the store's batch
path (orders and parcels saved, events appended, projections folded and saved, as ingest
writes them, without the HTTP and derive work around it).

- lookup: the public tracking page's read of one parcel (`app.tracking.public_parcel`), for
  random tracking numbers; its cost should not follow the table's size (indexes).
- sweep: one sweep round with the same number of parcels due at both sizes; its cost should
  follow the parcels due, not all parcels (the `next_check_at` index).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.progress import Progress
from sqlalchemy import select, update

from ordertrail.app.casework.cases import sweep
from ordertrail.app.customer.tracking import public_parcel
from ordertrail.bootstrap import System, build
from ordertrail.config import Settings
from ordertrail.domain.fold import fold
from ordertrail.domain.milestones import Milestone, SourceKind
from ordertrail.domain.model import (
    Customer,
    Line,
    Order,
    Shipment,
    Source,
    Subject,
    SubjectKind,
    TrackingEvent,
)
from ordertrail.store import tables
from ordertrail.store.migrate import upgrade

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
#: every parcel's journey: labelled, taken in, moving (the state a sweep looks at)
JOURNEY = (
    (Milestone.LABEL_CREATED, Source(SourceKind.WAREHOUSE, "louisville"), timedelta(0)),
    (Milestone.CARRIER_ACCEPTED, Source(SourceKind.CARRIER, "ups"), timedelta(hours=5)),
    (Milestone.IN_TRANSIT, Source(SourceKind.CARRIER, "ups"), timedelta(hours=19)),
)
_BATCH = 5000
#: sweep rounds measured at each size, each on parcels of its own
_SWEEPS = 3


def tracking(n: int) -> str:
    return f"BENCH{n:010d}"


def _batch(first: int, count: int) -> tuple[list[Order], list[TrackingEvent]]:
    orders, events = [], []
    for n in range(first, first + count):
        placed = START + timedelta(minutes=n % (60 * 24 * 90))
        parcel = tracking(n)
        shipment = Shipment(parcel, f"B-{n}", parcel, "ups", "ground", "louisville")
        orders.append(
            Order(
                f"B-{n}",
                "shopify",
                placed,
                Customer(email=f"c{n}@example.com", postal_code="40213", country="US"),
                lines=(Line("HAT", 1),),
                shipments=(shipment,),
            )
        )
        subject = Subject(SubjectKind.SHIPMENT, parcel)
        for milestone, source, after in JOURNEY:
            at = placed + after
            events.append(
                TrackingEvent(
                    f"{parcel}:{milestone}", subject, milestone, source, at, at, order_id=f"B-{n}"
                )
            )
    return orders, events


def fill(system: System, parcels: int, progress: Progress | None = None) -> None:
    """`parcels` orders of one parcel each, with their events and folded states."""
    task = progress.add_task(f"filling {parcels:,} parcels", total=parcels) if progress else None
    for first in range(0, parcels, _BATCH):
        count = min(_BATCH, parcels - first)
        orders, events = _batch(first, count)
        by_subject: dict[Subject, list[TrackingEvent]] = {}
        for event in events:
            by_subject.setdefault(event.subject, []).append(event)
        with system.uows() as uow:
            uow.orders.save(orders)
            uow.events.append(events)
            uow.projections.save({s: fold(found) for s, found in by_subject.items()})
            uow.commit()
        if progress is not None and task is not None:
            progress.advance(task, count)


def set_due(
    system: System, due: int, now: datetime, chance: random.Random, looked: set[str]
) -> None:
    """Exactly `due` parcels due a look now, none looked at in an earlier round (those have
    their case already); the others not before next year."""
    later = now + timedelta(days=365)
    with system.engine.begin() as conn:
        conn.execute(update(tables.shipments).values(next_check_at=later))
        ids = [i for i in conn.scalars(select(tables.shipments.c.id)) if i not in looked]
        chosen = chance.sample(ids, min(due, len(ids)))
        looked.update(chosen)
        for start in range(0, len(chosen), 500):
            conn.execute(
                update(tables.shipments)
                .where(tables.shipments.c.id.in_(chosen[start : start + 500]))
                .values(next_check_at=now - timedelta(minutes=1))
            )


def measure(
    sizes: list[int], *, lookups: int, due: int, progress: bool = True
) -> Iterator[dict[str, Any]]:
    """Per size: the fill's time, a lookup's median and 90th percentile, and the sweep."""
    with Progress(transient=True, disable=not progress) as bar:
        for size in sizes:
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{Path(folder) / 'scale.db'}"
                system = build(Settings(database_url=url, sqlite_synchronous="OFF"))
                try:
                    yield _at_size(system, size, lookups, due, bar)
                finally:
                    system.close()


def _at_size(system: System, size: int, lookups: int, due: int, bar: Progress) -> dict[str, Any]:
    upgrade(system.engine)
    started = time.perf_counter()
    fill(system, size, bar)
    filled = time.perf_counter() - started
    chance = random.Random(size)
    now = START + timedelta(days=120)
    numbers = [tracking(chance.randrange(size)) for _ in range(lookups)]
    public_parcel(system.uows, numbers[0], now)  # warm: caches, prepared statements
    times, cpu = [], []
    for number in numbers:
        started, used = time.perf_counter(), time.process_time()
        public_parcel(system.uows, number, now)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    times.sort()
    cpu.sort()
    looked, rounds = min(due, size), []
    if due:
        chosen: set[str] = set()
        for _ in range(_SWEEPS):  # the median of three: one round is a tenth of a second
            set_due(system, due, now, chance, chosen)
            started, used = time.perf_counter(), time.process_time()
            opened = sweep(system.uows, now).opened
            rounds.append((time.perf_counter() - started, time.process_time() - used, opened))
    swept, swept_cpu, opened = sorted(rounds)[len(rounds) // 2] if rounds else (0.0, 0.0, 0)
    return {
        "parcels": size,
        "fill_seconds": round(filled, 1),
        "lookup_ms_p50": round(times[len(times) // 2] * 1000, 3),
        "lookup_ms_p90": round(times[int(len(times) * 0.9)] * 1000, 3),
        # CPU time hardly moves when other programs share the machine; wall time does
        "lookup_cpu_ms_p50": round(cpu[len(cpu) // 2] * 1000, 3),
        "sweep_due": looked,
        "sweep_seconds": round(swept, 3),
        "sweep_cpu_seconds": round(swept_cpu, 3),
        # each round's: exactly its due parcels, if the sweep finds what it should
        "sweep_cases_opened": [found for _, _, found in rounds],
        "sweep_ms_per_due": round(swept * 1000 / max(1, looked), 3),
    }


def ratios(rows: list[dict[str, Any]]) -> dict[str, float]:
    """The largest size against the smallest: what the aims are stated in."""
    small, large = rows[0], rows[-1]
    found = {}
    for name, figure in (
        ("lookup_p50_ratio", "lookup_ms_p50"),
        ("lookup_cpu_p50_ratio", "lookup_cpu_ms_p50"),
        ("sweep_ratio", "sweep_seconds"),
        ("sweep_cpu_ratio", "sweep_cpu_seconds"),
    ):
        if small[figure] > 0 and len(rows) > 1:
            found[name] = round(large[figure] / small[figure], 2)
    return found
