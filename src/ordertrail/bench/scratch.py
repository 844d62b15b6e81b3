"""Throwaway databases for benchmarks: a benchmark never touches the shop's own tables."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from ordertrail.store.engine import make_engine


@contextmanager
def scratch_database(database_url: str | None) -> Iterator[str]:
    """The URL of an empty database, removed afterwards: a schema of its own on the
    PostgreSQL `database_url` names, else a SQLite file in a temporary folder."""
    if database_url and make_url(database_url).get_backend_name() == "postgresql":
        with _scratch_schema(database_url) as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="ordertrail-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


@contextmanager
def _scratch_schema(database_url: str) -> Iterator[str]:
    schema = f"ordertrail_bench_{int(time.time() * 1000)}"
    admin: Engine = make_engine(database_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
