"""SQL both databases speak for KPI arithmetic: an instant as whole seconds since 1970, so
durations, weeks and clock times are integer sums the database groups by."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, cast, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ordertrail.domain.measures.kpi import BUCKET_MINUTES

_BUCKET_SECONDS = BUCKET_MINUTES * 60


class epoch_seconds(FunctionElement[int]):
    """Seconds since 1970-01-01 UTC of a stored instant."""

    type = BigInteger()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds, "sqlite")
def _sqlite_epoch(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    given = compiler.process(element.clauses, **kw)
    if compiler.dialect.dbapi.sqlite_version_info >= (3, 38):
        return f"unixepoch({given})"  # the same whole seconds, parsed at twice the speed
    return f"CAST(strftime('%s', {given}) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _postgres_epoch(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS BIGINT)"


def bucket(start: Any, end: Any) -> ColumnElement[int]:
    """How long from `start` to `end`, in tenths of an hour (rounded to the nearest)."""
    seconds = epoch_seconds(end) - epoch_seconds(start)
    return cast((seconds + _BUCKET_SECONDS // 2) // _BUCKET_SECONDS, BigInteger)


def week_of(moment: Any, first_monday: int) -> ColumnElement[int]:
    """Whole weeks from `first_monday` (seconds since 1970) to `moment`."""
    return cast((epoch_seconds(moment) - literal(first_monday)) // 604800, BigInteger)
