"""What the ops overview shows: parcels by status, open exceptions by kind and by age, the
ones past their deadline, and the parcels that went quiet."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.rounds import WORKER, worker_quiet
from ordertrail.domain.casework.cases import Case
from ordertrail.domain.casework.exceptions import MOVING, ExceptionKind, quiet_carriers

#: Age buckets of open cases, as a person triages them.
AGES = (
    ("under 4 h", timedelta(hours=4)),
    ("4–24 h", timedelta(hours=24)),
    ("1–3 days", timedelta(days=3)),
    ("over 3 days", timedelta.max),
)


@dataclass(frozen=True, slots=True)
class Overview:
    shipments_by_status: list[tuple[str, int]]
    open_by_kind: list[tuple[str, int]]
    open_by_age: list[tuple[str, int]]
    overdue: int
    stalled: list[Case]
    needing_attention: int
    #: carriers with parcels on the move and no news about any of them for hours
    quiet: list[tuple[str, int, datetime | None]]
    #: when the worker last finished a round (None: never), and whether that is too long ago
    worker_seen: datetime | None
    worker_stopped: bool


def overview(uows: UnitOfWorkFactory, now: datetime, *, limit: int = 5000) -> Overview:
    with uows(read_only=True) as uow:
        by_status = uow.counts.shipments_by_status()
        needing_attention = uow.counts.orders_needing_attention()
        news = uow.counts.carrier_news(frozenset(m.value for m in MOVING))
        beat = uow.heartbeats.last(WORKER)
        cases = uow.cases.find(CaseQuery(limit=limit))
    kinds = Counter(case.kind.value for case in cases)
    ages = Counter(_age(now - case.opened_at) for case in cases)
    return Overview(
        shipments_by_status=sorted(by_status.items(), key=lambda item: -item[1]),
        open_by_kind=kinds.most_common(),
        open_by_age=[(label, ages[label]) for label, _ in AGES],
        overdue=sum(1 for case in cases if case.due_at < now),
        stalled=[case for case in cases if case.kind is ExceptionKind.STALLED][:20],
        needing_attention=needing_attention,
        quiet=quiet_carriers(news, now),
        worker_seen=beat[0] if beat else None,
        worker_stopped=worker_quiet(beat[0] if beat else None, now),
    )


def _age(age: timedelta) -> str:
    return next(label for label, under in AGES if age < under)
