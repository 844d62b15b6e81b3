"""Personal data that piles up ages out by policy: the worker deletes or blanks what is older
than each kind's setting, once an hour (each pass reads the whole outbox's finished messages,
too much for every minute's round)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.privacy.ports import RetentionCutoffs

#: How often the worker ages data out, and the heartbeat that says when it last did.
AGE_OUT_EVERY = timedelta(hours=1)
RETENTION = "retention"

#: The figures a round reports, in the order it says them.
AGED_KINDS = (
    "sent_messages",
    "webhook_bodies",
    "hook_deliveries",
    "staff_sessions",
    "tracking_tokens",
)


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How many days each kind of data is kept (None: for good)."""

    sent_messages_days: int | None = 90
    webhook_bodies_days: int | None = 30
    staff_sessions_days: int | None = 30
    tracking_tokens_days: int | None = 180

    def cutoffs(self, now: datetime) -> RetentionCutoffs:
        def before(days: int | None) -> datetime | None:
            return None if days is None else now - timedelta(days=days)

        return RetentionCutoffs(
            sent_messages=before(self.sent_messages_days),
            webhook_bodies=before(self.webhook_bodies_days),
            staff_sessions=before(self.staff_sessions_days),
            tracking_tokens=before(self.tracking_tokens_days),
        )


def age_out(uows: UnitOfWorkFactory, policy: RetentionPolicy, now: datetime) -> dict[str, int]:
    """Delete or blank what each kind keeps past its time; how many rows of each kind went."""
    with uows() as uow:
        aged = uow.retention.age_out(policy.cutoffs(now))
        uow.commit()
    return {kind: aged.get(kind, 0) for kind in AGED_KINDS}


def retention_round(
    uows: UnitOfWorkFactory, policy: RetentionPolicy, now: datetime
) -> dict[str, int] | None:
    """The worker's part: age data out when the last pass is an hour old (None: not due)."""
    with uows(read_only=True) as uow:
        last = uow.heartbeats.last(RETENTION)
    if last is not None and now - last[0] < AGE_OUT_EVERY:
        return None
    aged = age_out(uows, policy, now)
    with uows() as uow:
        uow.heartbeats.beat(RETENTION, now, described(aged))
        uow.commit()
    return aged


def described(aged: dict[str, int]) -> str:
    """ "3 sent messages, 0 webhook bodies, …": what a pass aged out, in words."""
    return ", ".join(f"{count} {kind.replace('_', ' ')}" for kind, count in aged.items())
