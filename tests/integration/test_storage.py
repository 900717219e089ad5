"""The repositories and the unit of work on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from lexdesk.adapters import orm
from lexdesk.adapters.repository import SqlCaseRepository
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.errors import ConcurrencyConflict, InvalidInput
from lexdesk.domain.vocabulary import InstrumentStatus
from lexdesk.queries.lists import open_instruments, overdue_instrument_ids
from lexdesk.services import instruments as verbs
from lexdesk.services.context import Desk
from tests.factories import book, declined, detainer, seed_agencies
from tests.fakes import FakeClock, FakeRuleBook


@pytest.fixture
def desk(engine: Engine) -> Desk:
    clock = FakeClock(datetime(2019, 11, 21, 15, tzinfo=UTC))
    desk = Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=FakeRuleBook())
    seed_agencies(desk)
    return desk


def test_a_case_round_trips_with_its_due_date_and_determination(desk: Desk) -> None:
    first = detainer(desk, book(desk))
    declined(desk, first)
    with desk.uow() as uow:
        case = uow.cases.of_instrument(first)
    assert case is not None
    loaded = case.instrument(first)
    assert loaded.status is InstrumentStatus.DECLINED
    assert loaded.due is not None and loaded.due.rule == "hold_clock_hours"  # Form I-247A
    assert loaded.due_at == loaded.due.due_at and loaded.due_at.tzinfo is not None
    assert loaded.determination is not None and loaded.determination.evaluation is not None
    assert loaded.version == 3  # issued, acknowledged, determined


def test_every_transition_is_an_event_with_actor_time_and_states(
    desk: Desk, engine: Engine
) -> None:
    first = detainer(desk, book(desk))
    declined(desk, first)
    with engine.connect() as db:
        rows = db.execute(
            select(orm.instrument_events)
            .where(orm.instrument_events.c.instrument_id == first)
            .order_by(orm.instrument_events.c.id)
        ).all()
    assert [(r.transition, r.from_status, r.to_status, r.actor) for r in rows] == [
        ("issue", "draft", "issued", "ice-officer"),
        ("acknowledge", "issued", "acknowledged", "doc-officer"),
        ("determine", "acknowledged", "declined", "doc-legal"),
    ]
    assert rows[2].reason == "No judicial warrant."
    assert rows[2].changes == {
        "outcome": "declined",
        "released": [],
        "performed": [],
        "override": False,
    }
    assert rows[0].at == datetime(2019, 11, 21, 15, tzinfo=UTC)


def test_a_stale_update_from_another_unit_of_work_is_a_conflict(desk: Desk) -> None:
    first = detainer(desk, book(desk))
    with desk.uow() as reader:
        stale = reader.cases.of_instrument(first)
    with desk.uow() as writer:
        fresh = writer.cases.of_instrument(first)
        assert fresh is not None
        fresh.instrument(first).apply("acknowledge", actor="doc-officer", at=desk.clock.now())
        writer.cases.save(fresh)
        writer.commit()
    assert stale is not None
    stale.instrument(first).apply("withdraw", actor="ice-officer", at=desk.clock.now())
    with desk.uow() as late, pytest.raises(ConcurrencyConflict):
        late.cases.save(stale)
    with desk.uow() as check:
        again = check.cases.of_instrument(first)
    assert again is not None and again.instrument(first).status is InstrumentStatus.ACKNOWLEDGED


def test_overlapping_units_of_work_on_postgresql_conflict(desk: Desk, engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises write transactions: two cannot overlap (see the test above)")
    first = detainer(desk, book(desk))
    with desk.uow() as one, desk.uow() as two:
        a, b = one.cases.of_instrument(first), two.cases.of_instrument(first)
        assert a is not None and b is not None
        a.instrument(first).apply("acknowledge", actor="doc-officer", at=desk.clock.now())
        one.cases.save(a)
        one.commit()
        b.instrument(first).apply("withdraw", actor="ice-officer", at=desk.clock.now())
        with pytest.raises(ConcurrencyConflict):
            two.cases.save(b)


def test_a_refused_command_leaves_nothing_half_written(
    desk: Desk, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = book(desk)
    with engine.connect() as db:
        before = db.scalar(select(func.count()).select_from(orm.cases))
    with pytest.raises(InvalidInput):
        verbs.issue_instrument(
            desk,
            verbs.IssueInstrument(
                "ice-officer", "detainer", "doc", person.id, ("disclose:shoe_size",)
            ),
        )

    # A failure at the last write step (after the case row is inserted) must undo the case too.
    def broken_save(self: SqlCaseRepository, case: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(SqlCaseRepository, "save", broken_save)
    with pytest.raises(RuntimeError):
        detainer(desk, person)
    with engine.connect() as db:
        assert db.scalar(select(func.count()).select_from(orm.cases)) == before


def test_uncommitted_work_is_rolled_back(desk: Desk, engine: Engine) -> None:
    first = detainer(desk, book(desk))
    with desk.uow() as uow:
        case = uow.cases.of_instrument(first)
        assert case is not None
        case.instrument(first).apply("acknowledge", actor="doc-officer", at=desk.clock.now())
        uow.cases.save(case)
    with engine.connect() as db:
        status = db.scalar(select(orm.instruments.c.status).where(orm.instruments.c.id == first))
    assert status == "issued"


def test_the_sweeper_lapses_overdue_instruments_once(desk: Desk, engine: Engine) -> None:
    person = book(desk)
    request = verbs.issue_instrument(
        desk,
        verbs.IssueInstrument(
            "ice-officer", "information_request", "doc", person.id, ("disclose:release_date",)
        ),
    )
    assert request.due_at is not None
    with engine.connect() as db:
        assert overdue_instrument_ids(db, request.due_at) == []
    desk.clock.moment = request.due_at + timedelta(minutes=1)  # type: ignore[attr-defined]
    with engine.connect() as db:
        overdue = overdue_instrument_ids(db, desk.clock.now())
    assert overdue == [request.id]
    assert [i.status for i in verbs.lapse_overdue(desk, overdue)] == [InstrumentStatus.LAPSED]
    assert verbs.lapse_overdue(desk, overdue) == []
    with engine.connect() as db:
        assert overdue_instrument_ids(db, desk.clock.now()) == []


def test_the_inbox_lists_open_instruments_soonest_due_first(desk: Desk, engine: Engine) -> None:
    person = book(desk)
    issued = [detainer(desk, person) for _ in range(3)]
    request = verbs.issue_instrument(
        desk,
        verbs.IssueInstrument(
            "ice-officer", "information_request", "doc", person.id, ("disclose:release_date",)
        ),
    ).id
    verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", issued[1]))
    declined(desk, issued[2])  # answered: no longer in the inbox
    with engine.connect() as db:
        inbox = open_instruments(db, "doc")
        rows = db.execute(
            select(orm.instruments).where(orm.instruments.c.id.in_([*issued, request]))
        ).all()
    due = {row.id: row.due_at for row in rows}
    expected = sorted([issued[0], issued[1], request], key=lambda i: (due[i], i))
    assert [row.id for row in inbox] == expected
    assert {row.status for row in inbox} == {"issued", "acknowledged"}
    with engine.connect() as db:
        assert [row.id for row in open_instruments(db, "doc", limit=1)] == expected[:1]
