"""Alembic migrations, run by ``lexdesk db upgrade`` (see ``adapters.migrations``)."""
