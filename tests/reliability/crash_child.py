"""The process the crash harness kills (``tests/reliability/crashes.py``): it commits business
transactions in a loop and writes each one's id only after its commit returned. Alternately it
books a person (person, identifier, name index, custody, audit entry) and files a
detainer about them (case, instrument, event, audit entry), as the desk's own use cases do.

The harness forks it from a process that has imported the desk already, so a child is in its
loop within milliseconds; it opens its own engine and connections. A byte of shared memory
says where in its loop it is, so that the harness knows, after the kill, whether a commit may
have been caught between its COMMIT and its acknowledgement. ``python -m
tests.reliability.crash_child URL RUN`` runs the same loop on standard output."""

from __future__ import annotations

import os
import sys
import traceback
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from lexdesk.adapters.clock import SystemClock
from lexdesk.adapters.database import create_database_engine
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.persons import Charge, Conviction
from lexdesk.services import instruments, persons
from lexdesk.services.context import Desk
from tests.fakes import FakeRuleBook

#: Where the child is (the shared byte): between transactions, its last id written...
IDLE = 0
#: ...inside a transaction that has not yet sent its COMMIT (it must leave nothing behind)...
IN_TRANSACTION = 1
#: ...COMMIT sent, not yet returned (the transaction may or may not be there)...
COMMITTING = 2
#: ...committed, its id perhaps not yet written (it must be there, acknowledged or not).
COMMITTED = 3
PHASES = {
    IDLE: "between transactions",
    IN_TRANSACTION: "inside a transaction",
    COMMITTING: "during COMMIT",
    COMMITTED: "after COMMIT, before the acknowledgement",
}


def application_name(run: int) -> str:
    """How the harness finds the child's PostgreSQL session (``pg_stat_activity``)."""
    return f"lexdesk-crash-{run}"


def desk_for(engine: Engine) -> Desk:
    clock = SystemClock()
    return Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=FakeRuleBook())


def book(desk: Desk, tag: str, n: int) -> str:
    return persons.book_person(
        desk,
        persons.BookPerson(
            actor="doc-officer",
            # The same name for every run: each booking adds the same rows to the name index.
            family_name="Crash",
            given_name="Runner",
            arrested_on=date(2019, 11, 20),
            booked_at=datetime(2019, 11, 20, 18, tzinfo=UTC),
            identifiers={"nysid": f"K{tag}-{n}"},
            charges=(Charge("NY PL 120.05", "D felony", date(2019, 11, 20)),),
            convictions=(Conviction("NY PL 160.15", "B felony", date(2016, 3, 1), "2y"),),
        ),
    ).id


def file_detainer(desk: Desk, person_id: str) -> str:
    return instruments.issue_instrument(
        desk, instruments.IssueInstrument("ice-officer", "detainer", "doc", person_id, ("hold",))
    ).id


def child_engine(url: str, run: int) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.update_query_dict({"application_name": application_name(run)})
    return create_database_engine(parsed.render_as_string(hide_password=False))


def commit_forever(url: str, run: int, ack_fd: int, phase: Any = None) -> None:
    """Book and file until killed; write ``id\\n`` to ``ack_fd`` after each commit returned.
    ``phase`` is a shared ``ctypes.c_byte`` (or None). A failure is written as one line ``!...``."""
    try:
        engine = child_engine(url, run)
        if phase is not None:
            _track(engine, phase)
        desk = desk_for(engine)

        def acknowledge(transaction_id: str) -> None:
            if phase is not None:
                phase.value = COMMITTED
            os.write(ack_fd, f"{transaction_id}\n".encode())  # one write: a whole line or none
            if phase is not None:
                phase.value = IDLE

        n = 0
        while True:
            n += 1
            person = book(desk, str(run), n)
            acknowledge(person)
            acknowledge(file_detainer(desk, person))
    except BaseException as error:
        last = traceback.format_exception_only(error)[-1].strip().replace("\n", " ")
        os.write(ack_fd, f"!{last}\n".encode())
        raise


def _track(engine: Engine, phase: Any) -> None:
    def begun(_connection: object) -> None:
        # After the operation's COMMIT, the sequencer's own transaction chains its audit
        # entries (ADR 0029) before the use case returns: the operation stays committed.
        if phase.value < COMMITTING:
            phase.value = IN_TRANSACTION

    def committing(_connection: object) -> None:
        phase.value = COMMITTING

    event.listen(engine, "begin", begun)
    event.listen(engine, "commit", committing)


if __name__ == "__main__":
    commit_forever(sys.argv[1], int(sys.argv[2]), sys.stdout.fileno())
