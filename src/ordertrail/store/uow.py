"""The unit of work: one connection, one transaction, the repositories bound to it."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SqlTimeout

from ordertrail.app.eta_ports import EtaRules
from ordertrail.app.ports import DatabaseBusy, WriteConflict
from ordertrail.domain.mapping import CodeMapping
from ordertrail.domain.notifications import Policy
from ordertrail.store.cases import SqlCases
from ordertrail.store.counts import SqlCounts, SqlHeartbeats
from ordertrail.store.engine import WRITE_WAIT_MS
from ordertrail.store.estimates import SqlEstimates
from ordertrail.store.figures import SqlFigures
from ordertrail.store.mappings import SqlMappings
from ordertrail.store.orders import SqlOrders
from ordertrail.store.outbox import SqlOutbox
from ordertrail.store.polls import SqlPolls
from ordertrail.store.repositories import SqlEventLog, SqlProjections, SqlSubjects
from ordertrail.store.secrets import install_secret
from ordertrail.store.sites import SqlDeliveries, SqlSites
from ordertrail.store.staff import SqlStaff
from ordertrail.store.unmatched import SqlUnmatched


class SqlUnitOfWork:
    subjects: SqlSubjects
    events: SqlEventLog
    projections: SqlProjections
    orders: SqlOrders
    mappings: SqlMappings
    unmatched: SqlUnmatched
    polls: SqlPolls
    sites: SqlSites
    deliveries: SqlDeliveries
    cases: SqlCases
    outbox: SqlOutbox
    staff: SqlStaff
    counts: SqlCounts
    heartbeats: SqlHeartbeats
    figures: SqlFigures
    estimates: SqlEstimates

    def __init__(
        self,
        engine: Engine,
        *,
        read_only: bool = False,
        wait: bool = True,
        defaults: Sequence[CodeMapping] = (),
        policy: Policy | None = None,
        eta_rules: EtaRules | None = None,
    ) -> None:
        self._engine = engine
        self._read_only = read_only
        self._wait = wait
        self._defaults = defaults
        self.policy = policy or Policy()
        self.eta_rules = eta_rules or EtaRules()
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None

    def __enter__(self) -> Self:
        try:
            connection = self._engine.connect()
        except SqlTimeout as busy:  # every connection is in use, past the writer's wait
            raise DatabaseBusy(str(busy)) from busy
        if self._read_only:
            connection = connection.execution_options(sqlite_begin="DEFERRED")
        elif not self._wait:
            connection = connection.execution_options(**{WRITE_WAIT_MS: 0})
        self._connection = connection
        try:  # SQLite's writer takes the lock here, waiting at most its time
            self._transaction = connection.begin()
        except DBAPIError as error:
            connection.close()
            if _lost_a_race(error):
                raise DatabaseBusy(str(error.orig)) from error
            raise
        self.subjects = SqlSubjects(connection)
        self.events = SqlEventLog(connection)
        self.projections = SqlProjections(connection)
        self.orders = SqlOrders(connection, read_only=self._read_only)
        self.mappings = SqlMappings(connection, self._defaults)
        self.unmatched = SqlUnmatched(connection)
        self.polls = SqlPolls(connection)
        self.sites = SqlSites(connection)
        self.deliveries = SqlDeliveries(connection)
        self.cases = SqlCases(connection)
        self.outbox = SqlOutbox(connection)
        self.staff = SqlStaff(connection)
        self.counts = SqlCounts(connection)
        self.heartbeats = SqlHeartbeats(connection)
        self.figures = SqlFigures(connection)
        self.estimates = SqlEstimates(connection)
        return self

    def commit(self) -> None:
        assert self._transaction is not None, "commit() outside the with block"
        self._transaction.commit()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._connection is not None and self._transaction is not None
        try:
            if self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self._connection.close()
        if isinstance(exc, DBAPIError) and _lost_a_race(exc):
            if _busy(exc):
                raise DatabaseBusy(str(exc.orig)) from exc
            raise WriteConflict(str(exc.orig)) from exc


# deadlock_detected, serialization_failure, lock_not_available
_RACE_STATES = {"40P01", "40001", "55P03"}


def _lost_a_race(error: DBAPIError) -> bool:
    """Did another writer, rather than this unit of work's own input, make it fail?"""
    if getattr(error.orig, "sqlstate", None) in _RACE_STATES:
        return True
    message = str(error.orig).lower()
    return "database is locked" in message or "database is busy" in message


def _busy(error: DBAPIError) -> bool:
    """Did it wait its whole time for another writer (rather than lose a deadlock)?"""
    if getattr(error.orig, "sqlstate", None) == "55P03":
        return True
    message = str(error.orig).lower()
    return "database is locked" in message or "database is busy" in message


class SqlUnitOfWorkFactory:
    """Makes a unit of work per use; holds the engine and what each unit of work is given."""

    def __init__(
        self,
        engine: Engine,
        defaults: Sequence[CodeMapping] = (),
        policy: Policy | None = None,
        link_secret: str | None = None,
        eta_rules: EtaRules | None = None,
    ) -> None:
        self.policy = policy or Policy()  # whom the notifications of changes reach, and when
        self.eta_rules = eta_rules or EtaRules()  # holidays (kept once looked up), the share
        self.engine = engine
        self.defaults = tuple(defaults)  # code tables from the carrier mapping file
        self._link_secret = link_secret  # from settings; else the install's own, on first use

    def link_secret(self) -> bytes:
        if self._link_secret is None:
            self._link_secret = install_secret(self.engine, "link_secret")
        return self._link_secret.encode()

    def __call__(self, *, read_only: bool = False, wait: bool = True) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.engine,
            read_only=read_only,
            wait=wait,
            defaults=self.defaults,
            policy=self.policy,
            eta_rules=self.eta_rules,
        )
