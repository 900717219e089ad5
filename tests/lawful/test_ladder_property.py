"""Nothing reachable reveals what the custodian did not release: a property over the whole
ladder (issue: "Lawful by construction", item 5).

A Hypothesis state machine walks random chains: requests issued with random actions and
warrants, acknowledged, answered with random outcomes, fields and overrides, escalated with
random scopes and dates, withdrawn, lapsed by the clock, and the person released, transferred
or given a new expected release. The custodian is one of four, each under another rule pack.
After every step, every other agency (the requester, the U.S. Attorney, the court) reads
everything it can reach through the three readers, the API's JSON, the web's HTML and the
command line's JSON, and none of it may hold:

- a value of the person's record that was not released to that agency (each field carries a
  marker string; a released value is allowed as it stood when released);
- any expected release the person had (in every way a page or answer prints a moment) unless
  that very date was released to the agency, nor any due date computed from it (48 clock
  hours, 48 business hours), nor the "Release within 48 h" flag;
- the rules of the custodian's evaluation (their ids and labels), nor its override;
- ``moot``, the end of a request set off by the person leaving custody, unless the agency was
  told of the custody since.

``LEXDESK_PROPERTY_EXAMPLES`` sets the number of examples per database (default 10); the
figures of a run are printed by ``-s``.
"""

from __future__ import annotations

import inspect
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from lexdesk.adapters import orm
from lexdesk.adapters.person_records import opened_release
from lexdesk.adapters.rule_packs import load_catalog
from lexdesk.domain.calendar import calendar_for
from lexdesk.domain.deadlines import BUSINESS_HOURS, DeadlinePolicy, HoldBound, hold_end
from lexdesk.domain.errors import LexdeskError
from lexdesk.domain.persons import Conviction
from lexdesk.domain.vocabulary import DISCLOSABLE_FIELDS, REQUEST_KINDS
from lexdesk.services import instruments as verbs
from lexdesk.services import persons
from tests.lawful.harness import Lawful, book, build_lawful, formats, keep_alive

CUSTODIANS = {"doc": "us-ny-nyc-doc", "nypd": "us-ny-nyc-nypd", "ca": "us-ca", "tx": "us-tx"}
READERS = ("ice-legal", "usao-legal", "court-legal")
RECORD_FIELDS = ("home_address", "work_address", "emergency_contacts", "identity_documents")
OFFENSES = ("NY PL 160.15", "NY PL 125.25", "CA PC 187", "TX PC 19.02", "NY PL 155.30")
EXAMPLES = int(os.environ.get("LEXDESK_PROPERTY_EXAMPLES", "10"))
STEPS = 20
ACTIONS = st.lists(
    st.sampled_from(
        ["hold", "notify_release", "transfer", *(f"disclose:{f}" for f in DISCLOSABLE_FIELDS)]
    ),
    min_size=1,
    max_size=4,
    unique=True,
)


@dataclass
class Figures:
    examples: int = 0
    steps: int = 0
    reads: int = 0
    seconds: float = 0.0
    by_database: dict[str, str] = field(default_factory=dict)
    #: what the walks did: each kind of act, done or refused
    acts: Counter[str] = field(default_factory=Counter)


FIGURES = Figures()


@dataclass
class Subject:
    person_id: str
    identifier: str
    markers: dict[str, str]
    releases: list[datetime] = field(default_factory=list)


