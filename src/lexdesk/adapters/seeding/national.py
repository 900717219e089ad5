"""``lexdesk seed national``: a national-size synthetic record, added to whatever the database
holds, for benchmarks.

A run mints its own agencies (hundreds: jails under every shipped state pack, immigration
field offices, U.S. Attorneys and courts), each with an officer and a lawyer, then tells
people's stories (``stories``) until it has made the instruments asked for, and writes them a
batch at a time. Each batch is one transaction: its rows (COPY on PostgreSQL) and one
``seed.national`` entry appended to the audit chain through ``services.audit``, so the chain
names every batch that was committed and stays whole (``lexdesk audit verify``).

What a run does not write: the audit entry each change would have had (one per batch stands
for them); the outbox's notifications, which would tell real inboxes of a history that never
was; and the transparency reports' daily tallies, which the worker adds from every event after
its mark, these as any other (until it has, a report counts them from the events)."""

from __future__ import annotations

import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from lexdesk.adapters import orm
from lexdesk.adapters.sealing import Sealer
from lexdesk.adapters.seeding.evaluations import EvaluationCache
from lexdesk.adapters.seeding.geography import MIN_AGENCIES, Nation, build_nation
from lexdesk.adapters.seeding.ids import PREFIXES, IdMint, id_range, new_tag
from lexdesk.adapters.seeding.rows import Rows, add_agency, add_story, add_user
from lexdesk.adapters.seeding.stories import Story, Storyteller, username
from lexdesk.adapters.seeding.views import ReadModel
from lexdesk.adapters.seeding.writers import writer_for
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.agencies import Role, User
from lexdesk.domain.deadlines import HoldBound
from lexdesk.domain.errors import InvalidInput
from lexdesk.services import audit
from lexdesk.services.context import Desk
from lexdesk.services.ports import RuleBook, RuleDecision

#: How far back the record goes from today.
HISTORY = timedelta(days=3 * 365)
#: The tables of the ids each prefix names, to check that a run's tag is unused.
_ID_TABLES = {
    "usr": orm.users,
    "per": orm.persons,
    "cus": orm.custodies,
    "cas": orm.cases,
    "ins": orm.instruments,
    "rel": orm.releases,
}
#: Events per instrument the chains imply, before a run has measured its own.
_IMPLIED_GUESS = 3.0
_ROLES = (("officer", Role.OFFICER), ("legal", Role.LEGAL))


@dataclass(frozen=True)
class NationalPlan:
    instruments: int = 100_000
    #: About how many events in all (None: what the chains imply, some three per instrument).
    events: int | None = None
    agencies: int = 400
    #: Makes the record the same every run (its ids and dates apart); None: a new one.
    seed: int | None = None
    #: Instruments per batch (one transaction, one audit entry).
    batch: int = 20_000

    def check(self) -> None:
        if self.instruments < 1:
            raise InvalidInput(f"--instruments must be at least 1, not {self.instruments}")
        if self.agencies < MIN_AGENCIES:
            raise InvalidInput(
                f"--agencies must be at least {MIN_AGENCIES} (a field office, a U.S. Attorney,"
                f" a court and a jail), not {self.agencies}"
            )
        if self.events is not None and self.events < self.instruments:
            raise InvalidInput(
                f"--events must be at least --instruments ({self.instruments}): every"
                f" instrument has its issue event; not {self.events}"
            )
        if self.batch < 1:
            raise InvalidInput(f"the batch must hold at least 1 instrument, not {self.batch}")


@dataclass
class SeedReport:
    """What a run made."""

    run: str
    agencies: Counter[str] = field(default_factory=Counter)
    users: int = 0
    persons: int = 0
    cases: int = 0
    instruments: Counter[str] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    determinations: int = 0
    escalations: int = 0
    overrides: int = 0
    releases: int = 0
    rows: int = 0
    batches: int = 0
    seconds: float = 0.0
    #: Of ``seconds``, the time spent writing (COPY or inserts, and each commit).
    writing_seconds: float = 0.0
    #: Evaluations the rule engine made itself (the rest are its templates, checked).
    engine_evaluations: int = 0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "agencies": sum(self.agencies.values()),
            "agencies_by_kind": dict(sorted(self.agencies.items())),
            "users": self.users,
            "persons": self.persons,
            "cases": self.cases,
            "instruments": sum(self.instruments.values()),
            "instruments_by_kind": dict(sorted(self.instruments.items())),
            "events": sum(self.events.values()),
            "events_by_transition": dict(sorted(self.events.items())),
            "determinations": self.determinations,
            "escalations": self.escalations,
            "overrides": self.overrides,
            "releases": self.releases,
            "rows": self.rows,
            "batches": self.batches,
            "engine_evaluations": self.engine_evaluations,
            "seconds": round(self.seconds, 2),
            "writing_seconds": round(self.writing_seconds, 2),
            "rows_per_second": round(self.rows_per_second),
        }


