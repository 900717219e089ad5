"""Engines for both databases, each with the connection settings it needs to be safe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from lexdesk.services import acting_agency

#: The setting row-level security reads (migration 0023): the agency a transaction acts for.
ACTING_SETTING = "lexdesk.agency"
#: Every connection of the desk starts out acting for every agency, as the worker and the
#: operator do; a connection made without it (psql as the application's role) sees nothing.
_CONNECTION_OPTIONS = f"-c jit=off -c {ACTING_SETTING}={acting_agency.EVERY_AGENCY}"


@dataclass(frozen=True)
class Pool:
    """A process's PostgreSQL connections: kept open, opened beyond those when all are busy,
    and the seconds a checkout waits when every one is in use."""

    size: int = 5
    overflow: int = 10
    timeout: float = 30.0


def create_database_engine(url: str, *, echo: bool = False, pool: Pool = Pool()) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo=echo)
    # No ping before each checkout: it is a round trip on every request. A connection the
    # server dropped fails its statement once; SQLAlchemy then discards every pooled
    # connection, and the next request connects afresh. JIT compilation is off: the desk's
    # statements are short, and PostgreSQL's cost model would compile them for longer than
    # they run.
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,  # an error's message never carries the names and records bound
        pool_pre_ping=False,
        pool_recycle=1800,
        pool_size=pool.size,
        max_overflow=pool.overflow,
        pool_timeout=pool.timeout,
        connect_args={"options": _options(parsed.query.get("options"))},
    )
    event.listen(engine, "begin", _act_for_scope)
    return engine


def _options(given: str | tuple[str, ...] | None) -> str:
    """The desk's own server options after those the URL gives (``?options=-c role=...``):
    ``connect_args`` would otherwise replace them."""
    named = (given,) if isinstance(given, str) else tuple(given or ())
    return " ".join((*named, _CONNECTION_OPTIONS))


def _act_for_scope(connection: Connection) -> None:
    """Narrow the transaction to the agency its request or command acts for, if it is known
    yet; a transaction of the worker or of sign-in keeps the connection's ``*``."""
    agency = acting_agency.acting()
    if agency != acting_agency.EVERY_AGENCY:
        act_for(connection, agency)


def act_for(connection: Connection, agency: str) -> None:
    """Until the transaction ends, PostgreSQL shows ``connection`` only ``agency``'s rows."""
    connection.exec_driver_sql("SELECT set_config(%s, %s, true)", (ACTING_SETTING, agency))


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        from pathlib import Path

        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: an error's message never carries the names and records bound to it.
    engine = create_engine(url, echo=echo, hide_parameters=True, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, open transactions, so BEGIN IMMEDIATE can be issued.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # Durable across power loss, not only across a crash of the process.
        cursor.execute("PRAGMA synchronous=FULL")
        # What is deleted or rewritten is overwritten with zeros, not left in free pages: a
        # record sealed in place, or a person's row removed, leaves nothing readable behind.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # Take the write lock at the start, so two writers queue instead of failing on upgrade.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_snapshot_engine(url: str) -> Engine:
    """An engine whose transactions read one consistent state of the whole database while
    others go on writing: what a backup reads. On SQLite a deferred ``BEGIN`` in WAL mode
    (the desk's engine takes the write lock at ``BEGIN``, which would stop every writer for
    the length of the backup); on PostgreSQL a read-only REPEATABLE READ transaction, as
    ``pg_dump`` takes."""
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(
            url,
            hide_parameters=True,
            isolation_level="REPEATABLE READ",
            execution_options={"postgresql_readonly": True},
            # A backup reads every agency's rows.
            connect_args={"options": _options(make_url(url).query.get("options"))},
        )
    engine = create_engine(url, hide_parameters=True, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA query_only=1")

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine
