"""The unit of work: one connection, one transaction, the repositories bound to it."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, NestedTransaction, RootTransaction, text
from sqlalchemy.exc import TimeoutError as SqlTimeout

from ordertrail.app.ports import DatabaseBusy
from ordertrail.app.promise.eta_ports import EtaRules
from ordertrail.domain.mapping import CodeMapping
from ordertrail.domain.notifications import Policy
from ordertrail.domain.returns.policy import ReturnPolicy
from ordertrail.store.access.secrets import install_secret
from ordertrail.store.access.staff import SqlStaff
from ordertrail.store.effects.cases import SqlCases
from ordertrail.store.effects.estimates import SqlEstimates
from ordertrail.store.effects.outbox import SqlOutbox
from ordertrail.store.effects.saved_filters import SqlSavedFilters
from ordertrail.store.effects.subscriptions import SqlSubscriptions
from ordertrail.store.engine import WRITE_WAIT_MS
from ordertrail.store.fleet import SqlFleet
from ordertrail.store.mappings import SqlMappings
from ordertrail.store.measures.costs import SqlCosts, SqlPageViews
from ordertrail.store.measures.counts import SqlCounts, SqlHeartbeats
from ordertrail.store.measures.figures import SqlFigures
from ordertrail.store.measures.kpis import SqlKpis
from ordertrail.store.orders import SqlOrders
from ordertrail.store.polls import SqlPolls
from ordertrail.store.repositories import SqlEventLog, SqlProjections, SqlSubjects
from ordertrail.store.returns import SqlReturns
from ordertrail.store.sites import SqlDeliveries, SqlSites
from ordertrail.store.unmatched import SqlUnmatched
from ordertrail.store.upkeep.privacy import SqlPersonalRecords, SqlRetention

#: The intake's one turn at a time across processes (PostgreSQL): a fixed advisory lock key,
#: "OrdTrail" in ASCII, unlikely to be another program's.
_WRITE_TURN = text("SELECT pg_advisory_xact_lock(5724748390200338796)")


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
    kpis: SqlKpis
    costs: SqlCosts
    page_views: SqlPageViews
    estimates: SqlEstimates
    returns: SqlReturns
    privacy: SqlPersonalRecords
    retention: SqlRetention
    fleet: SqlFleet
    saved_filters: SqlSavedFilters

    def __init__(
        self,
        engine: Engine,
        *,
        read_only: bool = False,
        wait: bool = True,
        defaults: Sequence[CodeMapping] = (),
        policy: Policy | None = None,
        eta_rules: EtaRules | None = None,
        return_policy: ReturnPolicy | None = None,
    ) -> None:
        self._engine = engine
        self.return_policy = return_policy or ReturnPolicy()
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
        try:  # SQLite's writer takes the lock here, waiting at most its time (DatabaseBusy)
            self._transaction = connection.begin()
        except BaseException:
            connection.close()
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
        self.kpis = SqlKpis(connection)
        self.costs = SqlCosts(connection)
        self.page_views = SqlPageViews(connection)
        self.estimates = SqlEstimates(connection)
        self.returns = SqlReturns(connection)
        self.privacy = SqlPersonalRecords(connection)
        self.retention = SqlRetention(connection)
        self.fleet = SqlFleet(connection)
        self.subscriptions = SqlSubscriptions(connection)
        self.saved_filters = SqlSavedFilters(connection)
        return self

    def commit(self) -> None:
        assert self._transaction is not None, "commit() outside the with block"
        self._transaction.commit()

    def savepoint(self) -> NestedTransaction:
        assert self._connection is not None, "savepoint() outside the with block"
        return self._connection.begin_nested()

    def take_write_turn(self) -> None:
        """PostgreSQL: a transaction-scoped advisory lock, waited for within the writer's
        lock_timeout (DatabaseBusy past it). SQLite needs none: its writers take turns on the
        file already."""
        assert self._connection is not None, "take_write_turn() outside the with block"
        if self._connection.dialect.name == "postgresql":
            self._connection.execute(_WRITE_TURN)

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
            # another writer in the way, or the database gone, arrives already translated
            # (store/failures.py): WriteConflict, DatabaseBusy, DatabaseUnavailable
            self._connection.close()


class SqlUnitOfWorkFactory:
    """Makes a unit of work per use; holds the engine and what each unit of work is given."""

    def __init__(
        self,
        engine: Engine,
        defaults: Sequence[CodeMapping] = (),
        policy: Policy | None = None,
        link_secret: str | None = None,
        eta_rules: EtaRules | None = None,
        return_policy: ReturnPolicy | None = None,
    ) -> None:
        self.return_policy = return_policy or ReturnPolicy()  # windows, inspection, fees
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
            return_policy=self.return_policy,
        )
