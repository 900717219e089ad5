"""A seeded desk behind the API, for the API tests: two sides of four agencies each (one of every
kind), a person and a whole ladder of instruments on each side, and signed-in users.

Side A (``ice``, ``doc``, ``usao``, ``court``) has an account for every role, signed in through
the real password and TOTP steps. Side B (``ice-b``, ...) owns the objects that side A must not
see. Everything is fictional.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pyotp
from fastapi.testclient import TestClient

from lexdesk.adapters.alarm import LoggingAlarm
from lexdesk.adapters.blobs import LocalBlobStore
from lexdesk.adapters.press import PdfPress
from lexdesk.adapters.sealing import DEVELOPMENT
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.bootstrap import App
from lexdesk.config import Settings
from lexdesk.domain.agencies import Role
from lexdesk.domain.persons import Conviction
from lexdesk.entrypoints.app import create_app
from lexdesk.services import accounts, agencies, instruments, persons
from lexdesk.services.context import Desk
from tests.databases import migrated_engine, postgres_database, sqlite_url
from tests.fakes import FakeClock, FakeRuleBook

PASSWORD = "correct horse battery staple 42"
KINDS = {"ice": "immigration", "doc": "custodial", "usao": "prosecutor", "court": "court"}
SIDE_A = tuple(KINDS)
SIDE_B = tuple(f"{code}-b" for code in KINDS)
ROLES = tuple(role.value for role in Role)
START = datetime(2020, 1, 17, 15, 0, tzinfo=UTC)


@dataclass
class Ladder:
    """One side's story: a detainer answered in part (its case then closes), and an
    information request that climbs the whole ladder in a case of its own (``case``)."""

    person: str
    case: str
    detainer_case: str
    detainer: str
    request: str
    subpoena: str
    referral: str
    petition: str
    order: str

    @property
    def instruments(self) -> tuple[str, ...]:
        return (
            self.detainer,
            self.request,
            self.subpoena,
            self.referral,
            self.petition,
            self.order,
        )


@dataclass
class World:
    built: App
    client: TestClient
    clock: FakeClock
    a: Ladder
    b: Ladder
    tokens: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    #: The last audit seq whose row was checked (``tests/audit_rows.py``).
    audit_checked: int = 0

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}


def database(kind: str, tmp: Path, name: str) -> str:
    if kind == "sqlite":
        return sqlite_url(tmp, f"{name}.sqlite3")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return postgres_database(worker, f"_{name}")


def build_world(url: str, *, sign_in: bool = True) -> World:
    engine = migrated_engine(url)
    clock = FakeClock(START)
    desk = Desk(
        uow=lambda: SqlUnitOfWork(engine, clock),
        clock=clock,
        rules=FakeRuleBook(),
        alarm=LoggingAlarm(),
        press=PdfPress("api world passphrase", "https://testserver"),
        blobs=LocalBlobStore(Path(tempfile.mkdtemp(prefix="lexdesk-blobs-"))),
    )
    built = App(settings=Settings(database_url=url), engine=engine, desk=desk, sealer=DEVELOPMENT)
    world_secrets: dict[str, str] = {}
    for code in SIDE_A + SIDE_B:
        _agency(desk, code, world_secrets, with_passwords=code in SIDE_A)
    a, b = _ladder(desk, clock, ""), _ladder(desk, clock, "-b")
    client = TestClient(create_app(built), base_url="https://testserver")
    world = World(built, client, clock, a, b, secrets=world_secrets)
    if sign_in:
        for username in world_secrets:
            world.tokens[username] = sign_in_as(world, username)
    return world


def sign_in_as(world: World, username: str, password: str = PASSWORD) -> str:
    """The real two steps: password, then the TOTP code of the (fake) clock's moment."""
    client = world.client
    ticket = client.post(
        "/api/v1/session",
        json={"username": username, "password": password, "acknowledge_notice": True},
    )
    assert ticket.status_code == 200, ticket.text
    code = pyotp.TOTP(world.secrets[username]).at(world.clock.now())
    answer = client.post(
        "/api/v1/session/totp", json={"ticket": ticket.json()["ticket"], "code": code}
    )
    assert answer.status_code == 200, answer.text
    client.cookies.clear()  # each test names the user it acts as
    token: str = answer.json()["token"]
    return token


def confirm_as(world: World, username: str, password: str = PASSWORD) -> None:
    """Confirm it's you in the user's session, with the code of the next 30 seconds."""
    world.clock.advance(seconds=30)
    code = pyotp.TOTP(world.secrets[username]).at(world.clock.now())
    answer = world.client.post(
        "/api/v1/session/confirm",
        json={"password": password, "code": code},
        headers=world.auth(username),
    )
    assert answer.status_code == 200, answer.text