class Ladder(RuleBasedStateMachine):
    """One world per example; ``make`` is set by the test to build it."""

    make: Any = None
    instruments = Bundle("instruments")

    def __init__(self) -> None:
        super().__init__()
        FIGURES.examples += 1
        self.world: Lawful = type(self).make()
        self.subjects: list[Subject] = []
        self.custodian = "doc"
        self.checked: tuple[int, ...] = ()

    @initialize(
        custodian=st.sampled_from(sorted(CUSTODIANS)),
        release_in=st.integers(min_value=3 * 60 + 7, max_value=21 * 24 * 60),
        facts=st.fixed_dictionaries({"tsdb_match": st.booleans(), "prior_removal": st.booleans()}),
        convicted=st.lists(st.sampled_from(OFFENSES), max_size=2, unique=True),
        salt=st.integers(min_value=10_000, max_value=99_999),
    )
    def people(
        self,
        custodian: str,
        release_in: int,
        facts: dict[str, bool],
        convicted: list[str],
        salt: int,
    ) -> None:
        self.custodian = custodian
        release = self.world.clock.now() + timedelta(minutes=release_in)
        markers = {name: f"{name.upper()}-{salt}-MARK" for name in RECORD_FIELDS}
        convictions = tuple(
            Conviction(code, "felony", datetime(2019, 3, 4, tzinfo=UTC).date())
            for code in convicted
        )
        nysid = f"{salt}{len(self.subjects):03d}P"
        person = book(
            self.world, custodian, nysid=nysid, release=release, record=markers,
            convictions=convictions, facts=facts, family_name=f"Markname{salt}",
        )  # fmt: skip
        markers["family_name"] = f"Markname{salt}"
        self.subjects.append(Subject(person, f"nysid:{nysid}", markers, [release]))

    # ---- the steps -------------------------------------------------------------------------

    @rule(target=instruments, kind=st.sampled_from(sorted(REQUEST_KINDS)), actions=ACTIONS,
          warrant=st.sampled_from(["none", "administrative", "judicial"]))  # fmt: skip
    def issue(self, kind: str, actions: list[str], warrant: str) -> Any:
        subject = self.subjects[0]
        command = verbs.IssueInstrument(
            "ice-officer", kind, self.custodian, subject.identifier, tuple(actions), warrant
        )
        made = self._try(lambda: verbs.issue_instrument(self.world.desk, command))
        return made.id if made else multiple()

    @rule(
        target=instruments,
        instrument=instruments,
        outcome=st.sampled_from(["complied", "partially_complied", "declined", "contested"]),
        ruling=st.sampled_from(["granted", "granted_narrowed", "denied"]),
        fields=st.lists(st.sampled_from(DISCLOSABLE_FIELDS), max_size=3, unique=True),
        performed=st.lists(
            st.sampled_from(["hold", "notify_release", "transfer"]), max_size=2, unique=True
        ),
        override=st.booleans(),
        days=st.integers(min_value=1, max_value=20),
        moves=st.integers(min_value=1, max_value=8),
    )
    def progress(
        self,
        instrument: str,
        outcome: str,
        ruling: str,
        fields: list[str],
        performed: list[str],
        override: bool,
        days: int,
        moves: int,
    ) -> Any:
        """Up to ``moves`` next acts on a chain, whoever's turn each is: acknowledge, answer
        or rule (with random fields, actions and override), escalate (with random demands and
        dates), following the chain up. The instruments made on the way."""
        made: list[str] = []
        current = instrument
        for _ in range(moves):
            with self.world.desk.uow() as uow:
                case = uow.cases.of_instrument(current)
            assert case is not None
            found = case.instrument(current)
            status, kind = found.status.value, found.kind.value
            child_of = [i.id for i in case.instruments if i.parent_id == current]
            if status == "escalated" and child_of:
                current = child_of[0]  # follow the chain up to where it stands
                continue
            if status in ("withdrawn", "moot", "complied", "partially_complied", "denied"):
                break
            if status == "issued":
                who = {"referral": "usao", "enforcement_petition": "court"}.get(
                    kind, self.custodian
                )
                command = verbs.Acknowledge(f"{who}-officer", current)
                self._try(lambda command=command: verbs.acknowledge(self.world.desk, command))
            elif status == "acknowledged" and not (kind == "referral" and ruling != "denied"):
                self._determine(kind, current, outcome, ruling, fields, performed, override)
            else:
                child = self._escalate(current, fields, days)
                if not child:
                    break
                made.append(child)
                current = child
        return multiple(*made)

    @rule(
        target=instruments,
        kind=st.sampled_from(sorted(REQUEST_KINDS)),
        fields=st.lists(st.sampled_from(DISCLOSABLE_FIELDS), min_size=1, max_size=3, unique=True),
        narrowed=st.booleans(),
        to_court_too=st.booleans(),
        partial=st.booleans(),
        days=st.integers(min_value=2, max_value=20),
    )
    def climb(
        self, kind: str, fields: list[str], narrowed: bool, to_court_too: bool, partial: bool,
        days: int,
    ) -> Any:  # fmt: skip
        """A whole chain at once: a request refused, a subpoena contested, the referral, the
        petition granted (or narrowed), the court's order produced to the requester (and to
        the court, if drawn), answered in full or in part. Every instrument made."""
        desk, asks = self.world.desk, tuple(f"disclose:{f}" for f in fields)
        command = verbs.IssueInstrument(
            "ice-officer", kind, self.custodian, self.subjects[0].identifier, ("hold", *asks)
        )
        first = self._try(lambda: verbs.issue_instrument(desk, command))
        if first is None:
            return multiple()
        made, current = [first.id], first.id
        steps: list[tuple[str, str, Any]] = [
            ("ack", f"{self.custodian}-officer", None),
            ("answer", f"{self.custodian}-legal", "declined"),
            ("escalate", "ice-officer", (None, asks)),
            ("ack", f"{self.custodian}-officer", None),
            ("answer", f"{self.custodian}-legal", "contested"),
            ("escalate", "ice-officer", ("usao", ())),
            ("ack", "usao-officer", None),
            ("escalate", "usao-legal", ("court", ())),
            ("ack", "court-officer", None),
            ("rule", "court-legal", (fields[:1] if narrowed else [])),
            ("escalate", "court-legal", (None, ())),
            ("ack", f"{self.custodian}-officer", None),
            ("answer", f"{self.custodian}-legal", "partially_complied" if partial else "complied"),
        ]
        for act, who, extra in steps:
            child = self._act(act, who, current, extra, days, to_court_too, fields)
            if child is False:
                break
            if isinstance(child, str):
                made.append(child)
                current = child
        return multiple(*made)

    def _act(
        self, act: str, who: str, current: str, extra: Any, days: int, to_court_too: bool,
        fields: list[str],
    ) -> Any:  # fmt: skip
        desk = self.world.desk
        if act == "ack":
            done = self._try(lambda: verbs.acknowledge(desk, verbs.Acknowledge(who, current)))
        elif act == "answer":
            released = tuple(fields[:1]) if extra == "partially_complied" else ()
            reason = "Counsel departs from the evaluation on the record."
            plain = verbs.Determine(who, current, extra, "Answered.", released)
            done = self._try(lambda: verbs.determine(desk, plain)) or self._try(
                lambda: verbs.determine(desk, replace(plain, override_reason=reason))
            )
        elif act == "rule":
            ruling = "granted_narrowed" if extra else "granted"
            command = verbs.Determine(who, current, ruling, "Ruled.", tuple(extra))
            done = self._try(lambda: verbs.determine(desk, command))
        else:
            to, asks = extra
            produce = ("ice", "court") if to_court_too and who == "court-legal" else ()
            due = self._business_day(days)
            command = verbs.Escalate(who, current, "Next rung.", to, asks, due, produce_to=produce)
            made = self._try(lambda: verbs.escalate(desk, command))
            if made is None:
                return False
            FIGURES.acts[f"{made.kind.value} made"] += 1
            return str(made.id)
        return done is not None

    def _business_day(self, days: int) -> datetime:
        day = (self.world.clock.now() + timedelta(days=days)).date()
        calendar = calendar_for("NY")
        while not calendar.is_business_day(day):
            day += timedelta(days=1)
        return datetime(day.year, day.month, day.day, 21, 30, tzinfo=UTC)  # evening, New York

    def _determine(
        self, kind: str, instrument: str, outcome: str, ruling: str, fields: list[str],
        performed: list[str], override: bool,
    ) -> None:  # fmt: skip
        """Answer as drawn; if that is refused (fields a refusal cannot release, an answer the
        law forbids), the same answer plainly; then, if drawn, with an override."""
        who, answer, reason = f"{self.custodian}-legal", outcome, "Answered."
        if kind == "referral":
            who, answer = "usao-legal", "declined"
        elif kind == "enforcement_petition":
            who, answer = "court-legal", ruling
        tries = [(tuple(fields), tuple(performed), None), ((), (), None)]
        if override:
            tries.append(((), (), "Counsel departs from the evaluation on the record."))
        for released, done, overriding in tries:
            command = verbs.Determine(
                who, instrument, answer, reason, released, None, "cli", done, overriding
            )
            if self._try(lambda command=command: verbs.determine(self.world.desk, command)):
                return

    def _escalate(self, instrument: str, fields: list[str], days: int) -> str:
        due = self._business_day(days)
        actions = tuple(f"disclose:{f}" for f in fields)
        for who, to in (("ice-officer", "usao"), ("usao-legal", "court"), ("court-legal", None)):
            for asked in (actions, ()):
                command = verbs.Escalate(who, instrument, "Next rung.", to, asked, due)
                made = self._try(lambda command=command: verbs.escalate(self.world.desk, command))
                if made:
                    FIGURES.acts[f"{made.kind.value} made"] += 1
                    return str(made.id)
        return ""

    @rule(instrument=instruments, really=st.sampled_from([True, False, False]))
    def withdraw(self, instrument: str, really: bool) -> None:
        if not really:  # most chains go on: a withdrawal ends one
            return
        for who in ("ice-officer", "usao-legal", "court-legal"):
            self._try(lambda who=who: verbs.withdraw(
                self.world.desk, verbs.Withdraw(who, instrument, "No longer needed.")))  # fmt: skip

    @rule(hours=st.integers(min_value=1, max_value=24 * 12))
    def time_passes(self, hours: int) -> None:
        self.world.clock.advance(hours=hours)
        from lexdesk.queries.lists import overdue_instrument_ids

        with self.world.built.engine.connect() as db:
            overdue = overdue_instrument_ids(db, self.world.clock.now())
        verbs.lapse_overdue(self.world.desk, overdue)

    @rule(event=st.sampled_from(
        ["release", "transfer", "book_again", *["release_date"] * 3, *["none"] * 4]),
          minutes=st.integers(min_value=61, max_value=30 * 24 * 60))  # fmt: skip
    def custody(self, event: str, minutes: int) -> None:
        subject, actor = self.subjects[0], f"{self.custodian}-officer"
        desk, who = self.world.desk, subject.person_id
        new = self.world.clock.now() + timedelta(minutes=minutes)
        if event == "release":
            command: Any = persons.ReleasePerson(actor, who, "Released.")
            self._try(lambda: persons.release_person(desk, command))
        elif event == "transfer":
            command = persons.TransferPerson(actor, who, "ice", "To ICE.")
            self._try(lambda: persons.transfer_person(desk, command))
        elif event == "release_date":
            command = persons.SetExpectedRelease(actor, who, new, "Moved.")
            if self._try(lambda: persons.set_expected_release(desk, command)):
                subject.releases.append(new)
        elif event == "book_again":
            nysid = subject.identifier.split(":", 1)[1]
            if self._try(lambda: book(self.world, self.custodian, nysid=nysid, release=new)):
                subject.releases.append(new)

    def teardown(self) -> None:
        """Each example's world goes with it: its connections, and its database on PostgreSQL
        (a hundred examples would otherwise hold a hundred pools and databases)."""
        world = self.world
        world.client.close()
        world.built.engine.dispose()
        _drop(world.url)

    def _try(self, call: Any) -> Any:
        act = inspect.stack()[1].function
        try:
            done = call()
        except LexdeskError:
            FIGURES.acts[f"{act} refused"] += 1
            return None
        FIGURES.acts[f"{act} done"] += 1
        return done

    # ---- the property ----------------------------------------------------------------------

    @invariant()
    def nothing_leaks(self) -> None:
        if not self.subjects:
            return
        FIGURES.steps += 1  # after the people are booked, and after every step
        state = self._state()
        if state == self.checked:
            return  # the step was refused and changed nothing: what was read is still so
        fresh = self._changed_since(self.checked[0] if self.checked else 0)
        # A case reads the same as at the last check unless it changed, or what was released
        # about the person, or the person's custody did (which also brings new secrets).
        every = state[1:] != self.checked[1:]
        self.checked = state
        keep_alive(self.world)
        for reader in READERS:
            agency = reader.split("-")[0]
            parts = self._everything(reader, fresh, every)
            FIGURES.reads += 1
            secrets = self._secrets(agency)
            found = [(where, sorted(s for s in secrets if s in text)) for where, text in parts]
            assert [f for f in found if f[1]] == [], reader

    def _secrets(self, agency: str) -> set[str]:
        released = self._released_to(agency)
        secrets: set[str] = set()
        for subject in self.subjects:
            for value in subject.markers.values():
                if value not in released:
                    secrets.add(value)
            for release in subject.releases:
                if release.isoformat() in released or _utc(release) in released:
                    continue
                secrets |= formats(release) | formats(release + timedelta(hours=48))
                secrets |= formats(_business_hold(release))
        secrets.add("Release within 48 h")
        secrets |= _rules_of(CUSTODIANS[self.custodian])
        if not self._told_of_custody(agency):
            secrets |= {'"moot"', ">moot<", " moot ", "· moot"}
        return secrets

    def _changed_since(self, event_id: int) -> set[str]:
        e = orm.instrument_events
        with self.world.built.engine.connect() as db:
            return set(db.scalars(select(e.c.instrument_id).where(e.c.id > event_id)))

    def _state(self) -> tuple[int, ...]:
        """Changes to the record: events, releases and custody (each change adds rows or
        moves a version); reads alone (and their audit entries) change none of it. The last
        event's id comes first."""
        e, r, c = orm.instrument_events, orm.releases, orm.custodies
        with self.world.built.engine.connect() as db:
            counts = [db.scalar(select(func.max(e.c.id))) or 0]
            counts += [db.scalar(select(func.count()).select_from(t)) or 0 for t in (r, c)]
            stays = db.execute(select(c.c.status, c.c.expected_release_at).order_by(c.c.id))
            shown = [hash((s.status, s.expected_release_at)) for s in stays]
        return (*counts, *shown)

    def _released(self, agency: str) -> list[dict[str, Any]]:
        """What the ledger says was released to the agency (read straight from the tables)."""
        r, rr, k = orm.releases, orm.release_recipients, orm.release_keys
        query = (
            select(r.c.id, r.c.fields, k.c.sealed_key)
            .join(rr, rr.c.release_id == r.c.id)
            .join(k, k.c.release_id == r.c.id)
        )
        with self.world.built.engine.connect() as db:
            rows = db.execute(query.where(rr.c.agency_id == agency)).all()
        sealer = self.world.built.sealer
        return [opened_release(row.fields, row.sealed_key, row.id, sealer) for row in rows]

    def _released_to(self, agency: str) -> str:
        return json.dumps(self._released(agency))

    def _told_of_custody(self, agency: str) -> bool:
        told = {"custody_status", "release_date"}
        return any(told & set(fields) for fields in self._released(agency))

    def _everything(self, reader: str, fresh: set[str], every: bool) -> list[tuple[str, str]]:
        """What the reader can reach, each text with where it was read: every list of every
        reader, every case it takes part in (API, events, web page), what each instrument
        released to it, each instrument that changed in this step by itself (API, events,
        command line), and the command line's case for every case that changed. (An
        instrument's own answer is its part of its case's answer: test_reported_defects, 6.)
        A case that did not change, when nothing was released and no custody moved, reads
        as it did at the last check."""
        w, read = self.world, []
        cases = w.get(reader, "/cases?limit=200")["items"]
        read.append(("api /cases", json.dumps(cases)))
        for box in ("sent", "received"):
            read.append(
                (
                    f"api /instruments {box}",
                    w.api(reader, "GET", f"/instruments?box={box}&limit=200").text,
                )
            )
        views = ("", "answers", "escalate", "all") if reader.startswith("ice") else ("",)
        read += [(f"web /?view={v}", w.web(reader, f"/?view={v}").text) for v in views]
        # The same lists sorted by due date, unassigned work, and a list exported as CSV.
        read.append(("web /?view=unassigned", w.web(reader, "/?view=unassigned&sort=due").text))
        exported = w.web(reader, "/export", {"view": views[-1], "sort": "-due"})
        read.append((f"web export {views[-1]}", exported.text))
        read.append(("cli cases list", w.cli("cases", "list", "--as", reader, "--json").output))
        for person in {case["person_id"] for case in cases}:
            read.append(
                (
                    "api person disclosures",
                    w.api(reader, "GET", f"/persons/{person}/disclosures").text,
                )
            )
        for case in cases:
            key = case["id"]
            shown = w.get(reader, f"/cases/{key}")
            read.append((f"api /cases/{key}", json.dumps(shown)))
            ids = [ins["id"] for ins in shown["instruments"]]
            if not every and not fresh & set(ids):
                continue
            read.append(
                (f"api /cases/{key}/events", w.api(reader, "GET", f"/cases/{key}/events").text)
            )
            read.append((f"web /cases/{key}", w.web(reader, f"/cases/{key}").text))
            if fresh & set(ids):
                read.append(
                    (
                        f"cli cases show {key}",
                        w.cli("cases", "show", key, "--as", reader, "--json").output,
                    )
                )
            for ins in ids:
                read.append(
                    (
                        f"api {ins} disclosure",
                        w.api(reader, "GET", f"/instruments/{ins}/disclosure").text,
                    )
                )
                if ins in fresh:
                    read.append((f"api {ins}", w.api(reader, "GET", f"/instruments/{ins}").text))
                    read.append(
                        (
                            f"api {ins} events",
                            w.api(reader, "GET", f"/instruments/{ins}/events").text,
                        )
                    )
                    read.append(
                        (
                            f"cli show {ins}",
                            w.cli("instruments", "show", ins, "--as", reader, "--json").output,
                        )
                    )
        return read


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _business_hold(release: datetime) -> datetime:
    policy = DeadlinePolicy()
    bound = HoldBound(48, BUSINESS_HOURS)
    return hold_end(release, bound, calendar=calendar_for(policy.state), policy=policy).due_at


