"""Alembic environment: always handed a connection by `ordertrail.store.migrate`."""

from alembic import context

from ordertrail.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
