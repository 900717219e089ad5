"""The audit chain off the critical path (ADR 0029), on real SQLite and PostgreSQL: a
transaction submits its entries and does not wait for the chain; the sequencer chains them in
the order submitted, each once; the queue keeps what it holds until it is chained."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.exc import DatabaseError

from lexdesk.adapters import audit_repository, orm
from lexdesk.adapters.audit_repository import AUDIT_LOCK_KEY, SqlAuditRepository, sequence
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.audit import chain_next, draft
from lexdesk.services import audit
from lexdesk.services.audit_retention import PurgeAudit, purge
from lexdesk.services.context import Desk
from lexdesk.services.worker import Worker
from tests.factories import seed_agencies
from tests.fakes import FakeClock, FakeRuleBook

START = datetime(2019, 11, 21, 15, tzinfo=UTC)
SEEDED = 15  # the entries seed_agencies writes


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def desk(engine: Engine, clock: FakeClock) -> Desk:
    desk = Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=FakeRuleBook())
    seed_agencies(desk)
    return desk


def _note(desk: Desk, what: str, actor: str = "system") -> None:
    audit.record_alone(
        desk,
        actor=actor,
        agency="",
        action="test.note",
        object_type="test",
        object_id=what,
        source="test",
    )


def _waiting(engine: Engine) -> int:
    with engine.connect() as db:
        return int(db.scalar(select(func.count()).select_from(orm.audit_pending)) or 0)


def _chain(engine: Engine) -> list[tuple[int, str, int | None]]:
    log = orm.audit_log
    with engine.connect() as db:
        rows = db.execute(select(log.c.seq, log.c.object_id, log.c.submitted).order_by(log.c.seq))
        return [(r.seq, r.object_id, r.submitted) for r in rows]


def _submit(engine: Engine, *names: str) -> None:
    """Entries submitted and committed, and nothing chaining them (a sequencer that failed)."""
    with engine.begin() as db:
        trail = SqlAuditRepository(db, lambda: START)
        for name in names:
            trail.submit(
                draft(
                    at=START,
                    actor="system",
                    agency="",
                    action="test.note",
                    object_type="test",
                    object_id=name,
                    outcome="success",
                    source="test",
                    component="internal",
                )
            )


def test_a_request_does_not_wait_while_another_holds_the_chain(desk: Desk, engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's writers queue for its one write lock whatever the chain does")
    with engine.connect() as holder, ThreadPoolExecutor(1) as pool:
        holder.begin()
        holder.execute(select(func.pg_advisory_xact_lock(AUDIT_LOCK_KEY)))
        # Under one lock for the whole request this would wait until the holder ends.
        pool.submit(_note, desk, "while held").result(timeout=20)
        assert _waiting(engine) == 1  # on record, committed, not yet in its place
        assert len(_chain(engine)) == SEEDED
        holder.rollback()
    assert audit.catch_up(desk) == 1
    assert _chain(engine)[-1][:2] == (SEEDED + 1, "while held")
    assert audit.verify(desk).ok


def test_many_writers_make_one_chain_with_every_entry_in_it_once(
    desk: Desk, engine: Engine
) -> None:
    writers, each = (16, 25) if engine.dialect.name == "postgresql" else (4, 10)

    def write(worker: int) -> None:
        for n in range(each):
            _note(desk, f"{worker}-{n}", actor=f"writer-{worker}")

    with ThreadPoolExecutor(writers) as pool:
        list(pool.map(write, range(writers)))
    audit.catch_up(desk)  # a commit may end while another sequencer is on its last batch
    chain = _chain(engine)
    assert [seq for seq, _, _ in chain] == list(range(1, SEEDED + writers * each + 1))
    written = [(name, submitted) for _, name, submitted in chain[SEEDED:]]
    assert sorted(name for name, _ in written) == sorted(
        f"{w}-{n}" for w in range(writers) for n in range(each)
    )
    submissions = [submitted for _, submitted in written]
    assert None not in submissions and len(set(submissions)) == len(submissions)
    # Each writer's entries keep the order it made them in.
    for worker in range(writers):
        mine = [int(name.split("-")[1]) for name, _ in written if name.startswith(f"{worker}-")]
        assert mine == sorted(mine)
    assert _waiting(engine) == 0
    result = audit.verify(desk)
    assert result.ok and result.checked == SEEDED + writers * each


def test_the_queue_keeps_what_it_holds_until_it_is_chained(desk: Desk, engine: Engine) -> None:
    _submit(engine, "queued")
    queue = orm.audit_pending
    attempts = [
        update(queue).values(object_id="rewritten"),
        delete(queue),
    ]
    if engine.dialect.name == "postgresql":
        attempts.append(text("TRUNCATE audit_pending"))  # type: ignore[arg-type]
    for attempt in attempts:
        with pytest.raises(DatabaseError), engine.begin() as db:
            db.execute(attempt)
    assert _waiting(engine) == 1
    assert audit.catch_up(desk) == 1
    [(seq, name, submitted)] = _chain(engine)[SEEDED:]
    assert (seq, name) == (SEEDED + 1, "queued") and submitted is not None
    assert _waiting(engine) == 0 and audit.verify(desk).ok


def test_the_sequencer_goes_on_batch_after_batch(
    desk: Desk, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_repository, "BATCH", 3)
    _submit(engine, *(f"n{n}" for n in range(7)))
    assert sequence(engine, lambda: START) == 7
    _submit(engine, *(f"m{n}" for n in range(6)))
    assert audit.catch_up(desk) == 6  # in the desk's own transaction on SQLite
    assert [name for _, name, _ in _chain(engine)[SEEDED:]] == [
        *(f"n{n}" for n in range(7)),
        *(f"m{n}" for n in range(6)),
    ]
    assert audit.verify(desk).checked == SEEDED + 13


def test_a_sequencer_that_would_wait_leaves_the_chain_to_its_holder(
    desk: Desk, engine: Engine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's one writer holds the chain with the database")
    _submit(engine, "later")
    with engine.connect() as holder:
        holder.begin()
        assert SqlAuditRepository(holder, lambda: START).hold(wait=False)
        assert sequence(engine, lambda: START, wait=False) == 0
        holder.rollback()
    assert sequence(engine, lambda: START, wait=False) == 1


def test_the_workers_sweep_chains_what_a_failed_sequencer_left(desk: Desk, engine: Engine) -> None:
    _submit(engine, "left")
    Worker(desk, {}, name="w1").sweep()
    assert _waiting(engine) == 0
    assert _chain(engine)[SEEDED][1] == "left"


def test_after_a_purge_of_every_entry_the_next_follows_the_anchor(
    owner_engine: Engine, clock: FakeClock
) -> None:
    # Purging is the owner's (migration 0004).
    desk = Desk(uow=lambda: SqlUnitOfWork(owner_engine, clock), clock=clock, rules=FakeRuleBook())
    seed_agencies(desk)
    clock.advance(days=800)
    done = purge(desk, PurgeAudit(before=date(2021, 1, 1)))
    assert done.entries == SEEDED and done.anchor is not None
    chain = _chain(owner_engine)
    assert [(seq, name) for seq, name, _ in chain] == [(SEEDED + 1, f"1..{SEEDED}")]
    with owner_engine.connect() as db:
        purged = db.execute(select(orm.audit_log)).one()
    assert purged.prev_hash == done.anchor.hash
    clock.advance(minutes=1)
    _note(desk, "after")
    result = audit.verify(desk)
    assert result.ok and result.checked == 2


def test_an_entry_chained_in_place_is_appended_whole_and_read_back_as_the_head(
    desk: Desk, engine: Engine
) -> None:
    # What a restore does with its own entry, into a database nobody else writes yet.
    with engine.begin() as db:
        trail = SqlAuditRepository(db, lambda: START)
        last = trail.head()
        assert last is not None and last.seq == SEEDED
        entry = chain_next(
            last, at=START, actor="system", agency="", action="backup.restore",
            object_type="backup", object_id="in place", outcome="success", source="cli",
            component="cli",
        )  # fmt: skip
        trail.append(entry)
        assert trail.head() == entry
    assert audit.verify(desk).checked == SEEDED + 1
