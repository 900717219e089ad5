"""No lost update under concurrency (security.md row 21), modelled on Elle's list-append checks.

W writer threads share C cases. Each writer makes E edits; an edit reads a case, decides from
what it read (issue a new detainer, acknowledge, withdraw or decline the latest one) and calls
the service with the version it read. A ``ConcurrencyConflict`` (someone moved the case on) or
an ``IllegalTransition`` (someone already took that step) means "read again and decide again".
Every attempt carries a unique tag as its reason, and a writer notes an edit as acknowledged only
when the service returned. The checker then rebuilds the history from the database:

- the tagged events are exactly the acknowledged edits (nothing lost, nothing extra);
- each case's version counts exactly its acknowledged edits (a lost update would leave it short);
- each instrument's acknowledged edits landed on distinct versions 1..n, and its events chain
  (each one starts where the previous ended) up to its status;
- the audit trail has one entry per acknowledged change, and the chain verifies.

Sizes: ``LEXDESK_RELIABILITY_SCALE`` (default 1) multiplies the edits per writer. At 1:
PostgreSQL 16 writers x 40 edits (640), SQLite 8 writers x 50 (400) (the writers queue on its lock).
Scale 12.5 is the row's 16 x 500 on PostgreSQL.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from sqlalchemy import Engine, func, select

from lexdesk.adapters import orm
from lexdesk.domain.errors import ConcurrencyConflict, IllegalTransition
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.vocabulary import InstrumentStatus
from lexdesk.services import instruments as verbs
from lexdesk.services.context import Desk
from tests.factories import book, seed_agencies
from tests.reliability.support import chain_ok, desk_on, report, scaled

SOURCE = "reliability"
ACTIONS = ("hold", "notify_release")


@dataclass(frozen=True)
class Edit:
    tag: str
    transition: str
    instrument_id: str
    case_id: str
    version: int  # the instrument's version the service returned


def _issue(desk: Desk, person_id: str, tag: str) -> Instrument:
    command = verbs.IssueInstrument(
        "ice-officer", "detainer", "doc", person_id, ACTIONS, reason=tag, source=SOURCE
    )
    return verbs.issue_instrument(desk, command)


def _attempt(desk: Desk, person_id: str, case_id: str, tag: str, rng: random.Random) -> Edit:
    """Read the person's latest case, decide, write with the version read. Raises on a
    conflict. A withdrawal settles the case and closes it: the next request opens another."""
    with desk.uow() as uow:
        case = uow.cases.find("ice", person_id)[-1]
    time.sleep(0)  # let another writer run between the read and the write
    latest = case.instruments[-1]
    status, v = latest.status, latest.version
    if status is InstrumentStatus.ISSUED:
        transition = rng.choice(("acknowledge", "withdraw"))
    elif status is InstrumentStatus.ACKNOWLEDGED:
        transition = rng.choice(("withdraw", "determine"))
    else:
        transition = "issue"
    if transition == "issue":
        done = _issue(desk, person_id, tag)
    elif transition == "acknowledge":
        done = verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", latest.id, v, tag, SOURCE))
    elif transition == "withdraw":
        done = verbs.withdraw(desk, verbs.Withdraw("ice-officer", latest.id, tag, v, SOURCE))
    else:
        done = verbs.determine(
            desk, verbs.Determine("doc-legal", latest.id, "declined", tag, (), v, SOURCE)
        )
    return Edit(tag, transition, done.id, done.case_id, done.version)


def _run_writers(
    desk: Desk, cases: list[tuple[str, str]], writers: int, edits: int
) -> tuple[list[Edit], int]:
    acknowledged: list[Edit] = []
    conflicts = [0]
    lock, start = threading.Lock(), threading.Barrier(writers)
    failures: list[BaseException] = []

    def writer(w: int) -> None:
        rng = random.Random(w)
        try:
            start.wait()
            for e in range(edits):
                person_id, case_id = rng.choice(cases)
                for attempt in range(1000):
                    tag = f"w{w:02d}e{e:04d}a{attempt:03d}"
                    try:
                        edit = _attempt(desk, person_id, case_id, tag, rng)
                    except (ConcurrencyConflict, IllegalTransition):
                        with lock:
                            conflicts[0] += 1
                        continue
                    with lock:
                        acknowledged.append(edit)
                    break
                else:
                    raise AssertionError(f"writer {w} never landed edit {e}")
        except BaseException as error:  # reported to the test thread below
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not failures, failures
    assert not any(thread.is_alive() for thread in threads)
    return acknowledged, conflicts[0]


def test_concurrent_writers_lose_no_acknowledged_edit(engine: Engine) -> None:
    postgres = engine.dialect.name == "postgresql"
    writers, edits = (16, scaled(40)) if postgres else (8, scaled(50))
    cases_n = writers  # about one case per writer: collisions common, retries not endless
    desk = desk_on(engine)
    seed_agencies(desk)
    cases = []
    for n in range(cases_n):
        person = book(desk, nysid=f"{n + 1:08d}R")
        first = _issue(desk, person.id, "seed")
        cases.append((person.id, first.case_id))
    with engine.connect() as db:
        audit_before = db.scalar(select(func.count()).select_from(orm.audit_log)) or 0
    began = time.monotonic()
    acknowledged, conflicts = _run_writers(desk, cases, writers, edits)
    elapsed = time.monotonic() - began
    report(
        f"{engine.dialect.name}: {writers} writers x {edits} edits = {len(acknowledged)}"
        f" acknowledged, {conflicts} conflicts retried, {elapsed:.1f} s"
    )
    assert len(acknowledged) == writers * edits
    assert len({e.tag for e in acknowledged}) == len(acknowledged)
    _check_history(engine, acknowledged, {case_id for _, case_id in cases})
    _check_audit(engine, acknowledged, audit_before)
    chain_ok(desk)


def _check_history(engine: Engine, acknowledged: list[Edit], case_ids: set[str]) -> None:
    events, instruments, cases = orm.instrument_events, orm.instruments, orm.cases
    with engine.connect() as db:
        rows = db.execute(select(events).order_by(events.c.id)).all()
        stored = {r.id: r for r in db.execute(select(instruments)).all()}
        versions = {r.id: r.version for r in db.execute(select(cases)).all()}
        determined = db.scalar(select(func.count()).select_from(orm.determinations)) or 0
    tagged = Counter((r.reason, r.instrument_id, r.transition) for r in rows if r.reason[0] == "w")
    assert tagged == Counter((e.tag, e.instrument_id, e.transition) for e in acknowledged)
    assert all(count == 1 for count in tagged.values())
    # A case is opened only by a seed or by a request after the person's last case closed.
    opened = {e.case_id for e in acknowledged if e.transition == "issue"} - case_ids
    assert set(versions) == case_ids | opened
    per_case = Counter(e.case_id for e in acknowledged)
    for case_id, version in versions.items():
        # Version 1 at insert, 2 after the issue that opened it (a seed's, or an edit's,
        # which is counted), then one per acknowledged edit.
        expected = (2 if case_id in case_ids else 1) + per_case[case_id]
        assert version == expected, (case_id, version, per_case[case_id])
    by_instrument: dict[str, list[int]] = {}
    for edit in acknowledged:
        by_instrument.setdefault(edit.instrument_id, []).append(edit.version)
    for instrument_id, row in stored.items():
        chain = [r for r in rows if r.instrument_id == instrument_id]
        assert len(chain) == row.version
        assert chain[0].transition == "issue" and chain[0].from_status == "draft"
        for before, after in pairwise(chain):
            assert after.from_status == before.to_status, (instrument_id, before, after)
        assert chain[-1].to_status == row.status
        landed = sorted(by_instrument.get(instrument_id, []))
        seeded = [1] if chain[0].reason == "seed" else []
        assert seeded + landed == list(range(1, row.version + 1)), (instrument_id, landed)
    assert determined == sum(1 for e in acknowledged if e.transition == "determine")


def _check_audit(engine: Engine, acknowledged: list[Edit], before: int) -> None:
    table = orm.audit_log
    with engine.connect() as db:
        rows = db.execute(select(table).where(table.c.seq > before)).all()
    changes = [r for r in rows if r.outcome == "success"]
    assert Counter((r.action, r.object_id) for r in changes) == Counter(
        (f"instrument.{e.transition}", e.instrument_id) for e in acknowledged
    )
    assert all(r.source == SOURCE for r in rows)
    # A writer that lost a race is on record too, as a failure naming the conflict.
    refused = [r for r in rows if r.outcome != "success"]
    odd = [
        (r.action, r.detail)
        for r in refused
        if r.outcome != "failure" or r.detail["refusal"] != "ConcurrencyConflict"
    ]
    assert odd == []
