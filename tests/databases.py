"""Real databases for the integration and end-to-end tiers: SQLite files and a PostgreSQL
database per test worker, each migrated once and emptied after every test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from lexdesk.adapters import orm
from lexdesk.adapters.database import create_database_engine
from lexdesk.adapters.migrations import upgrade
from tests.audit_rows import check_audit_rows

POSTGRES_ENV = "LEXDESK_TEST_POSTGRES_URL"
REQUIRE_ENV = "LEXDESK_REQUIRE_POSTGRES"
PREFIX_ENV = "LEXDESK_TEST_DB_PREFIX"


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def postgres_database(worker: str, suffix: str = "") -> str:
    """A fresh, empty PostgreSQL database for this worker; its URL. ``LEXDESK_TEST_DB_PREFIX``
    keeps two test runs on one server (two checkouts) out of each other's databases."""
    admin_url = postgres_admin_url()
    if admin_url is None:
        _skip_or_fail(f"{POSTGRES_ENV} is not set")
    prefix = os.environ.get(PREFIX_ENV, "lexdesk_test")
    name = f"{prefix}_{worker}{suffix}"
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


#: The role the desk acts as on PostgreSQL: no owner, no BYPASSRLS, so row-level security
#: and the grants of the migrations hold for it (migrations 0002, 0023).
APP_ROLE = "lexdesk_app"


def as_application(url: str) -> str:
    """``url`` as the application connects: its role set at connection start. The session
    user stays the one named (the tests' superuser), so that a test may step out of the
    role for what only the database's owner may do (``audit_protection_lifted``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    with_role = parsed.update_query_dict({"options": f"-c role={APP_ROLE}"})
    return with_role.render_as_string(hide_password=False)


def migrated_engine(url: str) -> Engine:
    """The database migrated by its owner, and an engine that acts as the application."""
    owner = create_database_engine(url)
    upgrade(owner)
    if owner.dialect.name != "postgresql":
        return owner
    owner.dispose()
    return create_database_engine(as_application(url))


def empty_all_tables(engine: Engine) -> None:
    with engine.begin() as connection, audit_protection_lifted(connection):
        for table in reversed(orm.metadata.sorted_tables):
            connection.execute(table.delete())


@contextmanager
def audit_protection_lifted(connection: Connection) -> Iterator[None]:
    """For tests only: let this transaction change the append-only audit log and disclosure
    ledger, as someone with the database's own keys could (SQLite: drop the triggers;
    PostgreSQL: a superuser turns triggers off for the session). The protection is back when
    the block ends."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL ROLE NONE")  # the owner's powers, not the app's
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        yield
        connection.exec_driver_sql("SET LOCAL session_replication_role = origin")
        return
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        " AND tbl_name IN ('audit_log', 'audit_pending', 'releases', 'release_recipients',"
        " 'case_notes', 'published_reports')"
    ).all()
    for name, _ in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _, sql in triggers:
        connection.exec_driver_sql(sql)


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


def owner_url(url: str) -> str:
    """``url`` as the database's owner connects (the migrations, the operator's purges)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    return parsed.difference_update_query(["options"]).render_as_string(hide_password=False)


@pytest.fixture
def owner_engine(engine: Engine) -> Iterator[Engine]:
    """The test's database as its owner sees it: on PostgreSQL not the application's role
    (no row-level security, every grant); on SQLite the same engine."""
    if engine.dialect.name != "postgresql":
        yield engine
        return
    owner = create_database_engine(owner_url(engine.url.render_as_string(hide_password=False)))
    yield owner
    owner.dispose()


@pytest.fixture
def engine(_migrated: Engine) -> Iterator[Engine]:
    """The migrated database; after the test, every audit row it wrote is checked for the
    required content (``tests/audit_rows.py``), then every table is emptied."""
    yield _migrated
    try:
        check_audit_rows(_migrated)
    finally:
        empty_all_tables(_migrated)


def copy_database(url: str, directory: Path) -> str:
    """A copy of a prepared database: a file copy on SQLite, a template clone on PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database
        target = directory / "copy.sqlite3"
        shutil.copyfile(parsed.database, target)
        return sqlite_url(directory, target.name)
    name = f"{parsed.database}_{directory.name}"[:60].replace("-", "_")
    maintenance = parsed.set(database="postgres").render_as_string(hide_password=False)
    admin = create_engine(maintenance, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        # The template must have no open connection: every test disposes of its engine.
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """The statements sent on ``engine`` while the block runs (BEGIN and COMMIT left out)."""
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT"):
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)
