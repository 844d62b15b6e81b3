"""The install's own secrets, made on first use and kept in the database."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from ordertrail.store.repositories import dialect_insert
from ordertrail.store.tables import install_secrets


def install_secret(engine: Engine, name: str) -> str:
    """The secret called `name` (the migration makes the link secret), or one made now (256
    random bits); two processes asking at once get the same one."""
    query = select(install_secrets.c.value).where(install_secrets.c.name == name)
    # read without the write lock: a page that needs it must not wait for writers
    reading = engine.connect().execution_options(sqlite_begin="DEFERRED")
    with reading as connection, connection.begin():
        found = connection.execute(query).scalar()
    if found is not None:
        return str(found)
    with engine.connect() as connection, connection.begin():
        found = connection.execute(query).scalar()
        if found is None:
            made = {
                "name": name,
                "value": secrets.token_urlsafe(32),
                "created_at": datetime.now(UTC),
            }
            insert = dialect_insert(connection, install_secrets).on_conflict_do_nothing()
            connection.execute(insert, made)
            found = connection.execute(query).scalar_one()
    return str(found)
