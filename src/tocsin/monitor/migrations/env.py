"""Alembic environment: the connection is handed in by tocsin.monitor.db (no alembic.ini, no global URL)."""

from __future__ import annotations

from alembic import context

from tocsin.monitor.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through tocsin.monitor.db.upgrade(), which passes a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most columns in place
)
with context.begin_transaction():
    context.run_migrations()