Progress = Callable[[int], None]


def seed_national(
    desk: Desk, plan: NationalPlan, progress: Progress | None = None, source: str = "cli"
) -> SeedReport:
    """Add a synthetic national record to the database ``desk`` works on; calls ``progress``
    with the instruments written so far after each batch."""
    plan.check()
    started = time.perf_counter()
    rng = random.Random(plan.seed)  # noqa: S311 - synthetic data, no secret
    tag = _unused_tag(desk)
    now = desk.clock.now()
    nation = build_nation(plan.agencies, tag, rng)
    report = SeedReport(run=tag)
    mint = IdMint(tag)
    _write_agencies(desk, nation, mint, now - HISTORY, report, source)
    rules = _RememberingRules(desk.rules)
    teller = Storyteller(
        desk=replace(desk, rules=rules),
        nation=nation,
        mint=mint,
        rng=rng,
        now=now,
        since=now - HISTORY,
        evaluations=EvaluationCache(rules, random.Random(rng.random())),  # noqa: S311
        read_model=ReadModel(random.Random(rng.random())),  # noqa: S311
    )
    writer = _Writer(desk, report, source, progress)
    run = _Run(plan, teller, report, writer, _sealer(desk))
    try:
        while run.left > 0:
            run.batch()
    finally:
        writer.close()
    report.engine_evaluations = teller.evaluations.engine_calls
    report.seconds = time.perf_counter() - started
    return report


def _unused_tag(desk: Desk) -> str:
    """A run tag that no id in the database carries yet (one in 16 million is taken by
    another run; trying again is cheap)."""
    with desk.uow() as uow:
        db = _connection(uow)
        for _ in range(20):
            tag = new_tag()
            if not _tag_taken(db, tag):
                return tag
    raise InvalidInput("could not find an unused run tag: is the database full of seeds?")


def _tag_taken(db: Connection, tag: str) -> bool:
    for prefix in PREFIXES:
        table = _ID_TABLES[prefix]
        found = select(table.c.id).where(table.c.id.between(*id_range(prefix, tag))).limit(1)
        if db.execute(found).first():
            return True
    agencies = orm.agencies
    code = select(agencies.c.id).where(agencies.c.id.like(f"%-{tag}-%")).limit(1)
    return db.execute(code).first() is not None


def _connection(uow: object) -> Connection:
    assert isinstance(uow, SqlUnitOfWork), "seeding writes through the SQL unit of work"
    return uow.connection


def _sealer(desk: Desk) -> Sealer:
    """The key ring the desk's repositories seal people's records with: the seeder seals its
    rows the same way."""
    with desk.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork), "seeding writes through the SQL unit of work"
        return uow.sealer


def _write_agencies(
    desk: Desk, nation: Nation, mint: IdMint, at: datetime, report: SeedReport, source: str
) -> None:
    """The agencies and their users, as ``services.agencies`` registers them (an officer and
    a lawyer each, without a sign-in yet: the events name them as their actors)."""
    rows = Rows()
    for agency in nation.agencies:
        add_agency(rows, agency, at)
        report.agencies[agency.kind.value] += 1
        for role_name, role in _ROLES:
            display = f"Synthetic {role_name.title()} ({agency.id})"
            user = User(
                mint("usr"), username(agency, role_name), agency.id, display, frozenset({role})
            )
            add_user(rows, user, at)
    report.users = rows.count("users")
    _commit(desk, rows, report, source, {"agencies": rows.count("agencies"), "users": report.users})