def _rules_of(pack_id: str) -> set[str]:
    pack = load_catalog().get(pack_id)
    found: set[str] = set()
    for _, each in pack.all_rules():
        found.add(each.spec.id)
        if len(each.spec.label) > 12:
            found.add(each.spec.label)
    return found


# ---- the test, on both databases --------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A prepared world (agencies, users, sessions), copied for each example."""
    from tests.databases import copy_database, postgres_database, sqlite_url
    from tests.lawful.harness import AGENCIES

    folder = tmp_path_factory.mktemp("property")
    if request.param == "sqlite":
        url = sqlite_url(folder, "template.sqlite3")
    else:
        url = postgres_database(os.environ.get("PYTEST_XDIST_WORKER", "main"), "_property")
    every = AGENCIES | {"ca": ("custodial", "us-ca"), "tx": ("custodial", "us-tx")}
    prepared = build_lawful(url, agencies_of=every)
    tokens, start = dict(prepared.tokens), prepared.clock.now()
    prepared.client.close()
    prepared.built.engine.dispose()
    counter = [0]

    def make() -> Lawful:
        counter[0] += 1
        copy = copy_database(url, Path(tmp_path_factory.mktemp(f"example{counter[0]}")))
        from tests.fakes import FakeClock

        return _attach(copy, FakeClock(start), tokens)

    return request.param, make


