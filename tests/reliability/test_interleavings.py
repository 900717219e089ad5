"""Every interleaving of two sessions x three steps (security.md row 21), as PostgreSQL's
isolationtester does when a spec has no permutation lines.

Each session takes one instrument step: **L**oad the case, **C**hange the instrument in memory,
**S**ave and commit (with its audit entry). The 20 orders of A's and B's steps are enumerated
and the rule checked for each: the first to save wins; the other either fails
(``ConcurrencyConflict``, or ``IllegalTransition`` when it decided on fresh data that its step
no longer applies), or succeeds only if it loaded after the winner committed. Never do both
succeed on a stale read. Two workloads: A and B on the *same* instrument (A acknowledges, B
withdraws), and on two *sibling* instruments of one case (the case version is the lock of a
unit of work; an ETag names only its instrument, so with ETags two siblings both succeed).

Two ways to hold a session:

- ``transaction``: L, C and S in one unit of work, as a service call does. On PostgreSQL all 20
  orders run. On SQLite every transaction starts with ``BEGIN IMMEDIATE`` (ADR 0001), so a
  second session cannot even load while the first is open: the 18 overlapping orders are
  infeasible. The test asserts that they block (the second ``BEGIN IMMEDIATE`` times out on a
  connection with a 50 ms busy timeout) and runs the 2 serial ones.
- ``etag``: L reads in a unit of work of its own and remembers the version (a GET and its
  ETag); S is the service call with that version (a POST with If-Match). All 20 orders run on
  both databases; this is how two people collide on SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import OperationalError

from lexdesk.adapters import orm
from lexdesk.adapters.database import create_database_engine
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.errors import ConcurrencyConflict, IllegalTransition
from lexdesk.domain.vocabulary import InstrumentStatus
from lexdesk.services import audit
from lexdesk.services import instruments as verbs
from lexdesk.services.context import Desk
from tests.factories import book, seed_agencies
from tests.reliability.support import chain_ok, desk_on, snapshot

STEPS = ("L", "C", "S")


def interleavings() -> list[str]:
    """All 20 orders of A's three steps and B's three steps, as strings like 'ABABAB'."""
    orders = []
    for a_slots in combinations(range(6), 3):
        orders.append("".join("A" if i in a_slots else "B" for i in range(6)))
    return orders


def overlapping(order: str) -> bool:
    """Whether both sessions are open at once (one loads before the other has saved)."""
    return order not in ("AAABBB", "BBBAAA")


@dataclass
class Session:
    name: str
    user: str
    transition: str
    instrument_id: str
    uow: Any = None
    case: Any = None
    version: int | None = None
    loaded_at: int = -1
    outcome: str = "pending"


@pytest.fixture
def world(engine: Engine) -> tuple[Desk, dict[str, str]]:
    desk = desk_on(engine)
    seed_agencies(desk)
    person = book(desk)
    ids = {}
    for name in ("first", "second"):
        issued = verbs.issue_instrument(
            desk,
            verbs.IssueInstrument("ice-officer", "detainer", "doc", person.id, ("hold",)),
        )
        ids[name] = issued.id
    return desk, ids


def _sessions(ids: dict[str, str], workload: str) -> dict[str, Session]:
    if workload == "same":
        return {
            "A": Session("A", "doc-officer", "acknowledge", ids["first"]),
            "B": Session("B", "ice-officer", "withdraw", ids["first"]),
        }
    return {
        "A": Session("A", "doc-officer", "acknowledge", ids["first"]),
        "B": Session("B", "doc-officer", "acknowledge", ids["second"]),
    }


def _step_transaction(desk: Desk, s: Session, step: str, clock: int) -> None:
    """L, C, S inside one unit of work, as a service does it."""
    try:
        if step == "L":
            s.uow = desk.uow().__enter__()
            s.case = s.uow.cases.of_instrument(s.instrument_id)
            s.loaded_at = clock
        elif step == "C":
            s.case.instrument(s.instrument_id).apply(
                s.transition, actor=s.user, at=desk.clock.now(), reason=s.name
            )
        else:
            instrument = s.case.instrument(s.instrument_id)
            s.uow.cases.save(s.case)
            audit.record(
                s.uow,
                actor=s.user,
                agency="doc" if s.user.startswith("doc") else "ice",
                action=f"instrument.{s.transition}",
                object_type="instrument",
                object_id=instrument.id,
                source="interleaving",
            )
            s.uow.commit()
            s.outcome = "committed"
    except ConcurrencyConflict:
        s.outcome = "conflict"
    except IllegalTransition:
        s.outcome = "refused"
    if s.outcome != "pending" and s.uow is not None:
        s.uow.__exit__(None, None, None)
        s.uow = None


def _step_etag(desk: Desk, s: Session, step: str, clock: int) -> None:
    """L and S each in a unit of work of their own: read with its version, write with If-Match."""
    if step == "L":
        with desk.uow() as uow:
            case = uow.cases.of_instrument(s.instrument_id)
            assert case is not None
            s.version = case.instrument(s.instrument_id).version
        s.loaded_at = clock
        return
    if step == "C":
        return  # the person decides; nothing touches the database
    assert s.version is not None
    try:
        if s.transition == "acknowledge":
            verbs.acknowledge(
                desk, verbs.Acknowledge(s.user, s.instrument_id, s.version, s.name, "etag")
            )
        else:
            verbs.withdraw(desk, verbs.Withdraw(s.user, s.instrument_id, s.name, s.version, "etag"))
        s.outcome = "committed"
    except ConcurrencyConflict:
        s.outcome = "conflict"
    except IllegalTransition:
        s.outcome = "refused"


def _play(desk: Desk, ids: dict[str, str], workload: str, mode: str, order: str) -> dict[str, Any]:
    sessions = _sessions(ids, workload)
    done = {"A": 0, "B": 0}
    saved_at: dict[str, int] = {}
    step = _step_transaction if mode == "transaction" else _step_etag
    for clock, who in enumerate(order):
        s = sessions[who]
        name = STEPS[done[who]]
        done[who] += 1
        if s.outcome in ("conflict", "refused"):
            continue  # a session that failed takes no further step
        step(desk, s, name, clock)
        if name == "S":
            saved_at[who] = clock
    return {"sessions": sessions, "saved_at": saved_at}


def _check(order: str, mode: str, workload: str, played: dict[str, Any]) -> None:
    sessions, saved_at = played["sessions"], played["saved_at"]
    first = min(saved_at, key=saved_at.__getitem__)
    second = "B" if first == "A" else "A"
    winner, other = sessions[first], sessions[second]
    assert winner.outcome == "committed", (order, winner)
    # What a session read and names when it saves: in a transaction, the whole case (its
    # version); with an ETag, the one instrument. A sibling's change leaves that ETag valid.
    shares_what_it_read = mode == "transaction" or workload == "same"
    stale = shares_what_it_read and other.loaded_at < saved_at[first]
    if stale:
        assert other.outcome == "conflict", (order, other)
    elif workload == "same" and other.transition == "acknowledge":
        assert other.outcome == "refused", (order, other)  # withdrawn cannot be acknowledged
    else:
        assert other.outcome == "committed", (order, other)


def _expected_state(engine: Engine, ids: dict[str, str], played: dict[str, Any]) -> None:
    """The database holds exactly the committed steps: versions, events and audit entries."""
    sessions = played["sessions"]
    committed = [s for s in sessions.values() if s.outcome == "committed"]
    table, events = orm.instruments, orm.instrument_events
    with engine.connect() as db:
        rows = {r.id: r for r in db.execute(select(table))}
        n_events = db.scalar(
            select(func.count()).select_from(events).where(events.c.reason.in_(("A", "B")))
        )
        case_version = db.scalar(select(orm.cases.c.version))
    assert n_events == len(committed)
    # The case: 1 at insert, +1 per issue (two), +1 per committed step.
    assert case_version == 3 + len(committed)
    for instrument_id in ids.values():
        moved = [s for s in committed if s.instrument_id == instrument_id]
        assert rows[instrument_id].version == 1 + len(moved)
        if moved:
            final = {"acknowledge": "acknowledged", "withdraw": "withdrawn"}[moved[-1].transition]
            assert rows[instrument_id].status == final
        else:
            assert rows[instrument_id].status == InstrumentStatus.ISSUED.value


def test_there_are_twenty_orders() -> None:
    orders = interleavings()
    assert len(orders) == len(set(orders)) == 20
    assert sum(not overlapping(o) for o in orders) == 2


@pytest.mark.parametrize("workload", ["same", "sibling"])
@pytest.mark.parametrize("mode", ["transaction", "etag"])
def test_every_interleaving_lets_exactly_one_stale_writer_win(
    engine: Engine, world: tuple[Desk, dict[str, str]], mode: str, workload: str
) -> None:
    desk, ids = world
    sqlite = engine.dialect.name == "sqlite"
    baseline = snapshot(engine)
    played_orders = 0
    for order in interleavings():
        if mode == "transaction" and sqlite and overlapping(order):
            _assert_second_begin_blocks(engine, desk)
            continue
        played = _play(desk, ids, workload, mode, order)
        _check(order, mode, workload, played)
        _expected_state(engine, ids, played)
        _restore(engine, baseline)
        played_orders += 1
    assert played_orders == (2 if mode == "transaction" and sqlite else 20)
    chain_ok(desk)


def _assert_second_begin_blocks(engine: Engine, desk: Desk) -> None:
    """On SQLite a second session cannot start while the first holds its transaction."""
    impatient = create_database_engine(str(engine.url))

    @event.listens_for(impatient, "connect")
    def _short(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout = 50")

    with desk.uow():  # session A has loaded and holds BEGIN IMMEDIATE
        second = SqlUnitOfWork(impatient, desk.clock)
        with pytest.raises(OperationalError, match="locked"):
            second.__enter__()
    # The refused unit of work gave its connection back (it used to keep it checked out).
    assert impatient.pool.checkedout() == 0  # type: ignore[attr-defined]
    impatient.dispose()


def _restore(engine: Engine, baseline: dict[str, list[tuple[Any, ...]]]) -> None:
    """Put every table back as it was before the order was played (the audit log included)."""
    from tests.databases import audit_protection_lifted

    with engine.begin() as db, audit_protection_lifted(db):
        for table in reversed(orm.metadata.sorted_tables):
            db.execute(table.delete())
        for table in orm.metadata.sorted_tables:
            rows = baseline[table.name]
            if rows:
                columns = [c.name for c in table.columns]
                db.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])
    assert snapshot(engine) == baseline
