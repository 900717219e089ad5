"""Two requests at the same instant, on PostgreSQL with real concurrent connections: a login
ticket and a TOTP code make one session, never two; two requests about one person open one
case, never two (issue "Lawful by construction", item 10).

Each race is forced: both transactions are held at a barrier just after they read (the ticket
unused, no open case), so both decide on the same state before either writes. SQLite cannot
race (a write transaction starts with ``BEGIN IMMEDIATE``, ADR 0001): the second would wait at
the start, so these run on PostgreSQL only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pyotp
import pytest
from sqlalchemy import Engine, event, func, select

from lexdesk.adapters import orm
from lexdesk.domain.errors import LexdeskError
from lexdesk.services import accounts, agencies
from lexdesk.services import instruments as verbs
from tests.factories import book, seed_agencies
from tests.fakes import FakeClock
from tests.reliability.support import desk_on

PASSWORD = "a long enough test passphrase 7"


@contextmanager
def held_after(engine: Engine, reads: str, parties: int = 2) -> Iterator[None]:
    """Hold each of ``parties`` transactions just after its first statement that reads
    ``reads``, until all have read it (then they go on together)."""
    barrier = threading.Barrier(parties, timeout=10)
    waited: set[int] = set()

    def hold(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        me = threading.get_ident()
        reading = statement.lstrip().upper().startswith("SELECT") and reads in statement
        if reading and me not in waited:
            waited.add(me)
            barrier.wait()

    event.listen(engine, "after_cursor_execute", hold)
    try:
        yield
    finally:
        event.remove(engine, "after_cursor_execute", hold)


def together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads at once; each one's result or the error it raised."""
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            results[i] = call()
        except (LexdeskError, Exception) as error:  # each side's outcome is what is checked
            results[i] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.fixture
def postgres(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: two transactions cannot race (ADR 0001)")
    return engine


def test_one_ticket_and_one_code_make_one_session(postgres: Engine) -> None:
    clock = FakeClock(datetime(2020, 1, 17, 15, tzinfo=UTC))
    desk = desk_on(postgres, clock)
    seed_agencies(desk)
    command = agencies.AddUser("racer", "doc", "A Racer", ("officer",))
    _, enrolment = accounts.add_account(desk, command, PASSWORD)
    ticket = accounts.begin_login(desk, "racer", PASSWORD, "test")
    code = pyotp.TOTP(enrolment.totp_secret).at(clock.now())
    with held_after(postgres, "login_tickets"):
        results = together(
            lambda: accounts.complete_login(desk, ticket, code, "a"),
            lambda: accounts.complete_login(desk, ticket, code, "b"),
        )
    signed_in = [r for r in results if isinstance(r, tuple)]
    assert len(signed_in) == 1, results
    refused = [r for r in results if not isinstance(r, tuple)]
    assert isinstance(refused[0], LexdeskError)
    with postgres.connect() as db:
        sessions = db.scalar(select(func.count()).select_from(orm.sessions))
    assert sessions == 1


def test_two_requests_about_one_person_open_one_case(postgres: Engine) -> None:
    desk = desk_on(postgres)
    seed_agencies(desk)
    person = book(desk)

    def request(kind: str) -> Any:
        return verbs.issue_instrument(
            desk,
            verbs.IssueInstrument(
                "ice-officer", kind, "doc", person.id, ("disclose:home_address",)
            ),
        )

    with held_after(postgres, "FROM cases"):
        first, second = together(
            lambda: request("information_request"), lambda: request("notification_request")
        )
    assert not isinstance(first, Exception) and not isinstance(second, Exception), (first, second)
    assert first.case_id == second.case_id
    with postgres.connect() as db:
        cases = db.scalar(select(func.count()).select_from(orm.cases))
        joined = db.scalar(select(func.count()).select_from(orm.instruments))
    assert (cases, joined) == (1, 2)
