"""The password step tells a guesser nothing, and one client address can neither lock an
account nor spray passwords: an unknown name, a wrong password and a locked or disabled
account get the same answer; the state is told only to whoever has the password and the code;
an address that failed too often waits, before anything counts against an account."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest

from lexdesk.domain.errors import AccountLocked, NotAuthenticated, Throttled
from lexdesk.services import account_admin, accounts, agencies
from lexdesk.services.account_admin import AccountCommand
from lexdesk.services.context import Desk
from tests.fakes import FakeClock, _Store, fake_desk

PASSWORD = "correct horse battery staple"
ATTACKER, USER = "203.0.113.66", "198.51.100.7"


@pytest.fixture
def world() -> tuple[Desk, _Store, FakeClock, dict[str, str]]:
    clock = FakeClock(datetime(2020, 1, 17, 15, 0, 5, tzinfo=UTC))
    desk, store = fake_desk(clock)
    agencies.register_agency(
        desk, agencies.RegisterAgency("doc", "DOC", "custodial", "US-NY", "us-ny-nyc-doc")
    )
    secrets = {}
    for name in ("doc-officer", "doc-locked", "doc-gone"):
        command = agencies.AddUser(name, "doc", name, ("officer",))
        secrets[name] = accounts.add_account(desk, command, PASSWORD)[1].totp_secret
    return desk, store, clock, secrets


def refusal(desk: Desk, username: str, password: str, source: str) -> str:
    with pytest.raises(NotAuthenticated) as refused:
        accounts.begin_login(desk, username, password, source)
    assert type(refused.value) is NotAuthenticated
    return str(refused.value)


def test_unknown_locked_disabled_and_wrong_are_one_answer(world) -> None:  # type: ignore[no-untyped-def]
    desk, store, clock, secrets = world
    for attempt in range(5):
        clock.advance(minutes=1)
        refusal(desk, "doc-locked", "guess", f"10.0.0.{attempt}")
    account_admin.disable_user(desk, AccountCommand("doc-gone"))
    answers = {
        refusal(desk, "doc-nobody", "guess", "10.1.0.1"),
        refusal(desk, "doc-officer", "guess", "10.1.0.2"),
        refusal(desk, "doc-locked", "guess", "10.1.0.3"),
        refusal(desk, "doc-gone", "guess", "10.1.0.4"),
    }
    assert answers == {accounts.WRONG_CREDENTIALS}
    # The password alone gets the ticket any account gets; the state is told after the code.
    ticket = accounts.begin_login(desk, "doc-locked", PASSWORD, USER)
    with pytest.raises(NotAuthenticated, match="wrong or was already used"):
        accounts.complete_login(desk, ticket, "000000", USER)
    ticket = accounts.begin_login(desk, "doc-locked", PASSWORD, USER)
    code = pyotp.TOTP(secrets["doc-locked"]).at(clock.now())
    with pytest.raises(AccountLocked):
        accounts.complete_login(desk, ticket, code, USER)
    reasons = [e.detail.get("reason") for e in store.audit if e.action == "login.password"]
    assert {"locked", "disabled"} <= set(reasons)  # on record for the auditor, all the same


def test_one_address_cannot_lock_an_account(world) -> None:  # type: ignore[no-untyped-def]
    desk, store, clock, secrets = world
    for _ in range(3):
        clock.advance(seconds=20)
        refusal(desk, "doc-officer", "guess", ATTACKER)
    for _ in range(20):
        with pytest.raises(Throttled) as throttled:
            accounts.begin_login(desk, "doc-officer", "guess", ATTACKER)
        assert 0 < throttled.value.retry_after <= 15 * 60
    with pytest.raises(Throttled):  # the right password too: a throttle is no oracle
        accounts.begin_login(desk, "doc-officer", PASSWORD, ATTACKER)
    assert len(store.accounts.failures[_id(store, "doc-officer")]) == 3
    ticket = accounts.begin_login(desk, "doc-officer", PASSWORD, USER)  # the owner, elsewhere
    code = pyotp.TOTP(secrets["doc-officer"]).at(clock.now())
    assert accounts.complete_login(desk, ticket, code, USER)[0]
    clock.advance(minutes=15)
    refusal(desk, "doc-officer", "guess", ATTACKER)  # the window passed: counted again
    throttled_entries = [e for e in store.audit if e.detail.get("reason") == "throttled"]
    assert len(throttled_entries) == 21


def test_one_address_cannot_spray_passwords_across_accounts(world) -> None:  # type: ignore[no-untyped-def]
    desk, _, clock, _ = world
    for number in range(30):
        clock.advance(seconds=5)
        refusal(desk, f"doc-name-{number}", "guess", ATTACKER)  # names that are no account
    with pytest.raises(Throttled):
        accounts.begin_login(desk, "doc-officer", PASSWORD, ATTACKER)
    assert accounts.begin_login(desk, "doc-officer", PASSWORD, USER)


def test_the_acknowledged_notice_is_on_record(world) -> None:  # type: ignore[no-untyped-def]
    desk, store, _, _ = world
    accounts.begin_login(desk, "doc-officer", PASSWORD, USER, acknowledged=True)
    accounts.begin_login(desk, "doc-officer", PASSWORD, USER)
    entries = [e for e in store.audit if e.action == "login.password"]
    assert [e.detail.get("notice") for e in entries] == ["acknowledged", None]


def _id(store: _Store, username: str) -> str:
    return next(u.id for u in store.users.values() if u.username == username)


def test_a_name_that_is_no_account_is_kept_as_a_keyed_digest(world) -> None:  # type: ignore[no-untyped-def]
    desk, store, _, _ = world
    typed = "my secret passphrase"  # a password typed into the username box
    for source in ("10.9.0.1", "10.9.0.2"):
        refusal(desk, typed, "guess", source)
    entries = [e for e in store.audit if e.action == "login.password"]
    assert not any(typed in repr(e) for e in entries)
    digests = {e.detail["typed_name"] for e in entries}
    assert len(digests) == 1 and len(next(iter(digests))) == 32  # the same text, one digest
