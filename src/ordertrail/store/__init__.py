"""SQLAlchemy 2 storage: one schema for SQLite and PostgreSQL, the unit of work, migrations."""
