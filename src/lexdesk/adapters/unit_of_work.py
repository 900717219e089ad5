"""The unit of work: one database transaction that rolls back unless committed."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from lexdesk.adapters.accounts_repository import SqlAccountRepository
from lexdesk.adapters.audit_repository import SqlAuditRepository, sequence_on
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

log = logging.getLogger(__name__)


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
        # PostgreSQL chains from transactions of its own, which read the latest committed
        # state (this one reads its snapshot); SQLite's writers queue anyway, so a transaction
        # there chains its own entries before it commits.
        postgres = db.dialect.name == "postgresql"
        self.audit = SqlAuditRepository(db, now, self._sequence if postgres else None)
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
        if agency_id == self._acting != acting_agency.EVERY_AGENCY:
            return  # the transaction began acting for it (database.py's "begin")
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
        submitted, self.audit.submitted = self.audit.submitted, False
        postgres = self.connection.dialect.name == "postgresql"
        try:
            if submitted and not postgres:
                self.audit.catch_up()
            self.connection.commit()
        except OperationalError as error:
            # SQLite refuses to commit a write made from a snapshot someone else has moved on.
            raise ConcurrencyConflict("database", "snapshot", -1) from error
        if submitted and postgres:
            self._chain_after_commit()

    def _sequence(self, *, wait: bool = True) -> int:
        """Chain on this unit of work's own connection (a second one per request would halve
        what the pool can serve), outside its transaction: after its commit, or, for a reader
        of the whole chain, before it has read anything (what it began is ended first)."""
        self.rollback()
        return sequence_on(self.connection, self._clock.now, wait=wait)

    def _chain_after_commit(self) -> None:
        """Chain what this transaction submitted, unless someone else holds the chain (they
        chain it). The work and its entries are committed: a failure here leaves the entries
        waiting for the next sequencer (any commit, the worker, a reader of the whole chain),
        and the request is not failed for it."""
        try:
            self._sequence(wait=False)
        except Exception as error:  # whatever it was, what the request did stands
            log.warning("audit entries left waiting to be chained (%s)", type(error).__name__)

    def rollback(self) -> None:
        if self.connection.in_transaction():
            self.connection.rollback()
