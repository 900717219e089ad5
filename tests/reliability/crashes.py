"""The crash harness (security.md rows 19 and 20, after SQLite's ``writecrash.test``): a child
process commits business transactions in a loop and acknowledges each one only after its commit
returned (``tests/reliability/crash_child.py``); it is killed with SIGKILL at a random moment,
0-200 ms after its first acknowledgement; then, on a fresh engine, from what the database kept:

- SQLite: ``PRAGMA integrity_check`` is ``ok``; PostgreSQL: the server has ended the dead
  client's session (no session of it left, idle in transaction or otherwise) and a new writer
  takes the audit chain's lock at once (``lock_timeout``); on SQLite a new writer's
  ``BEGIN IMMEDIATE`` gets the write lock;
- every acknowledged commit is there; an unacknowledged one only if the kill caught the child
  between its COMMIT and its acknowledgement (at most one, and none when it was killed inside a
  transaction or between two);
- no partial transaction: every table holds exactly the rows of the whole bookings and
  detainers it holds (each writes a fixed set of rows, measured before the kills), and every
  new person has their identifier, name index, custody and audit entry, every new
  detainer its case, event and audit entry;
- the audit chain verifies: the entries since the last check after every kill, the whole chain
  at the end.

``tests/reliability/test_crash_sqlite.py`` and ``test_crash_postgres.py`` run 100 and 30 kills
under ``make test``; ``scripts/crash_harness.py`` (``make crash``) runs 1,000 and 200. A kill -9
of the process shows atomicity and the server's clean-up, not durability against power loss
(security.md 3.1): ``synchronous=FULL`` and PostgreSQL's ``fsync``/``synchronous_commit`` are
for that."""

from __future__ import annotations

import multiprocessing
import os
import random
import select as io_select
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable
from ctypes import c_byte
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, func, literal, select, text, union_all
from sqlalchemy.engine import make_url

from lexdesk.adapters import orm
from lexdesk.adapters.audit_repository import AUDIT_LOCK_KEY
from lexdesk.adapters.database import create_database_engine
from lexdesk.domain.audit import Anchor
from lexdesk.services import audit
from tests.databases import migrated_engine
from tests.factories import seed_agencies
from tests.reliability.crash_child import (
    COMMITTED,
    COMMITTING,
    IDLE,
    PHASES,
    application_name,
    book,
    commit_forever,
    desk_for,
    file_detainer,
)

#: The child is forked from this process, which has imported the desk: it is in its loop within
#: milliseconds instead of the second an interpreter takes to import it.
FORK = multiprocessing.get_context("fork")
#: The kill comes this long (at most) after the child's first acknowledged commit.
WINDOW = 0.2
#: How long a child may take to acknowledge its first commit, and the server to end a dead
#: client's session, before the harness calls it a failure.
FIRST_COMMIT_SECONDS = 30.0
SESSION_GONE_SECONDS = 15.0
#: A run stops after this many failing kills: later ones would mostly repeat the first.
MAX_FAILURES = 10

Counts = dict[str, int]


class HarnessError(Exception):
    """The harness could not set up its run (not a finding about the desk)."""


@dataclass
class CrashSummary:
    backend: str
    kills: int = 0
    #: Commits the child acknowledged; every one was found after its kill.
    acknowledged: int = 0
    #: Commits found that the child had not acknowledged (killed between COMMIT and print).
    unacknowledged: int = 0
    #: Where in its loop each kill caught the child (crash_child.PHASES).
    phases: Counter[str] = field(default_factory=Counter)
    #: Transactions in the database at the end (bookings and detainers, the setup's included).
    transactions: int = 0
    #: Audit entries checked after each kill (the new ones), and by the whole walk at the end.
    chain_checked: int = 0
    chain_entries: int = 0
    #: PostgreSQL: the child's session as the server saw it at the kill; the kills after which
    #: it was still there at the first look, and the longest the server took to end one.
    sessions_at_kill: Counter[str] = field(default_factory=Counter)
    sessions_seen: Counter[str] = field(default_factory=Counter)
    session_gone_max_ms: float = 0.0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and self.kills > 0

    @property
    def per_kill_ms(self) -> float:
        return 1000 * self.seconds / self.kills if self.kills else 0.0

    def lines(self) -> list[str]:
        phases = ", ".join(f"{n} {name}" for name, n in self.phases.most_common())
        out = [
            f"{self.backend}: {self.kills} kills in {self.seconds:.1f} s "
            f"({self.per_kill_ms:.0f} ms a kill)",
            f"  acknowledged commits, each looked for after its kill: {self.acknowledged}",
            f"  unacknowledged commits found (caught between COMMIT and acknowledgement):"
            f" {self.unacknowledged}",
            f"  where the kills caught the child: {phases}",
            f"  transactions in the database at the end: {self.transactions}",
            f"  audit chain: {self.chain_checked} new entries verified after the kills,"
            f" {self.chain_entries} by the final walk of the whole chain",
        ]
        if self.backend == "postgresql":
            at_kill = ", ".join(f"{n} {s}" for s, n in self.sessions_at_kill.most_common())
            out.append(f"  the server's view of the child's session at the kill: {at_kill}")
            seen = ", ".join(f"{n} {state}" for state, n in self.sessions_seen.most_common())
            out.append(
                f"  dead client's session still open at the first look: {seen or 'never'}; "
                f"ended by the server within {self.session_gone_max_ms:.0f} ms"
            )
        out.append(f"  failures: {len(self.failures)}")
        out.extend(f"    {failure}" for failure in self.failures)
        return out


