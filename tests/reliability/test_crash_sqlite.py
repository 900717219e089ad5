"""Crash safety on SQLite (security.md row 19): 100 kill -9s of a process committing business
transactions, each followed by the checks of ``tests/reliability/crashes.py`` (integrity_check,
every acknowledged commit, no partial transaction, the audit chain). ``make crash`` runs 1,000;
``LEXDESK_RELIABILITY_SCALE`` scales the 100 (docs/reliability.md)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, insert, select, update

from lexdesk.adapters import orm
from lexdesk.adapters.database import create_database_engine
from tests.databases import audit_protection_lifted, sqlite_url
from tests.reliability.crash_child import COMMITTING, IDLE, IN_TRANSACTION, book, desk_for
from tests.reliability.crashes import CrashSummary, _check, _prepare, run_crashes
from tests.reliability.support import report, scaled

KILLS = 100


def test_kill_9_leaves_every_acknowledged_commit_and_no_partial_one(tmp_path: Path) -> None:
    summary = run_crashes(sqlite_url(tmp_path, "crash.sqlite3"), scaled(KILLS), seed=19)
    report("\n".join(summary.lines()))
    assert summary.failures == []
    assert summary.kills == scaled(KILLS)
    assert summary.acknowledged >= summary.kills
    assert summary.chain_entries > summary.transactions  # and the agencies' entries


def test_the_checks_catch_a_lost_commit_a_partial_transaction_and_a_broken_chain(
    tmp_path: Path,
) -> None:
    """What the kills should never leave, left by hand: each check must see it."""
    url = sqlite_url(tmp_path, "faults.sqlite3")
    state = _prepare(url)
    engine = create_database_engine(url)
    summary = CrashSummary("sqlite")

    def check(acknowledged: set[str], where: int) -> str:
        return "\n".join(_check(engine, state, acknowledged, where, summary))

    try:
        assert check(set(), IDLE) == ""
        assert "acknowledged commits are gone" in check({"per-acknowledged-lost"}, IDLE)
        book(desk_for(engine), "extra", 1)  # committed, not acknowledged: the kill's one
        assert check(set(), COMMITTING) == ""
        book(desk_for(engine), "extra", 2)  # ...but not while the child was before its COMMIT
        assert "1 unacknowledged commits found, killed inside a transaction" in check(
            set(), IN_TRANSACTION
        )
        with engine.begin() as db:  # a person without the rest of their booking
            person = db.execute(select(orm.persons).limit(1)).mappings().one()
            db.execute(insert(orm.persons).values({**person, "id": "per-partial"}))
        partial = check({"per-partial"}, IDLE)
        assert "per-partial has no identifier" in partial
        assert "per-partial has 0 audit entries" in partial
        assert "rows (found, expected) outside whole transactions" in partial
        with engine.begin() as db, audit_protection_lifted(db):  # the last entry rewritten
            last = db.execute(select(func.max(orm.audit_log.c.seq))).scalar_one()
            db.execute(update(orm.audit_log).where(orm.audit_log.c.seq == last).values(action="x"))
        assert "the audit chain does not verify" in check(set(), IDLE)
    finally:
        engine.dispose()
