"""``lexdesk seed national``, end to end on SQLite and PostgreSQL: on top of the demo it adds a
synthetic record whose figures are the database's, whose chains are the ones the application
itself would have written (every transition allowed, statuses, versions, answers, evaluations
and read models as the services make them), with the audit chain whole and the demo untouched;
a second run adds to the first."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import Connection, Engine, func, select

from lexdesk.adapters import orm
from lexdesk.adapters.database import create_database_engine
from lexdesk.adapters.ledger_repository import SqlReleaseRepository
from lexdesk.adapters.person_records import opened_evaluation
from lexdesk.adapters.persons_repository import SqlPersonRepository
from lexdesk.adapters.repository import SqlAgencyRepository, SqlCaseRepository
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.sealing import DEVELOPMENT
from lexdesk.domain.lifecycle import find_transition
from lexdesk.domain.visibility import issuer_view, party_statuses
from lexdesk.domain.vocabulary import InstrumentKind, InstrumentStatus
from lexdesk.entrypoints.cli.common import app, reset_app
from lexdesk.services import accounts
from lexdesk.services.evaluation import evaluate_for_determination
from tests.databases import copy_database, postgres_database, sqlite_url
from tests.e2e.test_cli import Shell

SIZE = 2000
#: More events than the chains imply (about three per instrument): the rest are moved releases.
EVENTS = 12_000
#: Statuses that an answer (a determination) leaves an instrument in.
ANSWERED = {"complied", "partially_complied", "declined", "contested", "granted",
            "granted_narrowed", "denied"}  # fmt: skip


@dataclass(frozen=True)
class Seeded:
    url: str
    demo: dict[str, Any]
    report: dict[str, Any]
    #: Every row the database held before the seed, table by table.
    before: dict[str, Counter[tuple[str, ...]]]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """The demo, then ``seed national`` on top of it: once per database for the module."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path_factory.mktemp("seed"))
    else:
        url = postgres_database(os.environ.get("PYTEST_XDIST_WORKER", "main"), "_seed_national")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LEXDESK_DATABASE_URL", url)
        reset_app()
        shell = Shell()
        demo = shell.json("demo")
        before = all_rows(url)
        report = shell.json(
            "seed", "national", "--instruments", str(SIZE), "--events", str(EVENTS), "--seed", "7"
        )
        reset_app()
    return Seeded(url, demo, report, before)


@pytest.fixture
def sh(seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shell]:
    monkeypatch.setenv("LEXDESK_DATABASE_URL", seeded.url)
    reset_app()
    yield Shell()
    reset_app()


