"""One round of the worker: the time-based rules, the outbox, the carriers to ask — and a
heartbeat, so the console can say when the worker has stopped (nothing else would: a dead
worker sends no message and opens no case)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from ordertrail.app.casework.cases import SweepResult, sweep
from ordertrail.app.intake.polling import CarrierTracker, PollSummary, poll_due
from ordertrail.app.messages.delivery import DeliveryResult, Sender, deliver_due
from ordertrail.app.ports import Clock, UnitOfWorkFactory
from ordertrail.app.privacy.retention import RetentionPolicy, described, retention_round
from ordertrail.app.promise.eta import eta_round
from ordertrail.app.returns.alerts import look_at_returns, with_returns

WORKER = "worker"
#: A worker unheard of for this long has stopped (it beats every minute by default).
WORKER_QUIET_AFTER = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Round:
    swept: SweepResult
    sent: DeliveryResult
    polled: PollSummary | None
    #: lanes learned (None: not this round, the last learning is recent) and parcels whose
    #: delivery window had passed, estimated again
    lanes_learned: int | None = None
    estimated: int = 0
    #: rows aged out per kind of personal data (None: not this round, the last pass is recent)
    aged: dict[str, int] | None = None

    def figures(self) -> dict[str, int]:
        """What this round did, figure by figure: added to the worker's totals."""
        swept, sent, polled = self.swept, self.sent, self.polled
        found = {
            "rounds": 1,
            "sweep_looked_at": swept.looked_at,
            "sweep_opened": swept.opened,
            "sweep_resolved": swept.resolved,
            "outbox_sent": sent.sent,
            "outbox_retried": sent.retried,
            "outbox_dead": sent.dead,
            "outbox_skipped": sent.skipped,
            "eta_estimated": self.estimated,
        }
        if self.lanes_learned is not None:
            found["eta_learned"] = 1
        if self.aged is not None:
            found |= {f"retention_{kind}": count for kind, count in self.aged.items()}
        if polled is not None:
            found |= {
                "poll_rounds": 1,
                "poll_asked": polled.asked,
                "poll_events": polled.events,
                "poll_failed": polled.failed,
                "poll_rate_limited": polled.rate_limited,
                "poll_put_off": polled.put_off,
            }
        return found

    def said(self) -> str:
        swept, sent, polled = self.swept, self.sent, self.polled
        lines = [
            f"looked at {swept.looked_at} parcels: {swept.opened} cases opened, "
            f"{swept.resolved} resolved",
            f"messages: {sent.sent} sent, {sent.retried} to retry, {sent.dead} dead, "
            f"{sent.skipped} skipped",
            f"delivery estimates: {self.estimated} windows passed and looked at again"
            + (f", {self.lanes_learned} lanes learned" if self.lanes_learned is not None else ""),
        ]
        if self.aged is not None:
            lines.append(f"aged out by the retention settings: {described(self.aged)}")
        if polled is not None:
            lines.append(
                f"asked {polled.asked} parcels: {polled.events} new events, {polled.failed} "
                f"carrier failures, {polled.rate_limited} rate limited, {polled.put_off} put off"
            )
        return "\n".join(lines)


def work_round(
    uows: UnitOfWorkFactory,
    clock: Clock,
    senders: Mapping[str, Sender],
    trackers: Mapping[str, CarrierTracker],
    *,
    limit: int = 100,
    lease: timedelta = timedelta(minutes=5),
    retention: RetentionPolicy | None = None,
) -> Round:
    swept = with_returns(sweep(uows, clock.now()), look_at_returns(uows, clock.now()))
    learned, estimated = eta_round(uows, clock.now())
    sent = deliver_due(uows, senders, clock, lease=lease)
    polled = None
    if trackers:
        polled = poll_due(uows, clock, trackers, limit=limit, jitter=random.random)
    aged = retention_round(uows, retention, clock.now()) if retention is not None else None
    done = Round(swept, sent, polled, learned, estimated, aged)
    with uows() as uow:
        uow.heartbeats.beat(WORKER, clock.now(), done.said())
        uow.heartbeats.add(WORKER, done.figures())
        uow.commit()
    return done


def worker_quiet(last: datetime | None, now: datetime) -> bool:
    return last is None or now - last > WORKER_QUIET_AFTER
