"""The state of the system as an operator graphs it, read at scrape time: what waits in the
outbox and for how long, open cases by kind and age, carrier codes nobody has mapped, and
what the worker has done (its totals and how long since its last round)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.rounds import WORKER

#: Age buckets of open cases (as the ops overview triages them), as label values.
CASE_AGES = (
    ("under_4h", timedelta(hours=4)),
    ("4h_to_24h", timedelta(hours=24)),
    ("1d_to_3d", timedelta(days=3)),
)
OLDER_CASES = "over_3d"
#: More unmapped codes than this is a mapping file gone missing, not a figure to refine.
_UNMAPPED_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class StateFigures:
    #: (status, channel) → messages not sent yet
    outbox: dict[tuple[str, str], int]
    #: channel → how long its oldest message still to go has waited
    oldest_waiting: dict[str, timedelta]
    #: (kind, age bucket) → open cases
    open_cases: dict[tuple[str, str], int]
    #: carrier → (distinct unmapped codes, events carrying them)
    unmapped: dict[str, tuple[int, int]]
    #: how long since the worker finished a round (None: it never has)
    worker_silent_for: timedelta | None
    #: the worker's rounds in all, figure by figure (`rounds`, `sweep_opened`, ...)
    worker_totals: dict[str, int]


def state_figures(uows: UnitOfWorkFactory, now: datetime) -> StateFigures:
    ages = [(label, now - age) for label, age in CASE_AGES]
    with uows(read_only=True) as uow:
        waiting = uow.figures.outbox_waiting()
        oldest = uow.figures.oldest_waiting()
        cases = uow.figures.open_cases(ages, OLDER_CASES)
        codes = uow.mappings.unmapped(_UNMAPPED_LIMIT)
        beat = uow.heartbeats.last(WORKER)
        totals = uow.heartbeats.totals(WORKER)
    unmapped: dict[str, tuple[int, int]] = {}
    for code in codes:
        known, events = unmapped.get(code.carrier, (0, 0))
        unmapped[code.carrier] = (known + 1, events + code.events)
    return StateFigures(
        outbox=waiting,
        oldest_waiting={channel: max(now - at, timedelta(0)) for channel, at in oldest.items()},
        open_cases=cases,
        unmapped=unmapped,
        worker_silent_for=now - beat[0] if beat else None,
        worker_totals=totals,
    )