@dataclass
class _Footprint:
    """The rows a run starts with, and those each booking and each detainer adds."""

    start: Counts
    booking: Counts
    detainer: Counts

    def expected(self, people: int, detainers: int) -> Counts:
        return {
            name: n + people * self.booking.get(name, 0) + detainers * self.detainer.get(name, 0)
            for name, n in self.start.items()
        }


@dataclass
class _State:
    url: str
    footprint: _Footprint
    known: set[str]  # every transaction found so far, checked
    anchor: Anchor  # the last audit entry verified


def run_crashes(
    url: str,
    kills: int,
    seed: int = 19,
    progress: Callable[[int, CrashSummary], None] | None = None,
) -> CrashSummary:
    """Kill a child ``kills`` times on the (empty) database at ``url`` and check after each."""
    backend = make_url(url).get_backend_name()
    summary = CrashSummary(backend=backend)
    started = time.monotonic()
    state = _prepare(url)
    rng = random.Random(seed)
    phase = FORK.RawValue(c_byte, IDLE)
    failing = 0
    for run in range(kills):
        failures = _kill_and_check(state, run, rng, phase, summary)
        summary.kills += 1
        if failures:
            failing += 1
            summary.failures.extend(f"kill {run + 1}: {failure}" for failure in failures)
            if failing >= MAX_FAILURES:
                summary.failures.append(f"stopped after {failing} failing kills")
                break
        if progress is not None:
            progress(run + 1, summary)
    engine = create_database_engine(url)
    try:
        whole = audit.verify(desk_for(engine))
        summary.chain_entries = whole.checked
        with engine.connect() as db:
            entries = db.execute(select(func.count()).select_from(orm.audit_log)).scalar_one()
        if not whole.ok or whole.checked != entries:
            summary.failures.append(f"the audit chain of {entries} entries: {whole}")
        summary.transactions = len(state.known)
    finally:
        engine.dispose()
    summary.seconds = time.monotonic() - started
    return summary


def _prepare(url: str) -> _State:
    """Migrate, seed the agencies, and measure what one booking and one detainer write (twice:
    the second must write what the first did)."""
    engine = migrated_engine(url)
    try:
        desk = desk_for(engine)
        seed_agencies(desk)
        with engine.connect() as db:
            start = _counts(db)
        known: set[str] = set()
        measured: list[tuple[Counts, Counts]] = []
        before = start
        for n in (1, 2):
            person = book(desk, "setup", n)
            with engine.connect() as db:
                booked = _counts(db)
            detainer = file_detainer(desk, person)
            with engine.connect() as db:
                filed = _counts(db)
            measured.append((_minus(booked, before), _minus(filed, booked)))
            known |= {person, detainer}
            before = filed
        if measured[0] != measured[1]:
            raise HarnessError(f"a booking or a detainer writes a varying set of rows: {measured}")
        whole = audit.verify(desk)
        if not whole.ok or whole.last is None:
            raise HarnessError(f"the audit chain does not verify before the kills: {whole}")
    finally:
        engine.dispose()
    footprint = _Footprint(start, *measured[0])
    return _State(url=url, footprint=footprint, known=known, anchor=whole.last)


def _minus(after: Counts, before: Counts) -> Counts:
    return {name: after[name] - before[name] for name in after if after[name] != before[name]}


def _counts(db: Connection) -> Counts:
    tables = orm.metadata.sorted_tables
    query = union_all(
        *(select(literal(table.name), func.count()).select_from(table) for table in tables)
    )
    return {name: int(n) for name, n in db.execute(query).all()}


