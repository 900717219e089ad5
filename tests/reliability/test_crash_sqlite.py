"""Crash safety on SQLite (security.md row 19), after SQLite's ``writecrash.test``: a child
process commits business transactions in a loop and prints each id after its commit; it is
killed with SIGKILL at a random moment (0-200 ms after its first acknowledged commit); then,
on a fresh engine:

- ``PRAGMA integrity_check`` is ``ok``;
- every acknowledged id is there, and at most one unacknowledged one (killed between its
  commit and its print);
- no partial transaction: every person has their identifier, custody, charge, conviction and
  audit entry; every instrument its case, its event and its audit entry;
- the audit chain verifies end to end.

Runs ``20 x LEXDESK_RELIABILITY_SCALE`` kills (the row's nightly 1,000 is scale 50) on one
database that grows from run to run. A kill -9 of the process shows atomicity, not durability
against power loss (security.md 3.1); the engine's ``synchronous=FULL`` is for that.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from lexdesk.adapters import orm
from tests.databases import migrated_engine, sqlite_url
from tests.factories import seed_agencies
from tests.reliability.support import chain_ok, desk_on, report, scaled

ROOT = Path(__file__).resolve().parents[2]


def _run_and_kill(url: str, run: int, rng: random.Random) -> list[str]:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.crash_child", url, str(run)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    ready = child.stdout.readline()
    assert ready == "ready\n", (ready, child.stderr.read() if child.stderr else "")
    first = child.stdout.readline()  # in its loop now, however slowly the machine started it
    time.sleep(rng.uniform(0, 0.2))
    os.kill(child.pid, signal.SIGKILL)
    out, _ = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    # Only whole lines count: a line cut by the kill was never acknowledged.
    return [first] + [line for line in out.splitlines(keepends=True) if line.endswith("\n")]


def _check(url: str, acknowledged: set[str]) -> set[str]:
    engine = migrated_engine(url)  # a fresh engine: recovery from the files alone
    try:
        with engine.connect() as db:
            assert db.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            people = set(db.scalars(select(orm.persons.c.id)))
            instruments = set(db.scalars(select(orm.instruments.c.id)))
            audited = Counter(
                db.execute(select(orm.audit_log.c.action, orm.audit_log.c.object_id)).all()
            )
            identified = set(db.scalars(select(orm.person_identifiers.c.person_id)))
            convicted = set(db.scalars(select(orm.convictions.c.person_id)))
            custodies = dict(
                db.execute(select(orm.custodies.c.id, orm.custodies.c.person_id)).all()
            )
            charged = {custodies[c] for c in db.scalars(select(orm.charges.c.custody_id))}
            evented = set(db.scalars(select(orm.instrument_events.c.instrument_id)))
            cased = dict(db.execute(select(orm.instruments.c.id, orm.instruments.c.case_id)).all())
            cases = set(db.scalars(select(orm.cases.c.id)))
        stored = people | instruments
        assert acknowledged <= stored, sorted(acknowledged - stored)[:5]
        for person in people:
            assert person in identified and person in convicted, person
            assert person in set(custodies.values()) and person in charged, person
            assert audited[("person.book", person)] == 1, person
        for instrument in instruments:
            assert instrument in evented and cased[instrument] in cases, instrument
            assert audited[("instrument.issue", instrument)] == 1, instrument
        chain_ok(desk_on(engine))
        return stored
    finally:
        engine.dispose()


def test_kill_9_leaves_every_acknowledged_commit_and_no_partial_one(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path, "crash.sqlite3")
    engine = migrated_engine(url)
    seed_agencies(desk_on(engine))
    engine.dispose()
    rng = random.Random(19)
    known: set[str] = set()  # what the earlier runs left, checked already
    runs, caught = scaled(20), 0
    for run in range(runs):
        lines = _run_and_kill(url, run, rng)
        acknowledged = known | {line.strip() for line in lines}
        stored = _check(url, acknowledged)
        # At most the one transaction the kill caught between its commit and its print.
        assert len(stored - acknowledged) <= 1, sorted(stored - acknowledged)
        caught += len(stored - acknowledged)
        known = stored
    report(f"{runs} kills, {len(known)} transactions committed, {caught} caught before the print")
    assert len(known) >= runs
