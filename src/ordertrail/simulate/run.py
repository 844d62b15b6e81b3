"""Feed a simulated store through the system, hour by hour, on a controllable clock: the same
use cases the API, the scan station and the worker call, with messages captured as sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ordertrail.app.cases import sweep
from ordertrail.app.commands import RecordEvents, RegisterOrders
from ordertrail.app.delivery import Outgoing, deliver_due
from ordertrail.app.sites import save_sites
from ordertrail.bootstrap import System
from ordertrail.domain.model import Site
from ordertrail.domain.warehouse import Step
from ordertrail.simulate.store import SITES, Report, Store
from ordertrail.sources.canonical import parse_event, parse_order
from ordertrail.sources.scans import scan_command


class SimClock:
    """The simulation's time: moved by the runner, read by everything else."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current


@dataclass(frozen=True, slots=True)
class Sent:
    at: datetime
    channel: str
    audience: str
    kind: str
    order_id: str
    subject_id: str
    message_id: str


@dataclass(slots=True)
class Captured:
    """Senders for every channel that keep what they were handed, with the time."""

    clock: SimClock
    sent: list[Sent] = field(default_factory=list)

    def sender(self, channel: str) -> CaptureSender:
        return CaptureSender(self, channel)


@dataclass(frozen=True, slots=True)
class CaptureSender:
    captured: Captured
    channel: str

    def send(self, outgoing: Outgoing) -> None:
        message = outgoing.message
        self.captured.sent.append(
            Sent(
                self.captured.clock.now(),
                self.channel,
                message.audience,
                message.kind,
                message.order_id,
                message.subject.id,
                message.id,
            )
        )


@dataclass(slots=True)
class RunResult:
    reports: int = 0
    refused: list[str] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)


def run(
    system: System,
    clock: SimClock,
    store: Store,
    *,
    tick: timedelta = timedelta(hours=1),
    settle: timedelta = timedelta(days=10),
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Play the store: each tick, what arrived by then, then a worker round."""
    save_sites(system.uows, [Site(site, site.title()) for site in SITES])
    captured = Captured(clock)
    senders = {c: captured.sender(c) for c in ("email", "sms", "webhook", "team")}
    result = RunResult()
    pending = list(store.reports)
    end = store.start + timedelta(days=store.days) + settle
    at, next_report = store.start, 0
    while at <= end:
        clock.current = at
        due: list[Report] = []
        while next_report < len(pending) and pending[next_report].arrives <= at:
            due.append(pending[next_report])
            next_report += 1
        _feed(system, due, result)
        sweep(system.uows, at)
        deliver_due(system.uows, senders, clock, limit=1000, jitter=lambda: 0.5)
        if progress:
            progress(len(due))
        at += tick
    result.sent = captured.sent
    return result


def _feed(system: System, due: list[Report], result: RunResult) -> None:
    orders = [parse_order(r.body) for r in due if r.kind == "order"]
    if orders:
        outcome = system.handle(RegisterOrders(orders))
        result.refused += [p.message for p in outcome.problems]
    for report in (r for r in due if r.kind != "order"):
        result.reports += 1
        if report.kind == "event":
            outcome = system.handle(RecordEvents([parse_event(report.body)]))
            result.refused += [p.message for p in outcome.problems]
        else:
            scan = report.body
            command = scan_command(
                site=scan["site"],
                station=scan["station"],
                operator=scan["operator"],
                step=Step(scan["step"]),
                target=scan["code"],
                label=scan.get("label"),
                order=scan.get("order"),
                scanned_at=datetime.fromisoformat(scan["scanned_at"]),
            )
            outcome = system.handle(command)
            if outcome.status.value == "refused":
                result.refused.append(outcome.message)
    result.reports += len(orders)
