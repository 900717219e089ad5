"""What a write sends to the database (issue 14, item 5: the statements per issue counted and
cut; ``benchmarks/bench_issue_load.py`` measures the rate). Each statement is a round trip and,
in the desk's process, about as much CPU as the rest of the verb's work per statement: a
statement more in the services is a slower desk for every client."""

from __future__ import annotations

from sqlalchemy import Engine

from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.services import instruments as v
from lexdesk.services.context import Desk
from tests.databases import counted
from tests.documents_world import seed
from tests.factories import book
from tests.fakes import FakeClock

#: Statements one issue sends, by database: PostgreSQL also narrows the transaction to its
#: agency and opens the wall for the person's look-up (row-level security), and chains the
#: audit entry in a transaction of its own after the commit (ADR 0029). BEGIN and COMMIT are
#: not counted (PostgreSQL's BEGIN is implicit; SQLite's is sent as a statement).
ISSUE_STATEMENTS = {"sqlite": 23, "postgresql": 26}


def _desk(engine: Engine) -> Desk:
    clock = FakeClock()
    return Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=PackRuleBook())


def _issue(desk: Desk, person: str, kind: str) -> None:
    actions = ("notify_release", "disclose:release_date")
    v.issue_instrument(
        desk, v.IssueInstrument("ice-officer", kind, "doc", person, actions, "administrative")
    )


def test_an_issue_sends_no_statement_more_than_it_needs(engine: Engine) -> None:
    desk = _desk(engine)
    seed(desk)
    person = book(desk).id
    budget = ISSUE_STATEMENTS[engine.dialect.name]
    with counted(engine) as sent:
        _issue(desk, person, "detainer")  # opens the case
    assert len(sent) <= budget, "\n".join(sent)
    with counted(engine) as sent:
        _issue(desk, person, "notification_request")  # joins the open case
    assert len(sent) <= budget, "\n".join(sent)
    # The recipients of releases are not asked about a person with none.
    assert not any("release_recipients" in s for s in sent)
