"""The edges of signing in, sessions and API tokens, through the services on fakes: a temporary
account that reaches its end date, an account removed in the middle of a sign-in, two requests
completing one sign-in at once, a sign-in that was left too long, re-enrolment at the command
line, the command line acting for someone who may no longer act, the checks on a new API token,
and the lookup limiter of the public doors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Self

import pyotp
import pytest

from lexdesk.domain.agencies import Role
from lexdesk.domain.audit import AuditEntry
from lexdesk.domain.credentials import token_digest
from lexdesk.domain.errors import InvalidInput, NotAuthenticated, NotFound, NotPermitted
from lexdesk.domain.permissions import Permission
from lexdesk.domain.vocabulary import AgencyKind
from lexdesk.entrypoints.limiter import RateLimiter
from lexdesk.services import (
    account_admin,
    account_lifecycle,
    accounts,
    agencies,
    api_tokens,
    enrolment,
)
from lexdesk.services.account_admin import AccountCommand
from lexdesk.services.accounts import Principal
from lexdesk.services.api_tokens import CreateApiToken, RevokeApiToken
from lexdesk.services.context import Desk
from tests.fake_accounts import FakeAccounts
from tests.fakes import FakeAlarm, FakeClock, FakeRuleBook, FakeUnitOfWork, _Store, fake_desk

PASSWORD = "correct horse battery staple"
SOURCE = "203.0.113.7"
#: 23:50 in New York on 17 January 2020: ten minutes before a temporary account whose last day
#: is the 17th stops working (midnight after it, where its agency is).
LATE_EVENING = datetime(2020, 1, 18, 4, 50, 5, tzinfo=UTC)
LAST_DAY = date(2020, 1, 17)

World = tuple[Desk, _Store, FakeClock]


def a_world(start: datetime = LATE_EVENING) -> World:
    clock = FakeClock(start)
    desk, store = fake_desk(clock)
    agencies.register_agency(
        desk, agencies.RegisterAgency("doc", "DOC", "custodial", "US-NY", "us-ny-nyc-doc")
    )
    return desk, store, clock


@pytest.fixture
def world() -> World:
    return a_world()


def account(
    desk: Desk, username: str = "doc-officer", ends_on: date | None = None
) -> tuple[str, str]:
    """An enrolled account: its id and TOTP seed."""
    command = agencies.AddUser(username, "doc", "An Officer", ("officer",), ends_on=ends_on)
    user, enrolled = accounts.add_account(desk, command, PASSWORD)
    return user.id, enrolled.totp_secret


def code(secret: str, clock: FakeClock) -> str:
    return pyotp.TOTP(secret).at(clock.now())


def entries(store: _Store, action: str) -> list[AuditEntry]:
    return [e for e in store.audit if e.action == action]


# --- Principals ---------------------------------------------------------------------------


def test_a_token_acts_only_within_its_scopes_and_a_person_within_their_roles() -> None:
    kind = AgencyKind.IMMIGRATION
    system = Principal("tok-1", "case system", "ice", kind, frozenset(), "token",
                       frozenset({"instruments:read"}))  # fmt: skip
    person = Principal("usr-1", "ice-auditor", "ice", kind, frozenset({Role.AUDITOR}), "session")
    assert system.allows("instruments:read") and not system.allows("cases:read")
    assert system.holds(Permission.INSTRUMENT_READ)
    assert not system.holds(Permission.CASE_READ)  # a scope the token was not given
    assert not system.holds(Permission.INSTRUMENT_ISSUE)  # no token may ever issue
    assert person.allows("cases:read")  # a person's reach is their roles, not scopes
    assert person.holds(Permission.AUDIT_READ) and not person.holds(Permission.INSTRUMENT_READ)


# --- Re-enrolment at the command line -------------------------------------------------------


def test_enrolling_again_gives_a_new_password_and_seed_and_ends_open_sessions(
    world: World,
) -> None:
    desk, store, clock = world
    _, old_seed = account(desk)
    ticket = accounts.begin_login(desk, "doc-officer", PASSWORD, SOURCE)
    token, _ = accounts.complete_login(desk, ticket, code(old_seed, clock), SOURCE)
    clock.advance(seconds=30)
    new_password = "another long passphrase 7"
    fresh = accounts.enrol(desk, "doc-officer", new_password, actor="operator", source="cli")
    assert fresh.username == "doc-officer" and fresh.totp_secret != old_seed
    assert fresh.totp_uri.startswith("otpauth://totp/") and "doc-officer" in fresh.totp_uri
    with pytest.raises(NotAuthenticated, match="not signed in"):
        accounts.authenticate(desk, token, SOURCE)  # the open session ended with the change
    [session] = store.accounts.sessions.values()
    assert session.end_reason == "credentials"
    with pytest.raises(NotAuthenticated, match="username or password is wrong"):
        accounts.begin_login(desk, "doc-officer", PASSWORD, SOURCE)
    clock.advance(seconds=30)
    ticket = accounts.begin_login(desk, "doc-officer", new_password, "198.51.100.3")
    _, principal = accounts.complete_login(desk, ticket, code(fresh.totp_secret, clock), SOURCE)
    assert principal.username == "doc-officer"
    assert [(e.actor, e.outcome) for e in entries(store, "user.enrol")][-1] == (
        "operator",
        "success",
    )


def test_enrolling_a_weak_password_or_an_unknown_user_changes_nothing(world: World) -> None:
    desk, store, _ = world
    account(desk)
    before = store.accounts.credentials.copy()
    with pytest.raises(InvalidInput, match="use at least"):
        accounts.enrol(desk, "doc-officer", "short")
    with pytest.raises(NotFound):
        accounts.enrol(desk, "doc-nobody", "another long passphrase 7")
    assert store.accounts.credentials == before
    assert len(entries(store, "user.enrol")) == 1  # the account's own, nothing since


# --- Temporary accounts at their end date ---------------------------------------------------


def test_a_session_of_a_temporary_account_ends_at_midnight_after_its_last_day(
    world: World,
) -> None:
    desk, store, clock = world
    _, seed = account(desk, "doc-temp", ends_on=LAST_DAY)
    ticket = accounts.begin_login(desk, "doc-temp", PASSWORD, SOURCE)
    token, _ = accounts.complete_login(desk, ticket, code(seed, clock), SOURCE)
    clock.advance(minutes=5)
    assert accounts.authenticate(desk, token, SOURCE).username == "doc-temp"
    clock.advance(minutes=6)  # 00:01 in New York: neither idle nor twelve hours old
    with pytest.raises(NotAuthenticated) as refused:
        accounts.authenticate(desk, token, SOURCE)
    assert str(refused.value) == accounts.SIGN_IN_AGAIN["ended"]
    [session] = store.accounts.sessions.values()
    assert (session.ended_at, session.end_reason) == (clock.now(), "ended")
    [ended] = entries(store, "session.end")
    assert (ended.actor, ended.outcome, ended.detail) == ("system", "failure", {"reason": "ended"})


def test_an_ended_account_is_told_so_only_after_both_factors(world: World) -> None:
    desk, store, clock = world
    _, seed = account(desk, "doc-temp", ends_on=LAST_DAY)
    clock.advance(minutes=15)  # past its end, not yet removed by the nightly sweep
    ticket = accounts.begin_login(desk, "doc-temp", PASSWORD, SOURCE)  # answered as usual
    with pytest.raises(NotAuthenticated) as refused:
        accounts.complete_login(desk, ticket, code(seed, clock), SOURCE)
    assert str(refused.value) == accounts.SIGN_IN_AGAIN["ended"]
    assert not store.accounts.sessions
    refusal = entries(store, "login.code")[-1]
    assert (refusal.actor, refusal.outcome) == ("doc-temp", "denied")
    assert refusal.detail == {"step": "code", "reason": "ended"}


def test_an_account_removed_during_its_sign_in_is_refused_on_record(world: World) -> None:
    desk, store, clock = world
    _, seed = account(desk, "doc-temp", ends_on=LAST_DAY)
    clock.advance(minutes=15)
    ticket = accounts.begin_login(desk, "doc-temp", PASSWORD, SOURCE)
    swept = account_lifecycle.sweep_accounts(desk)  # the sweep removes it between the steps
    assert swept.removed == ("doc-temp",)
    with pytest.raises(NotAuthenticated) as refused:
        accounts.complete_login(desk, ticket, code(seed, clock), SOURCE)
    assert str(refused.value) == accounts.TICKET_EXPIRED
    assert not store.accounts.sessions
    refusal = entries(store, "login.code")[-1]
    assert (refusal.actor, refusal.outcome, refusal.source) == ("anonymous", "failure", SOURCE)
    assert refusal.detail == {"step": "code"}


def test_an_enrolment_for_an_account_removed_meanwhile_is_refused_on_record() -> None:
    desk, store, clock = a_world()
    command = agencies.AddUser("doc-temp", "doc", "A Clerk", ("officer",), ends_on=LAST_DAY)
    _, issued = enrolment.create_account(desk, command, PASSWORD)
    clock.advance(minutes=15)
    ticket = accounts.begin_login(desk, "doc-temp", PASSWORD, SOURCE)
    account_lifecycle.sweep_accounts(desk)
    with pytest.raises(NotAuthenticated) as refused:
        enrolment.redeem_enrolment_code(desk, ticket, issued.code, SOURCE)
    assert str(refused.value) == accounts.TICKET_EXPIRED
    refusal = entries(store, enrolment.ENROL)[-1]
    assert (refusal.actor, refusal.outcome) == ("anonymous", "failure")
    assert refusal.detail == {"step": "enrolment"}


# --- Two requests completing one sign-in ----------------------------------------------------


class _RaceLost(FakeAccounts):
    """The accounts port at the moment another request completes the same sign-in: the
    ticket's compare-and-set sees the rival's committed use, as the SQL one does."""

    def __init__(self, uow: _RacingUnitOfWork) -> None:
        working = uow._working
        super().__init__(working.accounts, working.users, working.agencies)
        self._uow = uow

    def use_ticket(self, digest: str, at: datetime) -> bool:
        if self._uow.rivals:
            self._uow.rivals.pop()()  # the rival finishes first, in a unit of work of its own
        committed = self._uow._committed.accounts.tickets[digest]
        return committed.used_at is None and super().use_ticket(digest, at)


class _RacingUnitOfWork(FakeUnitOfWork):
    def __init__(self, store: _Store, clock: FakeClock, rivals: list[Callable[[], object]]) -> None:
        super().__init__(store, clock)
        self.rivals = rivals

    def __enter__(self) -> Self:
        super().__enter__()
        self.accounts = _RaceLost(self)
        return self

    def rollback(self) -> None:
        super().__enter__()  # as a database does: what was not committed is gone


def test_of_two_requests_completing_one_sign_in_only_one_gets_a_session() -> None:
    clock, store = FakeClock(LATE_EVENING), _Store()
    rivals: list[Callable[[], object]] = []
    desk = Desk(
        uow=lambda: _RacingUnitOfWork(store, clock, rivals),
        clock=clock,
        rules=FakeRuleBook(),
        alarm=FakeAlarm(),
    )
    agencies.register_agency(
        desk, agencies.RegisterAgency("doc", "DOC", "custodial", "US-NY", "us-ny-nyc-doc")
    )
    _, seed = account(desk)
    ticket = accounts.begin_login(desk, "doc-officer", PASSWORD, SOURCE)
    won: list[str] = []
    rivals.append(
        lambda: won.append(accounts.complete_login(desk, ticket, code(seed, clock), SOURCE)[0])
    )
    with pytest.raises(NotAuthenticated) as refused:
        accounts.complete_login(desk, ticket, code(seed, clock), "198.51.100.9")
    assert str(refused.value) == accounts.TICKET_EXPIRED
    assert list(store.accounts.sessions) == [token_digest(won[0])]  # the rival's, only
    assert accounts.authenticate(desk, won[0], SOURCE).username == "doc-officer"
    lost = entries(store, "login.code")[-1]
    assert (lost.actor, lost.outcome, lost.source) == ("doc-officer", "failure", "198.51.100.9")
    assert lost.detail == {"step": "code"}
    assert not store.accounts.failures  # losing the race is no failed attempt


# --- Signing out ----------------------------------------------------------------------------


def test_signing_out_twice_or_with_an_unknown_token_records_nothing_more(world: World) -> None:
    desk, store, clock = world
    _, seed = account(desk)
    ticket = accounts.begin_login(desk, "doc-officer", PASSWORD, SOURCE)
    token, _ = accounts.complete_login(desk, ticket, code(seed, clock), SOURCE)
    accounts.logout(desk, token, SOURCE)
    [session] = store.accounts.sessions.values()
    ended_at = session.ended_at
    clock.advance(minutes=1)
    accounts.logout(desk, token, SOURCE)
    accounts.logout(desk, "not-a-token-anyone-was-given", SOURCE)
    assert [e.actor for e in entries(store, "logout")] == ["doc-officer"]
    [session] = store.accounts.sessions.values()
    assert (session.ended_at, session.end_reason) == (ended_at, "logout")


# --- The command line acting for a user -----------------------------------------------------


def test_the_command_line_acts_only_for_a_usable_account(world: World) -> None:
    desk, _, clock = world
    account(desk, "doc-officer")
    account(desk, "doc-gone")
    account(desk, "doc-temp", ends_on=LAST_DAY)
    acting = accounts.principal_at_command_line(desk, "doc-officer")
    assert (acting.username, acting.agency_id, acting.via) == ("doc-officer", "doc", "cli")
    assert acting.agency_kind is AgencyKind.CUSTODIAL and acting.roles == {Role.OFFICER}
    assert accounts.principal_at_command_line(desk, "doc-temp").via == "cli"  # not ended yet
    account_admin.disable_user(desk, AccountCommand("doc-gone"))
    with pytest.raises(NotPermitted) as disabled:
        accounts.principal_at_command_line(desk, "doc-gone")
    assert str(disabled.value) == accounts.SIGN_IN_AGAIN["disabled"]
    clock.advance(minutes=15)
    with pytest.raises(NotPermitted) as ended:
        accounts.principal_at_command_line(desk, "doc-temp")
    assert str(ended.value) == accounts.SIGN_IN_AGAIN["ended"]
    with pytest.raises(NotFound):
        accounts.principal_at_command_line(desk, "doc-nobody")


# --- A sign-in left too long (enrolment) ----------------------------------------------------


def test_an_enrolment_after_the_sign_in_expired_is_refused_and_shows_nothing() -> None:
    desk, store, clock = a_world()
    command = agencies.AddUser("doc-clerk", "doc", "A Clerk", ("officer",))
    _, issued = enrolment.create_account(desk, command, PASSWORD)
    ticket = accounts.begin_login(desk, "doc-clerk", PASSWORD, SOURCE)
    assert enrolment.awaits_enrolment(desk, ticket)
    clock.advance(minutes=5)  # the ticket lives five minutes
    assert not enrolment.awaits_enrolment(desk, ticket)
    assert enrolment.pending_enrolment(desk, ticket) is None
    with pytest.raises(NotAuthenticated) as refused:
        enrolment.redeem_enrolment_code(desk, ticket, issued.code, SOURCE)
    assert str(refused.value) == accounts.TICKET_EXPIRED
    refusal = entries(store, enrolment.ENROL)[-1]
    assert (refusal.actor, refusal.outcome, refusal.detail) == (
        "anonymous",
        "failure",
        {"step": "enrolment"},
    )
    [creds] = store.accounts.credentials.values()
    assert creds.enrolment_digest is not None  # the code is not spent: it works next time
    ticket = accounts.begin_login(desk, "doc-clerk", PASSWORD, SOURCE)
    assert enrolment.redeem_enrolment_code(desk, ticket, issued.code, SOURCE).totp_secret


def test_an_unknown_ticket_shows_no_enrolment(world: World) -> None:
    desk, _, _ = world
    assert enrolment.pending_enrolment(desk, "no-such-ticket") is None
    assert not enrolment.awaits_enrolment(desk, "no-such-ticket")


# --- API tokens -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "scopes", "lifetime", "answer"),
    [
        ("case system", ("cases:write",), timedelta(days=1), "there is no scope 'cases:write'"),
        ("case system", (), timedelta(days=1), "choose at least one scope"),
        ("   ", ("cases:read",), timedelta(days=1), "name the system"),
        ("x" * 101, ("cases:read",), timedelta(days=1), "101 characters long: keep it to 100"),
        ("case system", ("cases:read",), timedelta(0), "between one second and 365 days"),
        ("case system", ("cases:read",), timedelta(days=366), "between one second and 365"),
    ],
)
def test_a_token_that_could_not_work_as_asked_is_not_made(
    world: World, name: str, scopes: tuple[str, ...], lifetime: timedelta, answer: str
) -> None:
    desk, store, _ = world
    with pytest.raises(InvalidInput, match=answer):
        api_tokens.create_api_token(desk, CreateApiToken("doc", name, scopes, lifetime))
    assert not store.accounts.api_tokens
    [refusal] = entries(store, "token.create")
    assert (refusal.outcome, refusal.object_id) == ("failure", name)
    assert refusal.detail["refusal"] == "InvalidInput" and answer in refusal.detail["reason"]


def test_a_year_is_the_longest_a_token_may_live(world: World) -> None:
    desk, _, clock = world
    _, token = api_tokens.create_api_token(
        desk, CreateApiToken("doc", "x" * 100, ("cases:read",), timedelta(days=365))
    )
    assert token.expires_at == clock.now() + timedelta(days=365)


def test_a_token_is_refused_outside_its_scopes_on_record(world: World) -> None:
    desk, store, _ = world
    secret, token = api_tokens.create_api_token(
        desk, CreateApiToken("doc", "case system", ("instruments:read",))
    )
    with pytest.raises(NotPermitted, match="does not allow cases:read"):
        api_tokens.verify_api_token(desk, secret, "cases:read", SOURCE)
    [refusal] = entries(store, "token.use")
    assert (refusal.actor, refusal.agency, refusal.outcome) == (token.id, "doc", "denied")
    assert refusal.detail == {"reason": "scope cases:read not granted"}


def test_revoking_an_unknown_token_is_refused_and_revoking_twice_changes_nothing(
    world: World,
) -> None:
    desk, store, clock = world
    with pytest.raises(NotFound):
        api_tokens.revoke_api_token(desk, RevokeApiToken("tok-missing"))
    [refused] = entries(store, "token.revoke")
    assert (refused.outcome, refused.object_id) == ("denied", "tok-missing")
    _, token = api_tokens.create_api_token(
        desk, CreateApiToken("doc", "case system", ("cases:read",))
    )
    api_tokens.revoke_api_token(desk, RevokeApiToken(token.id))
    revoked_at = store.accounts.api_tokens[token.id].revoked_at
    clock.advance(hours=1)
    api_tokens.revoke_api_token(desk, RevokeApiToken(token.id))
    assert (
        revoked_at == LATE_EVENING and store.accounts.api_tokens[token.id].revoked_at == revoked_at
    )
    assert [e.outcome for e in entries(store, "token.revoke")] == ["denied", "success"]


# --- The limiter of the public doors --------------------------------------------------------


class _Seconds:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_waits_once_it_used_its_lookups_and_goes_on_as_the_window_slides() -> None:
    seconds = _Seconds()
    limiter = RateLimiter(2, 60.0, seconds)
    assert [limiter.wait_for("203.0.113.5") for _ in range(2)] == [0.0, 0.0]
    seconds.now += 20
    assert limiter.wait_for("203.0.113.5") == pytest.approx(40.0)
    assert limiter.wait_for("198.51.100.5") == 0.0  # another address counts on its own
    seconds.now += 40  # the first two lookups leave the window
    # The refused lookup was not counted: two more go ahead before the next wait.
    assert [limiter.wait_for("203.0.113.5") for _ in range(2)] == [0.0, 0.0]
    assert limiter.wait_for("203.0.113.5") == pytest.approx(60.0)


def test_the_limiter_forgets_addresses_that_went_quiet() -> None:
    seconds = _Seconds()
    limiter = RateLimiter(1, 60.0, seconds)
    for n in range(10_001):
        limiter.wait_for(f"quiet-{n}")
    seconds.now += 30
    limiter.wait_for("busy")  # still 10,002 remembered: all within the window
    assert len(limiter._seen) == 10_002
    seconds.now += 31
    assert limiter.wait_for("busy") == pytest.approx(29.0)  # its lookup 31 s ago still counts
    assert set(limiter._seen) == {"busy"}
