"""The shop `bench http` measures: a scratch database filled by the simulator (a few days of a
small shop, every order through the real routes), then what each measured path needs from it:
an API key, a signed-in console session, a Standard Webhooks source, tracking numbers, order
ids and order links."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr
from sqlalchemy import select

from ordertrail.app.staff.access import add_staff, issue_key, sign_in
from ordertrail.bootstrap import build
from ordertrail.config import Settings
from ordertrail.domain.access import Role
from ordertrail.simulate.carriers.hooks import fresh_secrets
from ordertrail.simulate.run import SimClock, run
from ordertrail.simulate.store import simulate
from ordertrail.store import tables

#: The carrier whose parcels the write paths move: its hook speaks Standard Webhooks (no
#: adapter claims its name), and its events come from `carrier:<it>`.
HOOK_SOURCE = "ups"
STAFF_EMAIL, STAFF_PASSWORD = "bench@ordertrail.example", "ordertrail-bench-only"


@dataclass(frozen=True, slots=True)
class Scene:
    """What the load generator is given: credentials, and ids that exist in the database."""

    api_key: str
    session_cookie: str
    hook_secret: str  # whsec_<base64>, as Standard Webhooks senders are given it
    tracking_numbers: list[str]  # parcels the customer pages show
    order_ids: list[str]
    link_tokens: list[str]  # fresh order links from customers' messages
    moving: list[str]  # tracking numbers of the hook source's parcels: the writes' targets
    orders: int
    events: int


def scene_settings(database_url: str, hook_secret: str) -> dict[str, str]:
    """The settings (as ORDERTRAIL_* variables) the app under load runs with: the simulated
    shop's own and the bench's hook secret. Everything else is the user's or the default."""
    return {
        "ORDERTRAIL_DATABASE_URL": database_url,
        f"ORDERTRAIL_HOOK_SECRET_{HOOK_SOURCE.upper()}": hook_secret,
    }


def fill(database_url: str, *, days: int, per_day: int, seed: int) -> Scene:
    """Migrate and fill `database_url` with `days` of a shop up to this hour."""
    hook_secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = now.replace(hour=0) - timedelta(days=days)
    clock = SimClock(start)
    hooks = fresh_secrets() | {HOOK_SOURCE: SecretStr(hook_secret)}
    settings = Settings(database_url=database_url, sqlite_synchronous="OFF", hook_secrets=hooks)
    system = build(settings, clock=clock)
    try:
        system.migrate()
        result = run(system, clock, simulate(seed, start, days, per_day), until=now)
        add_staff(
            system.uows, system.passwords, STAFF_EMAIL, "Bench", Role.OPS, STAFF_PASSWORD, now
        )
        signed = sign_in(system.uows, system.passwords, STAFF_EMAIL, STAFF_PASSWORD, now)
        assert signed is not None
        key = issue_key(system.uows, "bench", Role.OPS, "bench", now)
        with system.engine.connect() as connection:
            parcels = connection.execute(
                select(tables.shipments.c.tracking_number, tables.shipments.c.carrier)
                .where(tables.shipments.c.tracking_number.is_not(None))
                .order_by(tables.shipments.c.tracking_number)
            ).all()
            order_ids = connection.scalars(select(tables.orders.c.id).order_by("id")).all()
            events = connection.scalar(select(tables.events.c.seq).order_by(-tables.events.c.seq))
    finally:
        system.close()
    tokens = list(dict.fromkeys(sent.token for sent in result.sent if sent.token))
    return Scene(
        api_key=key.secret,
        session_cookie=signed.token,
        hook_secret=hook_secret,
        tracking_numbers=[number for number, _ in parcels][:200],
        order_ids=list(order_ids)[:200],
        link_tokens=tokens[-50:],
        moving=[number for number, carrier in parcels if carrier == HOOK_SOURCE][:200],
        orders=len(order_ids),
        events=events or 0,
    )


def stored_keys(database_url: str, prefix: str) -> set[str]:
    """The keys of the events in the database that the bench's writes made (`prefix`...)."""
    system = build(Settings(database_url=database_url))
    try:
        with system.engine.connect() as connection:
            found = connection.scalars(
                select(tables.events.c.key).where(tables.events.c.key.startswith(prefix))
            )
            return set(found)
    finally:
        system.close()