def _drop(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    maintenance = parsed.set(database="postgres").render_as_string(hide_password=False)
    admin = create_engine(maintenance, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def _attach(url: str, clock: Any, tokens: dict[str, str]) -> Lawful:
    from fastapi.testclient import TestClient

    from lexdesk.bootstrap import build
    from lexdesk.config import Settings
    from lexdesk.entrypoints.app import create_app

    built = build(Settings(database_url=url), clock=clock)
    _without_fsync(built.engine)
    client = TestClient(create_app(built), base_url="https://testserver")
    return Lawful(built, clock, client, url, dict(tokens))


def _without_fsync(engine: Any) -> None:
    """A throwaway database need not survive a power cut: commits skip the disk flush, which
    is most of what an audited read costs. What is tested (who sees what) does not change."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _fast(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
        else:
            cursor.execute("SET synchronous_commit TO off")
        cursor.close()
        if engine.dialect.name != "sqlite":
            dbapi_connection.commit()


@pytest.mark.slow(seconds=500)
def test_no_reader_reveals_what_was_not_released(template: Any) -> None:
    database, make = template
    Ladder.make = staticmethod(make)
    began, examples_before, steps_before = time.monotonic(), FIGURES.examples, FIGURES.steps
    run_state_machine_as_test(
        Ladder,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    seconds = time.monotonic() - began
    summary = (
        f"{database}: {FIGURES.examples - examples_before} examples, "
        f"{FIGURES.steps - steps_before} checked states, {seconds:.1f} s; "
        + ", ".join(f"{n} {act}" for act, n in sorted(FIGURES.acts.items()))
    )
    FIGURES.acts.clear()
    FIGURES.by_database[database] = summary
    print(f"\nladder property {summary}")  # noqa: T201
