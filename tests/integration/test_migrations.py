"""Migrations up and down on both databases, a schema that matches the tables in code, and
database errors that carry no bound values."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from lexdesk.adapters import orm
from lexdesk.adapters.database import create_database_engine
from lexdesk.adapters.migrations import current_revision, downgrade, head_revision, upgrade
from tests.databases import postgres_database, sqlite_url


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return postgres_database(os.environ.get("PYTEST_XDIST_WORKER", "main"), "_migrations")


def test_up_down_and_up_again(fresh_url: str) -> None:
    engine = create_database_engine(fresh_url)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert set(orm.metadata.tables) <= set(inspect(engine).get_table_names())
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert not set(orm.metadata.tables) & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_the_migrated_schema_is_the_schema_in_code(fresh_url: str) -> None:
    engine = create_database_engine(fresh_url)
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, orm.metadata)
    engine.dispose()
    assert differences == []


def test_a_database_error_does_not_carry_its_parameters(fresh_url: str) -> None:
    """A failed statement's message (which reaches logs and error reports) names no value."""
    engine = create_database_engine(fresh_url)
    statement = text("SELECT CAST(:name AS INTEGER) / 0 FROM nowhere")
    try:
        with engine.connect() as db, pytest.raises(DBAPIError) as failed:
            db.execute(statement, {"name": "Quintal"})
    finally:
        engine.dispose()
    assert "Quintal" not in str(failed.value)
    assert "hidden due to hide_parameters" in str(failed.value)
