"""Accounts on real SQLite and PostgreSQL: sign-in, lockout, sessions and API tokens, with
their audit entries, and the ``lexdesk users`` commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from lexdesk.adapters import orm
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.credentials import token_digest
from lexdesk.domain.errors import AccountLocked, NotAuthenticated
from lexdesk.services import account_admin, accounts, agencies, api_tokens, audit, confirmation
from lexdesk.services.context import Desk
from tests.fakes import FakeClock, FakeRuleBook

PASSWORD = "a long passphrase nobody guesses"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2020, 1, 17, 15, 0, 5, tzinfo=UTC))


@pytest.fixture
def desk(engine: Engine, clock: FakeClock) -> Desk:
    desk = Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=FakeRuleBook())
    agencies.register_agency(desk, agencies.RegisterAgency("ice", "ICE", "immigration", "US"))
    return desk


@pytest.fixture
def secret(desk: Desk) -> str:
    command = agencies.AddUser("ice-officer", "ice", "Officer", ("officer",))
    return accounts.add_account(desk, command, PASSWORD)[1].totp_secret


def _audit(engine: Engine) -> list[tuple[str, str]]:
    table = orm.audit_log
    with engine.connect() as db:
        return [(r.action, r.outcome) for r in db.execute(select(table).order_by(table.c.seq))]


def test_sign_in_lockout_and_unlock_leave_their_entries(
    desk: Desk, engine: Engine, clock: FakeClock, secret: str
) -> None:
    for attempt in range(5):
        clock.advance(minutes=1)
        with pytest.raises(NotAuthenticated):
            accounts.begin_login(desk, "ice-officer", "wrong", f"192.0.2.{attempt + 10}")
    ticket = accounts.begin_login(desk, "ice-officer", PASSWORD, "192.0.2.1")
    with pytest.raises(AccountLocked):
        accounts.complete_login(desk, ticket, pyotp.TOTP(secret).at(clock.now()), "192.0.2.1")
    clock.advance(seconds=30)
    account_admin.unlock_user(desk, account_admin.AccountCommand("ice-officer"))
    ticket = accounts.begin_login(desk, "ice-officer", PASSWORD, "192.0.2.1")
    token, _ = accounts.complete_login(
        desk, ticket, pyotp.TOTP(secret).at(clock.now()), "192.0.2.1"
    )
    clock.advance(minutes=30, seconds=1)
    with pytest.raises(NotAuthenticated, match="30 minutes"):
        accounts.authenticate(desk, token, "192.0.2.1")
    trail = _audit(engine)
    assert trail.count(("login.password", "failure")) == 5
    assert trail[-4:] == [
        ("user.unlock", "success"),
        ("login.password", "success"),
        ("login.code", "success"),
        ("session.end", "failure"),
    ]
    assert ("user.lock", "success") in trail and ("login.code", "denied") in trail
    assert audit.verify(desk).ok
    with engine.connect() as db:
        (stored,) = db.execute(select(orm.sessions)).all()
    assert stored.token_digest == token_digest(token) and stored.end_reason == "idle"


def test_api_tokens_are_stored_only_as_digests(desk: Desk, engine: Engine) -> None:
    secret, token = api_tokens.create_api_token(
        desk, api_tokens.CreateApiToken("ice", "case system", ("cases:read",), timedelta(days=1))
    )
    with engine.connect() as db:
        (row,) = db.execute(select(orm.api_tokens)).all()
    assert row.digest == token_digest(secret) and secret not in repr(tuple(row))
    assert api_tokens.verify_api_token(desk, secret, "cases:read", "10.0.0.1").agency_id == "ice"
    api_tokens.revoke_api_token(desk, api_tokens.RevokeApiToken(token.id))
    with pytest.raises(NotAuthenticated):
        api_tokens.verify_api_token(desk, secret, "cases:read", "10.0.0.1")


def test_users_add_reads_the_password_from_a_file_and_shows_the_enrolment_code_once(
    engine: Engine, desk: Desk, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from lexdesk.entrypoints.cli.common import reset_app
    from lexdesk.entrypoints.cli.main import cli

    monkeypatch.setenv("LEXDESK_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    reset_app()
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD + "\n")
    runner = CliRunner()
    added = runner.invoke(
        cli,
        [
            "users",
            "add",
            "ice-legal",
            "--agency",
            "ice",
            "--name",
            "Legal",
            "--role",
            "legal",
            "--password-file",
            str(password_file),
        ],
    )
    assert added.exit_code == 0, added.output
    assert "one-time enrolment code" in added.stdout and "secret=" not in added.stdout
    assert PASSWORD not in added.output
    locked = runner.invoke(cli, ["users", "disable", "ice-legal"])
    assert (locked.exit_code, locked.stdout) == (0, "user ice-legal disabled; 0 session(s) ended\n")
    refused = runner.invoke(cli, ["users", "unlock", "nobody"])
    assert refused.exit_code == 2 and "no user 'nobody'" in refused.stderr
    reset_app()


def test_a_confirmation_is_stored_on_its_session_and_a_new_password_ends_the_others(
    desk: Desk, engine: Engine, clock: FakeClock, secret: str
) -> None:
    def signed_in() -> str:
        clock.advance(seconds=30)
        ticket = accounts.begin_login(desk, "ice-officer", PASSWORD, "192.0.2.1")
        code = pyotp.TOTP(secret).at(clock.now())
        return accounts.complete_login(desk, ticket, code, "192.0.2.1")[0]

    token, other = signed_in(), signed_in()
    clock.advance(seconds=30)
    code = pyotp.TOTP(secret).at(clock.now())
    until = confirmation.confirm_identity(desk, token, PASSWORD, code, "192.0.2.1")
    table = orm.sessions
    with engine.connect() as db:
        stored = db.scalar(
            select(table.c.confirmed_at).where(table.c.token_digest == token_digest(token))
        )
    assert stored == clock.now() and until == clock.now() + timedelta(minutes=5)
    command = confirmation.ChangePassword(
        "ice-officer", PASSWORD, "another long passphrase", token_digest(token), "192.0.2.1"
    )
    assert confirmation.change_password(desk, command) == 1
    accounts.authenticate(desk, token, "192.0.2.1")
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(desk, other, "192.0.2.1")
    assert ("session.confirm", "success") in _audit(engine)
    assert ("user.password", "success") in _audit(engine)
