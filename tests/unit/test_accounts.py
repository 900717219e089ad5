"""Sign-in, sessions, lockout and account administration through the services, on fakes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pyotp
import pytest

from lexdesk.domain.credentials import token_digest
from lexdesk.domain.errors import AccountLocked, InvalidInput, NotAuthenticated, NotPermitted
from lexdesk.services import account_admin, accounts, agencies, confirmation, enrolment
from lexdesk.services.account_admin import AccountCommand
from lexdesk.services.context import Desk
from tests.fakes import FakeClock, _Store, fake_desk

PASSWORD = "correct horse battery staple"
SOURCE = "203.0.113.7"


@pytest.fixture
def world() -> tuple[Desk, _Store, FakeClock]:
    clock = FakeClock(datetime(2020, 1, 17, 15, 0, 5, tzinfo=UTC))
    desk, store = fake_desk(clock)
    agencies.register_agency(
        desk, agencies.RegisterAgency("doc", "DOC", "custodial", "US-NY", "us-ny-nyc-doc")
    )
    return desk, store, clock


def enrolled(
    desk: Desk, username: str = "doc-officer", roles: tuple[str, ...] = ("officer",)
) -> str:
    _, enrolment = accounts.add_account(
        desk, agencies.AddUser(username, "doc", "An Officer", roles), PASSWORD
    )
    return enrolment.totp_secret


def code(secret: str, clock: FakeClock) -> str:
    return pyotp.TOTP(secret).at(clock.now())


def sign_in(desk: Desk, clock: FakeClock, secret: str, username: str = "doc-officer") -> str:
    ticket = accounts.begin_login(desk, username, PASSWORD, SOURCE)
    token, _ = accounts.complete_login(desk, ticket, code(secret, clock), SOURCE)
    clock.advance(seconds=30)  # the next sign-in needs the next code
    return token


def audit_rows(store: _Store, action: str, outcome: str | None = None) -> list[object]:
    return [e for e in store.audit if e.action == action and outcome in (None, e.outcome)]


def test_login_needs_the_password_and_then_a_code(world) -> None:  # type: ignore[no-untyped-def]
    desk, _, clock = world
    secret = enrolled(desk)
    ticket = accounts.begin_login(desk, "doc-officer", PASSWORD, SOURCE)
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(desk, ticket, SOURCE)  # a ticket is not a session
    with pytest.raises(NotAuthenticated, match="code is wrong"):
        accounts.complete_login(desk, ticket, "000000", SOURCE)
    token, principal = accounts.complete_login(desk, ticket, code(secret, clock), SOURCE)
    assert principal.username == "doc-officer" and principal.agency_id == "doc"
    assert principal.via == "session" and principal.agency_kind.value == "custodial"
    assert accounts.authenticate(desk, token, SOURCE) == principal
    assert len(token) >= 22  # at least 128 bits, URL-safe base64


def test_unknown_user_and_wrong_password_get_the_same_words(world) -> None:  # type: ignore[no-untyped-def]
    desk, store, _ = world
    enrolled(desk)
    with pytest.raises(NotAuthenticated) as unknown:
        accounts.begin_login(desk, "nobody-here", PASSWORD, SOURCE)
    with pytest.raises(NotAuthenticated) as wrong:
        accounts.begin_login(desk, "doc-officer", "wrong " + PASSWORD, SOURCE)
    assert str(unknown.value) == str(wrong.value) == "username or password is wrong"
    assert len(audit_rows(store, "login.password", "failure")) == 2


def test_a_code_is_accepted_once(world) -> None:  # type: ignore[no-untyped-def]
    desk, _, clock = world
    secret = enrolled(desk)
    used = code(secret, clock)
    accounts.complete_login(
        desk, accounts.begin_login(desk, "doc-officer", PASSWORD, SOURCE), used, SOURCE
    )
    again = accounts.begin_login(desk, "doc-officer", PASSWORD, SOURCE)
    with pytest.raises(NotAuthenticated, match="already used"):
        accounts.complete_login(desk, again, used, SOURCE)


def test_five_failures_lock_until_an_administrator_unlocks(world) -> None:  # type: ignore[no-untyped-def]
    desk, store, clock = world
    secret = enrolled(desk)
    for attempt in range(5):  # from five addresses: one address alone is throttled first
        clock.advance(minutes=2)
        with pytest.raises(NotAuthenticated, match="username or password is wrong"):
            accounts.begin_login(desk, "doc-officer", "not the password", f"198.51.100.{attempt}")
    ticket = accounts.begin_login(desk, "doc-officer", PASSWORD, SOURCE)  # as if usable
    with pytest.raises(AccountLocked, match="administrator must unlock"):
        accounts.complete_login(desk, ticket, code(secret, clock), SOURCE)  # told: both right
    clock.advance(hours=5)  # time alone never unlocks (CJIS AC-7)
    ticket = accounts.begin_login(desk, "doc-officer", PASSWORD, SOURCE)
    with pytest.raises(AccountLocked):
        accounts.complete_login(desk, ticket, code(secret, clock), SOURCE)
    clock.advance(seconds=30)
    assert len(audit_rows(store, "login.password", "failure")) == 5
    assert len(audit_rows(store, "user.lock")) == 1
    account_admin.unlock_user(desk, AccountCommand("doc-officer"))
    assert sign_in(desk, clock, secret)
    assert len(audit_rows(store, "user.unlock")) == 1


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(world) -> None:  # type: ignore[no-untyped-def]
    desk, _, clock = world
    secret = enrolled(desk)
    for attempt in range(5):
        clock.advance(minutes=4)
        with pytest.raises(NotAuthenticated, match="username or password is wrong"):
            accounts.begin_login(desk, "doc-officer", "not the password", f"198.51.100.{attempt}")
    assert sign_in(desk, clock, secret)


def test_sessions_end_after_30_minutes_idle(world) -> None:  # type: ignore[no-untyped-def]
    desk, _, clock = world
    token = sign_in(desk, clock, enrolled(desk))
    clock.advance(minutes=29, seconds=29)  # 29:59 since the sign-in (30 s went to sign_in)
    accounts.authenticate(desk, token, SOURCE)
    clock.advance(minutes=30, seconds=1)
    with pytest.raises(NotAuthenticated, match="30 minutes"):
        accounts.authenticate(desk, token, SOURCE)


def test_activity_is_written_at_most_once_a_minute(world) -> None:  # type: ignore[no-untyped-def]
    desk, store, clock = world
    token = sign_in(desk, clock, enrolled(desk))  # signed in 30 s ago
    (session,) = store.accounts.sessions.values()
    signed_in = session.last_seen_at
    accounts.authenticate(desk, token, SOURCE)  # 30 s after the last record: nothing written
    assert store.accounts.sessions[session.token_digest].last_seen_at == signed_in
    clock.advance(seconds=30)  # 60 s: written
    accounts.authenticate(desk, token, SOURCE)
    assert store.accounts.sessions[session.token_digest].last_seen_at == clock.now()
    clock.advance(seconds=59)  # not written, so the idle limit counts from the last record:
    accounts.authenticate(desk, token, SOURCE)
    clock.advance(minutes=29, seconds=1)  # 30 minutes after it, 29:01 after the last request
    with pytest.raises(NotAuthenticated, match="30 minutes"):
        accounts.authenticate(desk, token, SOURCE)


def test_sessions_end_after_12_hours_however_busy(world) -> None:  # type: ignore[no-untyped-def]
    desk, _, clock = world
    token = sign_in(desk, clock, enrolled(desk))
    clock.advance(seconds=-30)
    for _ in range(35):
        clock.advance(minutes=20)
        accounts.authenticate(desk, token, SOURCE)
    clock.advance(minutes=19, seconds=59)  # 11:59:59 after the sign-in
    accounts.authenticate(desk, token, SOURCE)
    clock.advance(seconds=2)
    with pytest.raises(NotAuthenticated, match="12 hours"):
        accounts.authenticate(desk, token, SOURCE)


def test_each_login_gets_a_new_token_and_logout_ends_it(world) -> None:  # type: ignore[no-untyped-def]
    desk, store, clock = world
    secret = enrolled(desk)
    first, second = sign_in(desk, clock, secret), sign_in(desk, clock, secret)
    assert first != second
    accounts.logout(desk, first, SOURCE)
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(desk, first, SOURCE)
    accounts.authenticate(desk, second, SOURCE)
    assert len(audit_rows(store, "logout")) == 1


def test_disabling_ends_every_session(world) -> None:  # type: ignore[no-untyped-def]
    desk, _, clock = world
    secret = enrolled(desk)
    tokens = [sign_in(desk, clock, secret) for _ in range(2)]
    assert account_admin.disable_user(desk, AccountCommand("doc-officer")) == 2
    for token in tokens:
        with pytest.raises(NotAuthenticated):
            accounts.authenticate(desk, token, SOURCE)
    ticket = accounts.begin_login(desk, "doc-officer", PASSWORD, SOURCE)  # as if enabled
    with pytest.raises(NotAuthenticated, match="disabled"):
        accounts.complete_login(desk, ticket, code(secret, clock), SOURCE)


def test_reset_mfa_retires_the_old_secret(world) -> None:  # type: ignore[no-untyped-def]
    desk, _, clock = world
    old = enrolled(desk)
    reset = account_admin.reset_mfa(desk, AccountCommand("doc-officer"))
    ticket = accounts.begin_login(desk, "doc-officer", PASSWORD, SOURCE)
    with pytest.raises(NotAuthenticated):
        accounts.complete_login(desk, ticket, code(old, clock), SOURCE)
    new = enrolment.redeem_enrolment_code(desk, ticket, reset.code, SOURCE).totp_secret
    accounts.complete_login(desk, ticket, code(new, clock), SOURCE)


def test_only_an_administrator_of_the_agency_may_administer_and_a_refusal_is_recorded(
    world,
) -> None:  # type: ignore[no-untyped-def]
    desk, store, clock = world
    enrolled(desk)
    admin_secret = enrolled(desk, "doc-admin", ("admin",))
    with pytest.raises(NotPermitted):
        account_admin.unlock_user(desk, AccountCommand("doc-admin", actor="doc-officer"))
    token = sign_in(desk, clock, admin_secret, "doc-admin")
    confirmation.confirm_identity(desk, token, PASSWORD, code(admin_secret, clock), SOURCE)
    session = token_digest(token)
    account_admin.reset_mfa(desk, AccountCommand("doc-officer", "doc-admin", SOURCE, session))
    assert [e.actor for e in audit_rows(store, "user.unlock", "denied")] == ["doc-officer"]


def test_a_weak_password_is_refused_before_the_user_exists(world) -> None:  # type: ignore[no-untyped-def]
    desk, _, _ = world
    with pytest.raises(InvalidInput, match="at least 8"):
        accounts.add_account(desk, agencies.AddUser("doc-short", "doc", "S", ("officer",)), "short")
    with desk.uow() as uow:
        assert uow.users.by_username("doc-short") is None


def test_no_secret_reaches_the_logs_or_the_audit_trail(world, caplog, capsys) -> None:  # type: ignore[no-untyped-def]
    desk, store, clock = world
    caplog.set_level(logging.DEBUG)
    secret = enrolled(desk)
    typed = code(secret, clock)
    ticket = accounts.begin_login(desk, "doc-officer", PASSWORD, SOURCE)
    token, _ = accounts.complete_login(desk, ticket, typed, SOURCE)
    accounts.logout(desk, token, SOURCE)
    captured = capsys.readouterr()
    trail = repr(store.audit)
    for value in (PASSWORD, secret, ticket, token, typed):
        assert value not in caplog.text + captured.out + captured.err + trail


def test_a_code_from_the_previous_window_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    desk, _, clock = world
    secret = enrolled(desk)
    stale = code(secret, clock)
    clock.advance(seconds=31)
    ticket = accounts.begin_login(desk, "doc-officer", PASSWORD, SOURCE)
    with pytest.raises(NotAuthenticated):
        accounts.complete_login(desk, ticket, stale, SOURCE)


def test_a_ticket_lives_five_minutes_and_serves_once(world) -> None:  # type: ignore[no-untyped-def]
    desk, _, clock = world
    secret = enrolled(desk)
    ticket = accounts.begin_login(desk, "doc-officer", PASSWORD, SOURCE)
    clock.advance(minutes=5)
    with pytest.raises(NotAuthenticated, match="expired"):
        accounts.complete_login(desk, ticket, code(secret, clock), SOURCE)
    ticket = accounts.begin_login(desk, "doc-officer", PASSWORD, SOURCE)
    accounts.complete_login(desk, ticket, code(secret, clock), SOURCE)
    clock.advance(seconds=30)
    with pytest.raises(NotAuthenticated, match="expired"):
        accounts.complete_login(desk, ticket, code(secret, clock), SOURCE)