def _kill_and_check(
    state: _State, run: int, rng: random.Random, phase: Any, summary: CrashSummary
) -> list[str]:
    watch = None
    if make_url(state.url).get_backend_name() == "postgresql":

        def watch(run: int) -> None:
            summary.sessions_at_kill[_session_of(state.url, run)] += 1

    acknowledged, where, failures = _run_and_kill(state.url, run, rng, phase, watch)
    summary.phases[PHASES.get(where, f"phase {where}")] += 1
    summary.acknowledged += len(acknowledged)
    engine = create_database_engine(state.url)  # a fresh engine: what the database kept
    try:
        if engine.dialect.name == "postgresql":
            failures += _server_let_go(engine, summary)
        failures += _check(engine, state, acknowledged, where, summary)
    except Exception as error:  # the database refused the checker itself: a finding too
        failures.append(f"checking failed: {type(error).__name__}: {error}")
    finally:
        engine.dispose()
    return failures


def _run_and_kill(
    url: str,
    run: int,
    rng: random.Random,
    phase: Any,
    watch: Callable[[int], None] | None = None,
) -> tuple[set[str], int, list[str]]:
    """Fork a child, SIGKILL it 0-200 ms after its first acknowledgement; what it acknowledged,
    where it was (crash_child's phase) and any failure of the child itself. ``watch``, if
    given, looks at the child (SIGSTOPped) just before the kill."""
    read_end, write_end = os.pipe()
    phase.value = IDLE
    child = FORK.Process(target=commit_forever, args=(url, run, write_end, phase), daemon=True)
    try:
        child.start()
        os.close(write_end)
        lines = _Lines(read_end)
        first = lines.first(FIRST_COMMIT_SECONDS)
        if first is not None and not first.startswith("!"):
            time.sleep(rng.uniform(0, WINDOW))
        assert child.pid is not None
        if watch is not None:  # stopped, the child's session holds still while we look at it
            os.kill(child.pid, signal.SIGSTOP)
            # WNOWAIT: a child that ended on its own stays for join() to collect and report.
            stopped = os.waitid(os.P_PID, child.pid, os.WSTOPPED | os.WEXITED | os.WNOWAIT)
            if stopped is not None and stopped.si_code == os.CLD_STOPPED:
                watch(run)
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=FIRST_COMMIT_SECONDS)
        where = int(phase.value)
        received = lines.rest()
    finally:
        os.close(read_end)
        if child.is_alive():
            child.kill()
            child.join()
    failures: list[str] = []
    if first is None:
        failures.append(f"the child acknowledged no commit within {FIRST_COMMIT_SECONDS:.0f} s")
    errors = [line[1:] for line in received if line.startswith("!")]
    failures += [f"the child failed before the kill: {error}" for error in errors]
    if child.exitcode != -signal.SIGKILL:
        failures.append(f"the child ended with {child.exitcode}, not by the SIGKILL")
    return {line for line in received if not line.startswith("!")}, where, failures


class _Lines:
    """Whole lines from a pipe: a line the kill cut short was never acknowledged."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""
        self._lines: list[str] = []

    def _read(self, timeout: float | None) -> bool:
        ready, _, _ = io_select.select([self._fd], [], [], timeout)
        if not ready:
            return False
        chunk = os.read(self._fd, 65536)
        if not chunk:
            return False
        *whole, self._buffer = (self._buffer + chunk).split(b"\n")
        self._lines += [line.decode() for line in whole]
        return True

    def first(self, seconds: float) -> str | None:
        deadline = time.monotonic() + seconds
        while not self._lines:
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                return None
        return self._lines[0]

    def rest(self) -> list[str]:
        """Every whole line, once the child is dead and the pipe at its end."""
        while self._read(FIRST_COMMIT_SECONDS):
            pass
        return self._lines


def _session_of(url: str, run: int) -> str:
    """The server's view of the (stopped) child's session: its state, and whether it holds
    the audit chain's advisory lock."""
    query = text(
        "SELECT a.state, EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid"
        " AND l.locktype = 'advisory' AND l.granted) FROM pg_stat_activity a"
        " WHERE a.datname = current_database() AND a.application_name = :name"
    )
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as db:
            rows = db.execute(query, {"name": application_name(run)}).all()
    finally:
        engine.dispose()
    if not rows:
        return "no session"
    return "; ".join(
        f"{state}{' holding the audit lock' if locked else ''}" for state, locked in rows
    )


def _server_let_go(engine: Engine, summary: CrashSummary) -> list[str]:
    """PostgreSQL: wait until the server has ended the dead client's session (it rolls back the
    open transaction and releases its locks); then a new writer must get the audit chain's
    advisory lock, which the sequencer takes, without waiting."""
    others = text(
        "SELECT state FROM pg_stat_activity WHERE datname = current_database()"
        " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
    )
    started = time.monotonic()
    first_look = True
    with engine.connect() as db:
        while True:
            states = [str(state) for state in db.execute(others).scalars()]
            db.rollback()
            if first_look and states:
                summary.sessions_seen.update(states)
            first_look = False
            if not states:
                break
            if time.monotonic() - started > SESSION_GONE_SECONDS:
                return [f"the dead client's session is still open: {states}"]
            time.sleep(0.002)
    waited = 1000 * (time.monotonic() - started)
    summary.session_gone_max_ms = max(summary.session_gone_max_ms, waited)
    try:
        with engine.begin() as db:
            db.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
            db.execute(select(func.pg_advisory_xact_lock(AUDIT_LOCK_KEY)))
    except Exception as error:
        return [f"a new writer cannot take the audit lock: {error}"]
    return []


