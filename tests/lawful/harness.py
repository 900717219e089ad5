"""A desk governed by the real rule packs, with one user per agency and role, and the three
readers of it as each of those users sees it: the API's JSON, the web's HTML and the command
line's JSON.

Agencies: ``ice`` (immigration), ``doc`` and ``nypd`` (custodial, under the NYC packs),
``usao`` (prosecutor) and ``court``. Users are ``<agency>-<role>``. Sessions are opened
directly in the session store (sign-in itself is tested in tests/api and tests/web): each user
holds one token, sent as a bearer token to the API and as the session cookie to the web.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import httpx
import typer
from click.testing import CliRunner
from fastapi.testclient import TestClient

from lexdesk.bootstrap import App, build
from lexdesk.config import Settings
from lexdesk.domain.accounts import Session
from lexdesk.domain.credentials import token_digest
from lexdesk.domain.persons import Charge, Conviction
from lexdesk.entrypoints.app import create_app
from lexdesk.entrypoints.cli.common import reset_app
from lexdesk.entrypoints.cli.main import cli
from lexdesk.services import agencies, instruments, persons
from lexdesk.services.persons import BookPerson
from tests.databases import migrated_engine, postgres_database, sqlite_url
from tests.fakes import FakeClock

AGENCIES: dict[str, tuple[str, str | None]] = {
    "ice": ("immigration", None),
    "doc": ("custodial", "us-ny-nyc-doc"),
    "nypd": ("custodial", "us-ny-nyc-nypd"),
    "usao": ("prosecutor", None),
    "court": ("court", None),
}
ROLES = ("officer", "legal", "auditor", "admin")
START = datetime(2020, 1, 13, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in New York
WEB_COOKIE = "__Host-lexdesk"


@dataclass
class Lawful:
    built: App
    clock: FakeClock
    client: TestClient
    url: str
    tokens: dict[str, str] = field(default_factory=dict)
    signed_in_at: datetime | None = None

    @property
    def desk(self) -> Any:
        return self.built.desk

    def api(self, user: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[user]}", **kwargs.pop("headers", {})}
        return self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)

    def get(self, user: str, path: str) -> Any:
        answer = self.api(user, "GET", path)
        assert answer.status_code == 200, (path, answer.status_code, answer.text)
        return answer.json()

    def web(self, user: str, path: str, form: dict[str, Any] | None = None) -> httpx.Response:
        cookie = {"Cookie": f"{WEB_COOKIE}={self.tokens[user]}"}
        if form is None:
            return self.client.get(path, headers=cookie, follow_redirects=False)
        from lexdesk.entrypoints.web.sessions import csrf_token

        data = {"csrf": csrf_token(self.tokens[user]), **form}
        return self.client.post(path, data=data, headers=cookie, follow_redirects=False)

    def cli(self, *args: str) -> Any:
        """Run ``lexdesk ARGS`` in this process against this database: the result."""
        with _environment(LEXDESK_DATABASE_URL=self.url):
            reset_app()
            try:
                result = CliRunner().invoke(_command(), list(args))
            finally:
                reset_app()
        return result

    def cli_json(self, *args: str) -> Any:
        result = self.cli(*args, "--json")
        assert result.exit_code == 0, (args, result.output)
        return json.loads(result.stdout)


@functools.cache
def _command() -> click.Command:
    """The command line, built once: typer builds it anew on every invocation otherwise."""
    return typer.main.get_command(cli)


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def database(kind: str, tmp: Path, name: str) -> str:
    if kind == "sqlite":
        return sqlite_url(tmp, f"{name}.sqlite3")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return postgres_database(worker, f"_{name}")


def build_lawful(
    url: str,
    clock: FakeClock | None = None,
    agencies_of: dict[str, tuple[str, str | None]] | None = None,
) -> Lawful:
    migrated_engine(url).dispose()
    clock = clock or FakeClock(START)
    built = build(Settings(database_url=url), clock=clock)
    desk = built.desk
    found = Lawful(built, clock, TestClient(create_app(built), base_url="https://testserver"), url)
    chosen = agencies_of or AGENCIES
    for code, (kind, pack) in chosen.items():
        agencies.register_agency(
            desk, agencies.RegisterAgency(code, code.upper(), kind, "US-NY-NYC", pack)
        )
        for role in ROLES:
            agencies.add_user(
                desk, agencies.AddUser(f"{code}-{role}", code, f"{code} {role}", (role,))
            )
    with desk.uow() as uow:
        for code in chosen:
            for role in ROLES:
                user = uow.users.by_username(f"{code}-{role}")
                assert user is not None
                token = secrets.token_urlsafe(32)
                now = clock.now()
                uow.accounts.add_session(Session(token_digest(token), user.id, now, now))
                found.tokens[user.username] = token
        uow.commit()
    return found


def keep_alive(world: Lawful) -> None:
    """Sessions end after 30 idle minutes and 12 hours in all: a test that moves the clock far
    ahead signs everyone in again (new sessions at the clock's time) when it has moved."""
    now = world.clock.now()
    if getattr(world, "signed_in_at", None) == now:
        return
    with world.desk.uow() as uow:
        for username in world.tokens:
            user = uow.users.by_username(username)
            assert user is not None
            token = secrets.token_urlsafe(32)
            uow.accounts.add_session(Session(token_digest(token), user.id, now, now))
            world.tokens[username] = token
        uow.commit()
    world.signed_in_at = now


def book(
    world: Lawful,
    custodian: str = "doc",
    *,
    nysid: str = "11111111A",
    release: datetime | None = None,
    record: dict[str, str] | None = None,
    convictions: tuple[Conviction, ...] = (),
    facts: dict[str, bool] | None = None,
    family_name: str = "Testperson",
) -> str:
    now = world.clock.now()
    person = persons.book_person(
        world.desk,
        BookPerson(
            actor=f"{custodian}-officer",
            family_name=family_name,
            given_name="Avery",
            arrested_on=(now - timedelta(days=3)).date(),
            booked_at=now - timedelta(days=3),
            expected_release_at=release,
            date_of_birth=date(1991, 7, 9),
            place_of_birth="Placeholder Town",
            citizenship="unknown",
            identifiers={"nysid": nysid},
            charges=(Charge("NY PL 155.30", "E felony", (now - timedelta(days=3)).date()),),
            convictions=convictions,
            facts=facts or {},
            record=record or {},
        ),
    )
    return person.id


def issue(
    world: Lawful,
    kind: str,
    actions: tuple[str, ...],
    *,
    person: str = "nysid:11111111A",
    to: str = "doc",
    warrant: str = "administrative",
) -> Any:
    return instruments.issue_instrument(
        world.desk,
        instruments.IssueInstrument("ice-officer", kind, to, person, actions, warrant),
    )


def answer(world: Lawful, instrument_id: str, outcome: str, released: tuple[str, ...] = (),
           *, custodian: str = "doc", **extra: Any) -> Any:  # fmt: skip
    instruments.acknowledge(
        world.desk, instruments.Acknowledge(f"{custodian}-officer", instrument_id)
    )
    return instruments.determine(
        world.desk,
        instruments.Determine(
            f"{custodian}-legal", instrument_id, outcome, "Answered under local law.", released,
            **extra,
        ),
    )  # fmt: skip


def formats(moment: datetime) -> set[str]:
    """The ways a page or answer could show ``moment``: ISO in UTC and in New York, the
    date-and-time forms of the pages and the command line, and the due-date explanations."""
    from zoneinfo import ZoneInfo

    shown: set[str] = set()
    for zone in (UTC, ZoneInfo("America/New_York")):
        local = moment.astimezone(zone)
        shown |= {
            local.isoformat(),
            local.isoformat().replace("+00:00", "Z"),
            local.strftime("%Y-%m-%d %H:%M"),
            local.strftime("%Y-%m-%dT%H:%M"),
            f"{local:%a} {local.day} {local:%b} {local.year} {local:%H:%M}",
        }
    return shown