def _agency(desk: Desk, code: str, found: dict[str, str], *, with_passwords: bool) -> None:
    kind = KINDS[code.removesuffix("-b")]
    pack = "us-ny-nyc-doc" if kind == "custodial" else None
    agencies.register_agency(desk, agencies.RegisterAgency(code, code.upper(), kind, "US", pack))
    for role in ROLES:
        command = agencies.AddUser(f"{code}-{role}", code, f"{code} {role}", (role,))
        if with_passwords:
            found[command.username] = accounts.add_account(desk, command, PASSWORD)[1].totp_secret
        else:
            agencies.add_user(desk, command)


def _ladder(desk: Desk, clock: FakeClock, side: str) -> Ladder:
    """A person, a detainer partly complied with (releasing the release date), and an
    information request that climbs the whole ladder to a court order obeyed."""
    ice, doc, usao, court = (f"{code}{side}" for code in KINDS)
    person = persons.book_person(
        desk,
        persons.BookPerson(
            actor=f"{doc}-officer",
            family_name=f"Example{side.replace('-', '')}",
            given_name="Jordan",
            arrested_on=date(2019, 11, 20),
            booked_at=datetime(2019, 11, 20, 18, tzinfo=UTC),
            expected_release_at=datetime(2020, 3, 2, 14, tzinfo=UTC),
            date_of_birth=date(1990, 5, 4),
            identifiers={"nysid": f"1234567{'8' if side else '9'}A"},
            convictions=(Conviction("NY PL 160.15", "B felony", date(2016, 3, 1), "2 years"),),
            record={"home_address": "1 Fictional Way", "work_address": "2 Imaginary Road"},
        ),
    )
    v = instruments
    detainer = v.issue_instrument(
        desk,
        v.IssueInstrument(
            f"{ice}-officer",
            "detainer",
            doc,
            person.id,
            ("hold", "notify_release", "disclose:release_date"),
            "administrative",
        ),
    )
    v.acknowledge(desk, v.Acknowledge(f"{doc}-officer", detainer.id))
    v.determine(
        desk,
        v.Determine(
            f"{doc}-legal",
            detainer.id,
            "partially_complied",
            "Release date only.",
            ("release_date",),
        ),
    )
    request = v.issue_instrument(
        desk,
        v.IssueInstrument(
            f"{ice}-officer",
            "information_request",
            doc,
            person.id,
            ("disclose:home_address", "disclose:criminal_history"),
        ),
    )
    _answer(desk, f"{doc}-officer", f"{doc}-legal", request.id, "declined")
    due = datetime(2020, 2, 14, 17, tzinfo=UTC)
    subpoena = v.escalate(
        desk, v.Escalate(f"{ice}-officer", request.id, "Declined.", return_date=due)
    )
    _answer(desk, f"{doc}-officer", f"{doc}-legal", subpoena.id, "declined")
    referral = v.escalate(desk, v.Escalate(f"{ice}-officer", subpoena.id, "Refused.", usao))
    v.acknowledge(desk, v.Acknowledge(f"{usao}-officer", referral.id))
    petition = v.escalate(desk, v.Escalate(f"{usao}-legal", referral.id, "Enforce.", court))
    v.acknowledge(desk, v.Acknowledge(f"{court}-officer", petition.id))
    v.determine(
        desk,
        v.Determine(
            f"{court}-legal",
            petition.id,
            "granted_narrowed",
            "Addresses only.",
            ("home_address",),
        ),
    )
    order = v.escalate(desk, v.Escalate(f"{court}-legal", petition.id, "Comply.", return_date=due))
    v.acknowledge(desk, v.Acknowledge(f"{doc}-officer", order.id))
    v.determine(
        desk,
        v.Determine(f"{doc}-legal", order.id, "complied", "Ordered.", ("home_address",)),
    )
    return Ladder(
        person.id,
        request.case_id,
        detainer.case_id,
        detainer.id,
        request.id,
        subpoena.id,
        referral.id,
        petition.id,
        order.id,
    )


def _answer(desk: Desk, clerk: str, lawyer: str, instrument_id: str, outcome: str) -> None:
    instruments.acknowledge(desk, instruments.Acknowledge(clerk, instrument_id))
    instruments.determine(
        desk, instruments.Determine(lawyer, instrument_id, outcome, "Under local law.")
    )
