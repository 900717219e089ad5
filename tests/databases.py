"""Real databases for the integration and end-to-end tiers: SQLite files and a PostgreSQL
database per test worker, each migrated once and emptied after every test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from lexdesk.adapters import orm
from lexdesk.adapters.database import create_database_engine
from lexdesk.adapters.migrations import upgrade

POSTGRES_ENV = "LEXDESK_TEST_POSTGRES_URL"
REQUIRE_ENV = "LEXDESK_REQUIRE_POSTGRES"


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def postgres_database(worker: str, suffix: str = "") -> str:
    """A fresh, empty PostgreSQL database for this worker; its URL."""
    admin_url = postgres_admin_url()
    if admin_url is None:
        _skip_or_fail(f"{POSTGRES_ENV} is not set")
    name = f"lexdesk_test_{worker}{suffix}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as error:  # any failure to reach the server means "no PostgreSQL"
        _skip_or_fail(f"PostgreSQL unreachable at {admin_url}: {error}")
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _skip_or_fail(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"PostgreSQL tests are required here but cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


def sqlite_url(directory: Path, name: str = "lexdesk.sqlite3") -> str:
    return f"sqlite:///{directory / name}"


def migrated_engine(url: str) -> Engine:
    engine = create_database_engine(url)
    upgrade(engine)
    return engine


def empty_all_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(orm.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path_factory.mktemp("sqlite"))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return postgres_database(worker)


@pytest.fixture(scope="session")
def _migrated(database_url: str) -> Iterator[Engine]:
    engine = migrated_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(_migrated: Engine) -> Iterator[Engine]:
    yield _migrated
    empty_all_tables(_migrated)
