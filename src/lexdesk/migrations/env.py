"""Alembic environment: always given a connection by ``lexdesk.adapters.migrations``."""

from __future__ import annotations

from alembic import context

from lexdesk.adapters.orm import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things: batch mode copies the table instead.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
