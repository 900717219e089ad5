"""The unit of work: one database transaction that rolls back unless committed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from lexdesk.adapters.accounts_repository import SqlAccountRepository
from lexdesk.adapters.audit_repository import SqlAuditRepository
from lexdesk.adapters.database import act_for
from lexdesk.adapters.deadlines_repository import SqlDeadlineRepository
from lexdesk.adapters.documents_repository import SqlDocumentRepository
from lexdesk.adapters.ledger_repository import SqlReleaseRepository
from lexdesk.adapters.outbox_repository import SqlOutboxRepository
from lexdesk.adapters.persons_repository import SqlPersonRepository
from lexdesk.adapters.report_archive import SqlReportArchive
from lexdesk.adapters.repository import SqlAgencyRepository, SqlCaseRepository, SqlUserRepository
from lexdesk.adapters.sealing import DEVELOPMENT, Sealer
from lexdesk.adapters.work_repository import SqlWorkRepository
from lexdesk.domain.errors import ConcurrencyConflict
from lexdesk.services import acting_agency
from lexdesk.services.ports import Clock


class SqlUnitOfWork:
    agencies: SqlAgencyRepository
    users: SqlUserRepository
    persons: SqlPersonRepository
    cases: SqlCaseRepository
    releases: SqlReleaseRepository
    accounts: SqlAccountRepository
    audit: SqlAuditRepository
    outbox: SqlOutboxRepository
    deadlines: SqlDeadlineRepository
    work: SqlWorkRepository
    documents: SqlDocumentRepository

    def __init__(self, engine: Engine, clock: Clock, sealer: Sealer = DEVELOPMENT) -> None:
        self._engine = engine
        self._clock = clock
        self._sealer = sealer  # seals the secrets kept at rest (adapters.sealing)
        self._connection: Connection | None = None

    @property
    def sealer(self) -> Sealer:
        """The key ring that seals what is kept at rest (for bulk writers: the seeder)."""
        return self._sealer

    def __enter__(self) -> Self:
        self._connection = self._engine.connect()
        try:
            self._connection.begin()
        except BaseException:
            # __exit__ does not run when __enter__ fails: give the connection back here, or it
            # stays checked out of the pool until the garbage collector finds it.
            self._connection.close()
            self._connection = None
            raise
        db, now = self._connection, self._clock.now
        self._acting = acting_agency.acting()  # what the engine's "begin" set (database.py)
        self.agencies = SqlAgencyRepository(db, now)
        self.users = SqlUserRepository(db, now)
        self.persons = SqlPersonRepository(db, now, self._sealer)
        self.cases = SqlCaseRepository(db, self._sealer)
        self.releases = SqlReleaseRepository(db, self._sealer)
        self.accounts = SqlAccountRepository(db, self._sealer)
        self.audit = SqlAuditRepository(db, now)
        self.outbox = SqlOutboxRepository(db)
        self.deadlines = SqlDeadlineRepository(db)
        self.work = SqlWorkRepository(db, self._sealer)
        self.documents = SqlDocumentRepository(db)
        self.reports = SqlReportArchive(db)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        try:
            self.rollback()
        finally:
            self._connection.close()
            self._connection = None

    @property
    def connection(self) -> Connection:
        """For the read side (queries) inside the same transaction."""
        assert self._connection is not None, "the unit of work is not open"
        return self._connection

    def narrow_to(self, agency_id: str) -> None:
        """From here on this transaction, and the later ones of its request or command, act
        for ``agency_id``: on PostgreSQL, row-level security hides every other agency's rows
        (migration 0023); SQLite has no such wall, and the services' own checks are all."""
        acting_agency.narrow(agency_id)
        self._acting = agency_id
        if self.connection.dialect.name == "postgresql":
            act_for(self.connection, agency_id)

    @contextmanager
    def across_agencies(self) -> Iterator[None]:
        """For the statements of the block, the wall is down: the few lookups the law itself
        makes across agencies (a detainer names a person a jail holds), each one written out
        where it is made. The transaction acts for its agency again after the block."""
        postgres = self.connection.dialect.name == "postgresql"
        if postgres:
            act_for(self.connection, acting_agency.EVERY_AGENCY)
        try:
            yield
        finally:
            if postgres:
                act_for(self.connection, self._acting)

    def commit(self) -> None:
        try:
            self.connection.commit()
        except OperationalError as error:
            # SQLite refuses to commit a write made from a snapshot someone else has moved on.
            raise ConcurrencyConflict("database", "snapshot", -1) from error

    def rollback(self) -> None:
        if self.connection.in_transaction():
            self.connection.rollback()
