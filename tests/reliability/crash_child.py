"""The process that ``test_crash_sqlite`` kills: it commits business transactions in a loop and
prints each one's id only after its commit returned (``python -m tests.reliability.crash_child
URL RUN``). Alternately it books a person (person, identifier, conviction, custody, charge,
audit entry) and files a detainer about them (case, instrument, event, audit entry)."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime

from lexdesk.adapters.clock import SystemClock
from lexdesk.adapters.database import create_database_engine
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.persons import Charge, Conviction
from lexdesk.services import instruments, persons
from lexdesk.services.context import Desk
from tests.fakes import FakeRuleBook


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(url: str, run: str) -> None:
    engine = create_database_engine(url)
    clock = SystemClock()
    desk = Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=FakeRuleBook())
    _say("ready")
    n = 0
    while True:
        n += 1
        person = persons.book_person(
            desk,
            persons.BookPerson(
                actor="doc-officer",
                family_name="Crash",
                given_name=f"Run {run}",
                arrested_on=date(2019, 11, 20),
                booked_at=datetime(2019, 11, 20, 18, tzinfo=UTC),
                identifiers={"nysid": f"K{run}-{n}"},
                charges=(Charge("NY PL 120.05", "D felony", date(2019, 11, 20)),),
                convictions=(Conviction("NY PL 160.15", "B felony", date(2016, 3, 1), "2y"),),
            ),
        )
        _say(person.id)
        detainer = instruments.issue_instrument(
            desk,
            instruments.IssueInstrument("ice-officer", "detainer", "doc", person.id, ("hold",)),
        )
        _say(detainer.id)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