def _check(
    engine: Engine, state: _State, acknowledged: set[str], where: int, summary: CrashSummary
) -> list[str]:
    failures: list[str] = []
    # A kill between a commit and the chaining after it leaves its entries waiting, on record:
    # the worker's sweep would chain them (ADR 0029); so does this, before counting.
    audit.catch_up(desk_for(engine))
    # SQLite: BEGIN IMMEDIATE, so a stale write lock of the dead child would show here.
    with engine.begin() as db:
        if db.dialect.name == "sqlite":
            integrity = db.exec_driver_sql("PRAGMA integrity_check").scalars().all()
            if integrity != ["ok"]:
                failures.append(f"integrity_check: {integrity[:5]}")
        people = set(db.scalars(select(orm.persons.c.id)))
        detainers = set(db.scalars(select(orm.instruments.c.id)))
        counts = _counts(db)
        stored = people | detainers
        new = stored - state.known
        failures += _partial(db, new & people, new & detainers)
    missing = (acknowledged | state.known) - stored
    if missing:
        failures.append(f"{len(missing)} acknowledged commits are gone: {sorted(missing)[:5]}")
    extra = new - acknowledged
    allowed = 1 if where in (COMMITTING, COMMITTED) else 0
    if len(extra) > allowed:
        failures.append(
            f"{len(extra)} unacknowledged commits found, killed {PHASES.get(where, where)}"
            f" (at most {allowed}): {sorted(extra)[:5]}"
        )
    summary.unacknowledged += len(extra)
    expected = state.footprint.expected(len(people), len(detainers))
    wrong = {name: (counts[name], n) for name, n in expected.items() if counts[name] != n}
    if wrong:
        failures.append(f"rows (found, expected) outside whole transactions: {wrong}")
    after = audit.verify_after(desk_for(engine), state.anchor)
    summary.chain_checked += after.checked
    if not after.ok or after.last is None:
        failures.append(f"the audit chain does not verify after the kill: {after}")
    else:
        state.anchor = after.last
    state.known = stored
    return failures


def _partial(db: Connection, people: set[str], detainers: set[str]) -> list[str]:
    """Each new person and detainer whole, with its one audit entry."""
    failures: list[str] = []
    if people:
        custodies = dict(
            db.execute(
                select(orm.custodies.c.id, orm.custodies.c.person_id).where(
                    orm.custodies.c.person_id.in_(people)
                )
            ).all()
        )
        parts = {
            "identifier": _ids(db, orm.person_identifiers.c.person_id, people),
            "name index": _ids(db, orm.person_terms.c.person_id, people),
            "custody": set(custodies.values()),
        }
        failures += _lacking(people, parts, _audited(db, "person.book", people))
    if detainers:
        cases = dict(
            db.execute(
                select(orm.instruments.c.id, orm.instruments.c.case_id).where(
                    orm.instruments.c.id.in_(detainers)
                )
            ).all()
        )
        opened = _ids(db, orm.cases.c.id, set(cases.values()))
        parts = {
            "event": _ids(db, orm.instrument_events.c.instrument_id, detainers),
            "case": {d for d, case in cases.items() if case in opened},
        }
        failures += _lacking(detainers, parts, _audited(db, "instrument.issue", detainers))
    return failures


def _ids(db: Connection, column: Any, among: Iterable[str]) -> set[str]:
    return set(db.scalars(select(column).where(column.in_(list(among)))))


def _audited(db: Connection, action: str, ids: set[str]) -> Counter[str]:
    log = orm.audit_log
    query = select(log.c.object_id).where(log.c.action == action, log.c.object_id.in_(ids))
    return Counter(db.scalars(query))


def _lacking(ids: set[str], parts: dict[str, set[str]], audited: Counter[str]) -> list[str]:
    failures = [
        f"{id_} has no {part}"
        for id_ in sorted(ids)
        for part, has in parts.items()
        if id_ not in has
    ]
    failures += [
        f"{id_} has {audited[id_]} audit entries" for id_ in sorted(ids) if audited[id_] != 1
    ]
    return failures


def create_postgres_database(admin_url: str, name: str) -> str:
    """A new, empty database on the server of ``admin_url`` (dropped first if there); its URL."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as db:
            db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            db.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as db:
            db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
