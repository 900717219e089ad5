"""Writing a batch of rows inside the caller's transaction: COPY on PostgreSQL (psycopg 3's
``cursor.copy`` with ``write_row``, into the application's own tables and their indexes), and
on SQLite, which has no COPY, ``executemany`` with the values as SQLAlchemy stores them there
(naive UTC times, ISO dates, 1 and 0), some ten times slower."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Protocol

import psycopg
from psycopg import sql
from sqlalchemy import Connection, insert

from lexdesk.adapters import orm
from lexdesk.adapters.seeding.rows import Row, Rows, Value


class Writer(Protocol):
    def write(self, rows: Rows) -> None: ...


def writer_for(connection: Connection) -> Writer:
    if connection.dialect.name == "postgresql":
        return CopyWriter(connection)
    return ManyWriter(connection)


class CopyWriter:
    """One COPY per table, parents first; the foreign keys and indexes are checked and kept as
    for any insert."""

    def __init__(self, connection: Connection) -> None:
        driver = connection.connection.driver_connection
        assert isinstance(driver, psycopg.Connection), "PostgreSQL through psycopg 3"
        self._db = driver

    def write(self, rows: Rows) -> None:
        with self._db.cursor() as cursor:
            for table, columns, found in rows.in_order():
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                with cursor.copy(statement) as copy:
                    for row in found:
                        copy.write_row(row)


class ManyWriter:
    """``executemany`` per table in the caller's transaction, for SQLite."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def write(self, rows: Rows) -> None:
        for table, columns, found in rows.in_order():
            # The statement only: the values are given as the driver takes them.
            insert_row = insert(orm.metadata.tables[table]).compile(
                dialect=self._db.dialect, column_keys=list(columns)
            )
            self._db.exec_driver_sql(str(insert_row), [_stored(row) for row in found])


def _stored(row: Row) -> Sequence[object]:
    return tuple(_sqlite_value(value) for value in row)


def _sqlite_value(value: Value) -> object:
    # What SQLAlchemy's types store on SQLite: ``UTCDateTime`` naive UTC in its DATETIME
    # format, Date as ISO, Boolean as 1 or 0.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value
