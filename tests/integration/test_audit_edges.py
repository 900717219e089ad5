"""The audit trail's edges on real SQLite and PostgreSQL: a roster's entries in one statement
and a chain longer than one page read back whole, the walk that goes on from an entry checked
before (and notices it changed or went), and a purge refused over a tampered chain."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, func, select, update

from lexdesk.adapters import orm
from lexdesk.adapters.audit_repository import SqlAuditRepository
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.errors import InvalidInput
from lexdesk.services import audit, roster
from lexdesk.services.audit_retention import PurgeAudit, purge
from lexdesk.services.context import Desk
from tests.databases import audit_protection_lifted
from tests.factories import seed_agencies
from tests.fakes import FakeClock, FakeRuleBook

START = datetime(2019, 11, 21, 15, tzinfo=UTC)
HEADER = ("nysid", "family_name", "given_name", "arrested_on", "booked_at")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def desk(engine: Engine, clock: FakeClock) -> Desk:
    desk = Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=FakeRuleBook())
    seed_agencies(desk)  # entries 1 to 15
    return desk


@pytest.fixture
def owner_desk(owner_engine: Engine, clock: FakeClock) -> Desk:
    # Purging is the owner's (migration 0004): this desk connects as the owner.
    desk = Desk(uow=lambda: SqlUnitOfWork(owner_engine, clock), clock=clock, rules=FakeRuleBook())
    seed_agencies(desk)
    return desk


def _note(desk: Desk, what: str) -> None:
    audit.record_alone(
        desk,
        actor="system",
        agency="",
        action="test.note",
        object_type="test",
        object_id=what,
        source="test",
    )


def _count(engine: Engine) -> int:
    with engine.connect() as db:
        return int(db.scalar(select(func.count()).select_from(orm.audit_log)) or 0)


def _tamper(engine: Engine, seq: int) -> None:
    with engine.begin() as db, audit_protection_lifted(db):
        table = orm.audit_log
        db.execute(update(table).where(table.c.seq == seq).values(actor="mallory"))


def test_a_roster_of_a_thousand_is_on_record_and_the_chain_reads_back_past_one_page(
    desk: Desk, engine: Engine
) -> None:
    people = [
        (line, dict(zip(HEADER, (f"{line:08d}A", "Example", "Rowan", "2019-11-20",
                                 "2019-11-20T18:00:00-05:00"), strict=True)))
        for line in range(2, 1002)
    ]  # fmt: skip
    report = roster.import_roster(desk, "doc-officer", people)
    assert report.counts["booked"] == 1000
    assert _count(engine) == 1015
    # The walk reads the log a thousand entries at a time: entry 1001 is on its second page.
    result = audit.verify(desk)
    assert (result.ok, result.checked) == (True, 1015)
    assert result.last is not None and result.last.seq == 1015
    with engine.connect() as db:
        last = db.execute(select(orm.audit_log).where(orm.audit_log.c.seq == 1015)).one()
    assert (last.action, last.actor, last.detail["line"]) == ("person.booked", "doc-officer", 1001)


def test_appending_no_entries_writes_nothing(desk: Desk, engine: Engine) -> None:
    with engine.begin() as db:
        trail = SqlAuditRepository(db, lambda: START)
        trail.submit_many([])
    assert _count(engine) == 15
    assert audit.verify(desk).checked == 15


def test_a_walk_goes_on_from_the_entry_checked_before(desk: Desk, engine: Engine) -> None:
    first = audit.verify(desk)
    assert first.last is not None and first.last.seq == 15
    _note(desk, "one")
    _note(desk, "two")
    result = audit.verify_after(desk, first.last)
    assert (result.ok, result.checked) == (True, 2)  # the new entries only
    assert result.last is not None and result.last.seq == 17
    _tamper(engine, 15)
    changed = audit.verify_after(desk, first.last)
    assert (changed.ok, changed.checked, changed.first_bad_seq) == (False, 0, 15)
    assert changed.reason == "entry 15, verified before, has changed or is gone"


def test_a_walk_from_an_entry_since_purged_says_it_is_gone(
    owner_desk: Desk, clock: FakeClock
) -> None:
    known = audit.verify(owner_desk).last
    assert known is not None and known.seq == 15
    clock.advance(days=30)
    _note(owner_desk, "a month later")  # 16
    clock.advance(days=400)
    assert purge(owner_desk, PurgeAudit(before=date(2019, 12, 1))).entries == 15
    gone = audit.verify_after(owner_desk, known)
    assert (gone.ok, gone.first_bad_seq) == (False, 15)
    assert gone.reason == "entry 15, verified before, has changed or is gone"
    assert audit.verify(owner_desk).ok  # the purge itself left a chain that checks


def test_a_purge_over_a_tampered_chain_is_refused_and_deletes_nothing(
    owner_desk: Desk, owner_engine: Engine, clock: FakeClock
) -> None:
    _tamper(owner_engine, 7)
    clock.advance(days=400)
    with pytest.raises(InvalidInput) as refused:
        purge(owner_desk, PurgeAudit(before=date(2019, 12, 1)))
    assert str(refused.value) == "audit purge refused: the chain is broken at seq 7: no purge"
    assert _count(owner_engine) == 16  # all 15 kept, and the refusal on record
    with owner_engine.connect() as db:
        refusal = db.execute(select(orm.audit_log).where(orm.audit_log.c.seq == 16)).one()
        assert db.scalar(select(func.count()).select_from(orm.audit_anchors)) == 0
    assert (refusal.action, refusal.outcome) == ("audit.purge", "denied")