class _Run:
    """The batches of one run, and how many instruments and events are still to make."""

    def __init__(
        self,
        plan: NationalPlan,
        teller: Storyteller,
        report: SeedReport,
        writer: _Writer,
        sealer: Sealer,
    ) -> None:
        self.plan, self.teller, self.report, self.writer = plan, teller, report, writer
        self.sealer = sealer
        self.left = plan.instruments
        self.events = 0
        self.implied = 0
        self.stories = 0

    def batch(self) -> None:
        rows, made = Rows(), Counter[str]()
        while self.left > 0 and made["instruments"] < self.plan.batch:
            story = self.teller.tell(self.left, self._extra_events())
            add_story(rows, story, self.sealer)
            self._count(story, made)
        self.report.batches += 1
        self.writer.put(rows, {"batch": self.report.batches, **made})

    def _extra_events(self) -> int:
        """Events to add by moving expected releases, so that the run ends near the events
        asked for: what is still wanted beyond what the remaining chains imply, spread over
        the stories still to tell."""
        wanted = self.plan.events
        if wanted is None:
            return 0
        per_instrument = self.implied / self.done if self.done else _IMPLIED_GUESS
        per_story = self.done / self.stories if self.stories else 1.5
        beyond = wanted - self.events - per_instrument * self.left
        return max(0, round(beyond / max(self.left / per_story, 1.0)))

    @property
    def done(self) -> int:
        return self.plan.instruments - self.left

    def _count(self, story: Story, made: Counter[str]) -> None:
        report, case = self.report, story.case
        self.left -= len(case.instruments)
        self.stories += 1
        self.events += len(story.events)
        self.implied += sum(1 for e in story.events if e.transition != "reschedule")
        report.persons += 1
        report.cases += 1
        report.instruments.update(i.kind.value for i in case.instruments)
        report.events.update(e.transition for e in story.events)
        report.determinations += len(story.answered)
        report.escalations += story.escalations
        report.overrides += story.overrides
        report.releases += len(story.releases)
        made.update(
            persons=1,
            cases=1,
            instruments=len(case.instruments),
            events=len(story.events),
            determinations=len(story.answered),
            releases=len(story.releases),
        )


class _Writer:
    """Writes the batches on a thread of its own, one at a time and in order, so that the
    database works through one batch while the next is told (two processors: one each). A
    failure stops the writing and is raised in the run."""

    def __init__(
        self, desk: Desk, report: SeedReport, source: str, progress: Progress | None
    ) -> None:
        self.desk, self.report, self.source, self.progress = desk, report, source, progress
        self._batches: queue.Queue[tuple[Rows, dict[str, int]] | None] = queue.Queue(maxsize=1)
        self._failure: BaseException | None = None
        self._written = 0
        self._thread = threading.Thread(target=self._work, name="seed-writer", daemon=True)
        self._thread.start()

    def put(self, rows: Rows, detail: dict[str, int]) -> None:
        """Hand over a batch; waits while the one before it is still waiting."""
        self._raise()
        self._batches.put((rows, detail))

    def close(self) -> None:
        """Wait for every batch handed over to be written."""
        self._batches.put(None)
        self._thread.join()
        self._raise()

    def _raise(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _work(self) -> None:
        while (batch := self._batches.get()) is not None:
            if self._failure is not None:
                continue  # what comes after a failed batch is dropped, never written
            rows, detail = batch
            try:
                _commit(self.desk, rows, self.report, self.source, detail)
            except BaseException as failure:  # raised in the run by put or close
                self._failure = failure
                continue
            self._written += detail.get("instruments", 0)
            if self.progress is not None:
                self.progress(self._written)


def _commit(
    desk: Desk, rows: Rows, report: SeedReport, source: str, detail: dict[str, int]
) -> None:
    """Write one batch and its audit entry in one transaction."""
    started = time.perf_counter()
    with desk.uow() as uow:
        writer_for(_connection(uow)).write(rows)
        audit.record(
            uow,
            actor=desk.operator or audit.SYSTEM,
            agency="",
            action="seed.national",
            object_type="seed",
            object_id=f"national-{report.run}",
            source=source,
            detail={"run": report.run, "rows": len(rows), **detail},
        )
        uow.commit()
    report.rows += len(rows)
    report.writing_seconds += time.perf_counter() - started


class _RememberingRules:
    """The desk's rule book, remembering each pack's hold bound by day: a run asks for it
    for every due date it computes."""

    def __init__(self, rules: RuleBook) -> None:
        self._rules = rules
        self._bounds: dict[tuple[str, date], HoldBound] = {}

    def has_pack(self, pack_id: str) -> bool:
        return self._rules.has_pack(pack_id)

    def pack_ids(self) -> list[str]:
        return self._rules.pack_ids()

    def decide(self, document: dict[str, Any]) -> RuleDecision:
        return self._rules.decide(document)

    def hold_bound(self, pack_id: str, as_of: date) -> HoldBound:
        key = (pack_id, as_of)
        found = self._bounds.get(key)
        if found is None:
            found = self._bounds[key] = self._rules.hold_bound(pack_id, as_of)
        return found