@pytest.fixture
def db(seeded: Seeded) -> Iterator[Connection]:
    engine = create_database_engine(seeded.url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def all_rows(url: str) -> dict[str, Counter[tuple[str, ...]]]:
    engine = create_database_engine(url)
    with engine.connect() as connection:
        found = {
            table.name: Counter(tuple(map(repr, row)) for row in connection.execute(select(table)))
            for table in orm.metadata.sorted_tables
        }
    engine.dispose()
    return found


def of_run(column: Any, run: str) -> Any:
    """Rows whose id the run with tag ``run`` minted."""
    return column.like(f"%-{run}%")


def count(db: Connection, table: Any, *where: Any) -> int:
    return int(db.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


# -- what the run says it made is what the database holds ----------------------------------


def test_the_figures_printed_are_the_databases(seeded: Seeded, db: Connection) -> None:
    report, run = seeded.report, seeded.report["run"]
    ins, ev = orm.instruments, orm.instrument_events
    assert report["instruments"] == SIZE
    assert count(db, orm.agencies, of_run(orm.agencies.c.id, run)) == report["agencies"]
    assert count(db, orm.users, of_run(orm.users.c.id, run)) == report["users"]
    assert count(db, orm.persons, of_run(orm.persons.c.id, run)) == report["persons"]
    assert count(db, orm.cases, of_run(orm.cases.c.id, run)) == report["cases"]
    assert count(db, orm.releases, of_run(orm.releases.c.id, run)) == report["releases"]
    kinds = db.execute(
        select(ins.c.kind, func.count()).where(of_run(ins.c.id, run)).group_by(ins.c.kind)
    )
    assert dict(kinds.all()) == report["instruments_by_kind"]
    transitions = db.execute(
        select(ev.c.transition, func.count())
        .where(of_run(ev.c.instrument_id, run))
        .group_by(ev.c.transition)
    )
    assert dict(transitions.all()) == report["events_by_transition"]
    answers = count(db, orm.determinations, of_run(orm.determinations.c.instrument_id, run))
    assert answers == report["determinations"]
    assert sum(report["events_by_transition"].values()) == report["events"]
    assert abs(report["events"] - EVENTS) < EVENTS / 10
    assert report["events_by_transition"]["reschedule"] > SIZE
    assert report["events_by_transition"]["escalate"] == report["escalations"]
    # Every kind of instrument and the whole ladder, at this size already.
    assert set(report["instruments_by_kind"]) == {kind.value for kind in InstrumentKind}
    assert report["agencies_by_kind"].keys() == {"custodial", "immigration", "prosecutor", "court"}
    assert report["rows"] > report["instruments"] and report["rows_per_second"] > 0


# -- the chains are the application's ------------------------------------------------------


def test_every_instrument_has_a_case_about_a_person_who_exists(db: Connection) -> None:
    i, c, p = orm.instruments, orm.cases, orm.persons
    orphans = (
        select(func.count())
        .select_from(i.outerjoin(c, c.c.id == i.c.case_id).outerjoin(p, p.c.id == c.c.person_id))
        .where((c.c.id.is_(None)) | (p.c.id.is_(None)))
    )
    assert db.execute(orphans).scalar_one() == 0


def test_every_answer_has_its_determination_and_its_determine_event(db: Connection) -> None:
    i, d, ev = orm.instruments, orm.determinations, orm.instrument_events
    determined = {row.instrument_id for row in db.execute(select(d.c.instrument_id))}
    with_event = {
        row.instrument_id
        for row in db.execute(select(ev.c.instrument_id).where(ev.c.transition == "determine"))
    }
    answered = {row.id for row in db.execute(select(i.c.id).where(i.c.status.in_(ANSWERED)))}
    assert answered <= determined
    assert determined == with_event
    outcomes = db.execute(
        select(d.c.outcome, ev.c.to_status).join(ev, ev.c.instrument_id == d.c.instrument_id)
        .where(ev.c.transition == "determine")
    )  # fmt: skip
    assert all(outcome == status for outcome, status in outcomes)


def test_each_history_is_a_chain_of_allowed_transitions_ending_in_the_status(
    db: Connection,
) -> None:
    """From the issue out of ``draft``, each event starts where the one before ended, the
    transition table allows it for the kind, the last ends in the instrument's status, and the
    instrument's version counts its events (one for the insert, one per change)."""
    ev, ins = orm.instrument_events, orm.instruments
    histories: dict[str, list[Any]] = {}
    for event in db.execute(select(ev).order_by(ev.c.at, ev.c.id)):
        histories.setdefault(event.instrument_id, []).append(event)
    for row in db.execute(select(ins.c.id, ins.c.kind, ins.c.status, ins.c.version)):
        history = histories[row.id]
        assert history[0].transition == "issue" and history[0].from_status == "draft", row.id
        kind, status = InstrumentKind(row.kind), InstrumentStatus("draft")
        for event in history:
            assert event.from_status == status.value, (row.id, event.transition)
            if event.transition in ("reschedule", "confirm"):
                assert event.to_status == event.from_status
            else:
                allowed = find_transition(
                    kind, status, event.transition, InstrumentStatus(event.to_status)
                )
                assert allowed is not None, (row.id, status, event.transition)
            status = InstrumentStatus(event.to_status)
        assert status.value == row.status, row.id
        assert row.version == len(history), row.id


def test_escalations_name_the_instrument_they_made(db: Connection) -> None:
    ev, ins = orm.instrument_events, orm.instruments
    children = {row.id: row for row in db.execute(select(ins).where(ins.c.parent_id.is_not(None)))}
    escalations = list(db.execute(select(ev).where(ev.c.transition == "escalate")))
    assert len(escalations) == len(children)
    for event in escalations:
        child = children[event.changes["escalated_to"]]
        assert child.parent_id == event.instrument_id and child.kind == event.changes["kind"]
        assert child.case_id == event.case_id and child.issued_at == event.at


def test_the_read_models_are_what_the_disclosure_policy_computes(
    seeded: Seeded, db: Connection
) -> None:
    """What each issuer sees of its instruments, and each party of its case, as
    ``services.views.store`` would have stored them: for every seeded case."""
    cases, releases = SqlCaseRepository(db, DEVELOPMENT), SqlReleaseRepository(db, DEVELOPMENT)
    ins, parties = orm.instruments, orm.case_parties
    run = seeded.report["run"]
    for case_id in db.execute(select(orm.cases.c.id).where(of_run(orm.cases.c.id, run))).scalars():
        case = cases.get(case_id)
        assert case is not None
        known, events = releases.about(case.person_id), cases.events(case.id)
        stored = {
            row.id: (row.issuer_status, row.issuer_due_at)
            for row in db.execute(select(ins).where(ins.c.case_id == case.id))
        }
        for instrument in case.instruments:
            status, due = issuer_view(case, instrument, known, events)
            assert stored[instrument.id] == (status.value, due), instrument.id
        seen = {a: s.value for a, s in party_statuses(case, known, events).items()}
        rows = db.execute(select(parties).where(parties.c.case_id == case.id))
        assert {row.agency_id: row.status for row in rows} == seen, case.id
        assert not case.close_if_settled(), f"{case.id}: every instrument settled, case open"


def test_each_evaluation_is_the_rule_engines_own_record(seeded: Seeded, db: Connection) -> None:
    """The stored evaluation of every seeded answer, as ``services.evaluation`` makes it for
    that instrument, person and day (the seed reuses checked templates: they must not show)."""
    now = lambda: datetime.now(UTC)  # noqa: E731 - the repositories' clock, unused by reads
    cases, persons, agencies = (
        SqlCaseRepository(db, DEVELOPMENT),
        SqlPersonRepository(db, now, DEVELOPMENT),  # the CLI's ring: no key configured
        SqlAgencyRepository(db, now),
    )
    rules, d = PackRuleBook(), orm.determinations
    answered = db.execute(
        select(d.c.instrument_id, d.c.determined_at, d.c.evaluation).where(
            of_run(d.c.instrument_id, seeded.report["run"])
        )
    ).all()
    evaluated = [row for row in answered if row.evaluation is not None]
    assert len(evaluated) > len(answered) / 2
    for row in evaluated:
        case = cases.of_instrument(row.instrument_id)
        assert case is not None
        instrument = case.instrument(row.instrument_id)
        person = persons.get(case.person_id)
        addressee = agencies.get(instrument.addressee_agency_id)
        requester = agencies.get(case.requesting_agency_id)
        assert person and addressee and requester
        made = evaluate_for_determination(
            rules, addressee, instrument, person, row.determined_at, requester
        )
        assert made == opened_evaluation(row.evaluation, row.instrument_id, DEVELOPMENT), (
            row.instrument_id
        )


def test_answers_that_release_are_in_the_ledger(seeded: Seeded, db: Connection) -> None:
    d, r, rr = orm.determinations, orm.releases, orm.release_recipients
    run = seeded.report["run"]
    releasing = {
        row.instrument_id
        for row in db.execute(select(d).where(of_run(d.c.instrument_id, run)))
        if row.actions_performed
    }
    ledger = {row.instrument_id: row for row in db.execute(select(r).where(of_run(r.c.id, run)))}
    assert set(ledger) == releasing
    reached = Counter(row.release_id for row in db.execute(select(rr.c.release_id)))
    assert all(reached[release.id] >= 1 for release in ledger.values())


# -- the rest of the desk still works ------------------------------------------------------


def test_the_audit_chain_is_whole_and_names_each_batch(sh: Shell, seeded: Seeded) -> None:
    assert sh("audit", "verify").startswith("audit chain intact")
    engine = create_database_engine(seeded.url)
    with engine.connect() as connection:
        entries = connection.execute(
            select(orm.audit_log.c.detail).where(orm.audit_log.c.action == "seed.national")
        ).scalars().all()  # fmt: skip
    engine.dispose()
    assert len(entries) == seeded.report["batches"] + 1  # the agencies', then each batch's
    assert sum(e.get("instruments", 0) for e in entries) == SIZE
    assert sum(e["rows"] for e in entries) == seeded.report["rows"]


def test_the_demo_is_untouched_and_its_users_still_sign_in(seeded: Seeded, sh: Shell) -> None:
    after = all_rows(seeded.url)
    for table, rows in seeded.before.items():
        assert not rows - after[table], f"{table}: a row the demo had is changed or gone"
    login = next(u for u in seeded.demo["users"] if u["username"] == "nyc-doc-officer")
    desk = app().desk
    ticket = accounts.begin_login(desk, login["username"], seeded.demo["password"], "192.0.2.1")
    code = pyotp.TOTP(login["totp_secret"]).now()
    token, principal = accounts.complete_login(desk, ticket, code, "192.0.2.1")
    assert token and principal.username == "nyc-doc-officer"
    assert len(sh.json("cases", "list", "--as", "nyc-doc-officer")) >= 1


def test_the_transparency_report_computes_on_the_seeded_record(
    sh: Shell, seeded: Seeded, db: Connection
) -> None:
    ev, ins = orm.instrument_events, orm.instruments
    busiest = db.execute(
        select(ins.c.addressee_agency_id, func.count().label("n"))
        .where(of_run(ins.c.id, seeded.report["run"]), ins.c.addressee_agency_id.like("%jail%"))
        .group_by(ins.c.addressee_agency_id)
        .order_by(func.count().desc())
        .limit(1)
    ).one()
    first = db.execute(
        select(func.min(ev.c.at)).join(ins, ins.c.id == ev.c.instrument_id)
        .where(ins.c.addressee_agency_id == busiest.addressee_agency_id)
    ).scalar_one()  # fmt: skip
    year = str(first.year + 1)  # a whole year of the record
    db.rollback()  # SQLite: a reader's open transaction would keep the command from writing
    report = sh.json(
        "reports", "compute", "general", "--agency", busiest.addressee_agency_id, "--period", year
    )
    assert report["agency"] == busiest.addressee_agency_id
    received = next(f for f in report["figures"] if f["id"] == "instruments_received")
    total = next(c for c in received["cells"] if c["by"] == {"kind": "all"})
    assert total["value"] or total["suppressed"]


def test_a_second_run_adds_to_the_first_and_says_so_in_words(
    seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = copy_database(seeded.url, tmp_path)
    monkeypatch.setenv("LEXDESK_DATABASE_URL", url)
    reset_app()
    try:
        words = Shell()("seed", "national", "--instruments", "300", "--agencies", "8")
        assert Shell()("audit", "verify").startswith("audit chain intact")
    finally:
        reset_app()
    first, *figures = words.splitlines()
    run = first.split()[2]
    assert first.startswith("seeded run ") and run != seeded.report["run"]
    assert "rows/s" in first
    assert figures[0].split()[:2] == ["agencies", "8"]
    assert figures[2].split()[:2] == ["instruments", "300"]
    engine: Engine = create_database_engine(url)
    with engine.connect() as db:
        for tag in (seeded.report["run"], run):
            assert count(db, orm.cases, of_run(orm.cases.c.id, tag)) > 0
        total = count(db, orm.instruments)
    engine.dispose()
    demo = sum(seeded.before["instruments"].values())
    assert total == demo + SIZE + 300


# -- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--instruments", "-1"), "--instruments must be at least 1"),
        (("--agencies", "2"), "--agencies must be at least 4"),
        (("--instruments", "10", "--events", "5"), "--events must be at least"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: tuple[str, ...], says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEXDESK_DATABASE_URL", sqlite_url(tmp_path))
    reset_app()
    error = Shell()("seed", "national", *args, code=2)
    reset_app()
    assert error.startswith(f"lexdesk: {says}") and error.count("\n") == 1


def test_a_database_that_is_not_migrated_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEXDESK_DATABASE_URL", sqlite_url(tmp_path))
    reset_app()
    error = Shell()("seed", "national", "--instruments", "10", code=2)
    reset_app()
    assert error.startswith("lexdesk: the database is not migrated") and error.count("\n") == 1
    assert "lexdesk init" in error
