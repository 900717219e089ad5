"""Audit retention on real SQLite and PostgreSQL (security.md row 18; CJIS AU-11): a purge
keeps a year at least, removes only a prefix of the chain, leaves it verifying from a recorded
anchor, and is on record; an ordinary DELETE is still refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, create_engine, delete, func, insert, select, text
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from lexdesk.adapters import orm
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.errors import InvalidInput
from lexdesk.services import audit
from lexdesk.services.audit_retention import PurgeAudit, purge
from lexdesk.services.context import Desk
from tests.databases import audit_protection_lifted
from tests.factories import seed_agencies
from tests.fakes import FakeClock, FakeRuleBook

START = datetime(2019, 11, 21, 15, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def desk(owner_engine: Engine, clock: FakeClock) -> Desk:
    # Purging is the owner's (migration 0004): the desk of these tests connects as the owner.
    desk = Desk(uow=lambda: SqlUnitOfWork(owner_engine, clock), clock=clock, rules=FakeRuleBook())
    seed_agencies(desk)  # 15 entries on 2019-11-21
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


def _seqs(engine: Engine) -> list[int]:
    with engine.connect() as db:
        return list(db.scalars(select(orm.audit_log.c.seq).order_by(orm.audit_log.c.seq)))


def test_a_purge_of_entries_younger_than_a_year_is_refused_and_deletes_nothing(
    desk: Desk, owner_engine: Engine, clock: FakeClock
) -> None:
    clock.advance(days=364)
    with pytest.raises(InvalidInput, match="younger than 365 days are kept: use 2019-11-20"):
        purge(desk, PurgeAudit(before=date(2019, 11, 22)))
    assert _seqs(owner_engine) == list(range(1, 17))  # all 15 kept, and the refusal on record
    with owner_engine.connect() as db:
        refusal = db.execute(select(orm.audit_log).where(orm.audit_log.c.seq == 16)).one()
        assert db.scalar(select(func.count()).select_from(orm.audit_anchors)) == 0
    assert (refusal.action, refusal.outcome) == ("audit.purge", "denied")
    assert audit.verify(desk).ok


def test_a_purge_removes_a_prefix_and_the_chain_still_verifies(
    desk: Desk, owner_engine: Engine, clock: FakeClock
) -> None:
    clock.advance(days=30)
    _note(desk, "a month later")  # seq 16
    clock.advance(days=400)
    done = purge(desk, PurgeAudit(before=date(2019, 12, 1)))
    assert done.entries == 15 and done.anchor is not None and done.anchor.seq == 15
    assert _seqs(owner_engine) == [16, 17]
    result = audit.verify(desk)
    assert result.ok and result.checked == 2
    with owner_engine.connect() as db:
        entry = db.execute(select(orm.audit_log).where(orm.audit_log.c.seq == 17)).one()
    assert entry.action == "audit.purge" and entry.detail["through_seq"] == 15
    _note(desk, "after the purge")  # seq 18, like 17 on 2021-01-24
    clock.advance(days=400)
    assert purge(desk, PurgeAudit(before=date(2021, 1, 1))).entries == 1  # seq 16 only
    assert purge(desk, PurgeAudit(before=date(2021, 2, 1))).entries == 2  # 17 and 18
    assert audit.verify(desk).ok and _seqs(owner_engine) == [19, 20]


def test_an_anchor_that_no_purge_entry_records_fails_verification(
    desk: Desk, owner_engine: Engine
) -> None:
    with owner_engine.begin() as db, audit_protection_lifted(db):
        head = db.execute(select(orm.audit_log).where(orm.audit_log.c.seq == 5)).one()
        db.execute(
            insert(orm.audit_anchors).values(
                seq=5, hash=head.hash, purged_at=START, purged_by="mallory"
            )
        )
        db.execute(delete(orm.audit_log).where(orm.audit_log.c.seq <= 5))
    result = audit.verify(desk)
    assert not result.ok and "no audit.purge entry names the anchor" in str(result.reason)


def test_an_ordinary_delete_is_still_refused_after_a_purge(
    desk: Desk, owner_engine: Engine, clock: FakeClock
) -> None:
    clock.advance(days=400)
    purge(desk, PurgeAudit(before=date(2019, 11, 22)))
    table = orm.audit_log
    with owner_engine.connect() as db, pytest.raises(DatabaseError, match="append-only"):
        db.execute(delete(table).where(table.c.seq == 16))
    assert audit.verify(desk).ok


def test_on_postgresql_only_the_owner_may_purge_and_only_through_the_function(
    desk: Desk, owner_engine: Engine, clock: FakeClock
) -> None:
    if owner_engine.dialect.name != "postgresql":
        pytest.skip("roles and SECURITY DEFINER functions are PostgreSQL's")
    with owner_engine.connect() as db, pytest.raises(DatabaseError, match="no anchor recorded"):
        db.execute(text("SELECT audit_log_purge(3)"))
    with owner_engine.connect() as db:
        db.exec_driver_sql("SET lexdesk.audit_purge = 'on'")  # no anchor: still refused
        with pytest.raises(DatabaseError, match="append-only"):
            db.execute(delete(orm.audit_log).where(orm.audit_log.c.seq == 1))
    as_app = create_engine(owner_engine.url, connect_args={"options": "-c role=lexdesk_app"})
    app_desk = Desk(uow=lambda: SqlUnitOfWork(as_app, clock), clock=clock, rules=FakeRuleBook())
    clock.advance(days=400)
    with pytest.raises(DatabaseError, match="permission denied"):
        purge(app_desk, PurgeAudit(before=date(2019, 11, 22)))
    with as_app.connect() as db, pytest.raises(DatabaseError, match="permission denied"):
        db.execute(text("SELECT audit_log_purge(3)"))
    as_app.dispose()
    assert _seqs(owner_engine)[:2] == [1, 2] and audit.verify(desk).ok


def test_the_command_refuses_a_recent_date_in_one_line(
    desk: Desk, owner_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lexdesk.entrypoints.cli.common import reset_app
    from lexdesk.entrypoints.cli.main import cli

    monkeypatch.setenv(
        "LEXDESK_DATABASE_URL", owner_engine.url.render_as_string(hide_password=False)
    )
    reset_app()
    recent = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    try:
        result = CliRunner().invoke(cli, ["audit", "purge", "--before", recent])
    finally:
        reset_app()
    assert result.exit_code == 2
    assert result.stderr.startswith("lexdesk: audit purge refused: entries younger than 365")
    assert result.stderr.count("\n") == 1
    assert _seqs(owner_engine) == list(range(1, 17))
