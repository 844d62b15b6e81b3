"""Rate-limit counters in the app's own database, so every `serve` process counts against one
budget: a guesser spreading lookups over four workers is stopped as surely as one hitting
one. A fixed window per key (`limits`' fixed-window strategy): one upsert a request, no
per-hit rows. Used when `rate_limit_storage` is `database` (the default for `serve --workers
N` when N > 1); one process keeps its counters in memory, which costs no write."""

from __future__ import annotations

import itertools
import time

from limits.storage import Storage
from sqlalchemy import Engine, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from ordertrail.store.tables import rate_counters

#: Every this many hits, one also clears counters whose window has passed.
_SWEEP_EVERY = 1000


class SqlRateCounters(Storage):
    STORAGE_SCHEME = ["ordertrail-database"]  # noqa: RUF012 (the base class declares it)

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine
        self._hits = itertools.count(1)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        lapsed = rate_counters.c.expires_at <= now  # the key's window is over: a new one
        statement = (
            dialect.insert(rate_counters)
            .values(key=key, count=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "count": case((lapsed, amount), else_=rate_counters.c.count + amount),
                    "expires_at": case((lapsed, now + expiry), else_=rate_counters.c.expires_at),
                },
            )
            .returning(rate_counters.c.count)
        )
        with self._engine.begin() as conn:
            count = int(conn.execute(statement).scalar_one())
            if next(self._hits) % _SWEEP_EVERY == 0:
                conn.execute(delete(rate_counters).where(rate_counters.c.expires_at < now))
        return count

    def get(self, key: str) -> int:
        with self._engine.connect() as conn:
            found = conn.execute(
                select(rate_counters.c.count).where(
                    rate_counters.c.key == key, rate_counters.c.expires_at > time.time()
                )
            ).scalar()
        return int(found) if found is not None else 0

    def get_expiry(self, key: str) -> float:
        with self._engine.connect() as conn:
            found = conn.execute(
                select(rate_counters.c.expires_at).where(rate_counters.c.key == key)
            ).scalar()
        return float(found) if found is not None else time.time()

    def check(self) -> bool:
        try:
            with self._engine.connect() as conn:
                conn.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._engine.begin() as conn:
            return int(conn.execute(delete(rate_counters)).rowcount)

    def clear(self, key: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(rate_counters).where(rate_counters.c.key == key))
