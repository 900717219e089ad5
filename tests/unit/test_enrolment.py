"""First-time enrolment of an authenticator needs the password and the one-time enrolment code
(services/enrolment.py), on fakes: without the code nothing is enrolled, a wrong one is
answered as a wrong one and counted, and the code works once, for 72 hours."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from lexdesk.domain.errors import AccountLocked, NotAuthenticated
from lexdesk.services import account_admin, accounts, agencies, enrolment
from lexdesk.services.account_admin import AccountCommand
from lexdesk.services.context import Desk
from tests.fakes import FakeClock, _Store, fake_desk
from tests.unit.test_accounts import PASSWORD, SOURCE, audit_rows, code

Made = tuple[Desk, _Store, FakeClock, enrolment.EnrolmentCode]


@pytest.fixture
def made() -> Made:
    clock = FakeClock(datetime(2026, 12, 1, 15, 0, 5, tzinfo=UTC))
    desk, store = fake_desk(clock)
    agencies.register_agency(
        desk, agencies.RegisterAgency("doc", "DOC", "custodial", "US-NY", "us-ny-nyc-doc")
    )
    command = agencies.AddUser("doc-clerk", "doc", "A Clerk", ("officer",))
    _, issued = enrolment.create_account(desk, command, PASSWORD)
    return desk, store, clock, issued


def test_the_password_and_the_code_set_up_the_authenticator_then_sign_in(made: Made) -> None:
    desk, store, clock, issued = made
    assert issued.expires_at == clock.now() + enrolment.CODE_LIFETIME
    ticket = accounts.begin_login(desk, "doc-clerk", PASSWORD, SOURCE)
    assert enrolment.awaits_enrolment(desk, ticket)
    assert enrolment.pending_enrolment(desk, ticket) is None  # no key before the code
    key = enrolment.redeem_enrolment_code(desk, ticket, issued.code, SOURCE)
    assert enrolment.pending_enrolment(desk, ticket) == key  # shown again in this sign-in
    token, principal = accounts.complete_login(desk, ticket, code(key.totp_secret, clock), SOURCE)
    assert principal.username == "doc-clerk" and accounts.authenticate(desk, token, SOURCE)
    assert store.accounts.credentials[principal.user_id].mfa_enrolled
    assert [e.detail for e in audit_rows(store, "login.code")] == [{"authenticator": "enrolled"}]


def test_without_the_code_the_password_enrols_nothing(made: Made) -> None:
    desk, store, clock, _ = made
    ticket = accounts.begin_login(desk, "doc-clerk", PASSWORD, SOURCE)
    # The key made with the account is a placeholder nobody was shown: even it enrols nothing.
    [creds] = store.accounts.credentials.values()
    with pytest.raises(NotAuthenticated, match="the code is wrong"):
        accounts.complete_login(desk, ticket, code(creds.totp_secret, clock), SOURCE)
    other = accounts.begin_login(desk, "doc-clerk", PASSWORD, SOURCE)
    assert enrolment.pending_enrolment(desk, other) is None


def test_a_wrong_expired_or_spent_code_gets_one_answer_and_counts_towards_the_lock(
    made: Made,
) -> None:
    desk, store, clock, issued = made
    ticket = accounts.begin_login(desk, "doc-clerk", PASSWORD, SOURCE)
    with pytest.raises(NotAuthenticated) as wrong:
        enrolment.redeem_enrolment_code(desk, ticket, "AAAA-BBBB", SOURCE)
    assert str(wrong.value) == accounts.WRONG_ENROLMENT_CODE
    clock.advance(hours=72)
    late = accounts.begin_login(desk, "doc-clerk", PASSWORD, SOURCE)
    with pytest.raises(NotAuthenticated) as expired:
        enrolment.redeem_enrolment_code(desk, late, issued.code, SOURCE)
    assert str(expired.value) == str(wrong.value)
    assert len(audit_rows(store, "login.enrol", "failure")) == 2
    for attempt in range(4):  # five failures in 15 minutes lock the account (CJIS AC-7)
        with pytest.raises(NotAuthenticated):
            enrolment.redeem_enrolment_code(desk, late, f"WRONG-{attempt}", f"192.0.2.{attempt}")
    [creds] = store.accounts.credentials.values()
    assert creds.locked
    fresh = account_admin.reset_mfa(desk, AccountCommand("doc-clerk"))
    again = accounts.begin_login(desk, "doc-clerk", PASSWORD, "198.51.100.1")
    with pytest.raises(AccountLocked):  # told only to whoever has both the password and code
        enrolment.redeem_enrolment_code(desk, again, fresh.code, "198.51.100.1")


def test_the_code_works_once_and_a_reset_gives_a_new_one(made: Made) -> None:
    desk, _, clock, issued = made
    ticket = accounts.begin_login(desk, "doc-clerk", PASSWORD, SOURCE)
    key = enrolment.redeem_enrolment_code(desk, ticket, issued.code, SOURCE)
    accounts.complete_login(desk, ticket, code(key.totp_secret, clock), SOURCE)
    clock.advance(seconds=30)
    again = accounts.begin_login(desk, "doc-clerk", PASSWORD, SOURCE)
    assert not enrolment.awaits_enrolment(desk, again)
    with pytest.raises(NotAuthenticated, match="enrolment code is wrong"):
        enrolment.redeem_enrolment_code(desk, again, issued.code, SOURCE)
    reset = account_admin.reset_mfa(desk, AccountCommand("doc-clerk"))
    assert reset.code != issued.code
    after = accounts.begin_login(desk, "doc-clerk", PASSWORD, SOURCE)
    with pytest.raises(NotAuthenticated):  # the old authenticator stopped working
        accounts.complete_login(desk, after, code(key.totp_secret, clock), SOURCE)
    new_key = enrolment.redeem_enrolment_code(desk, after, reset.code, SOURCE)
    assert new_key.totp_secret != key.totp_secret
    accounts.complete_login(desk, after, code(new_key.totp_secret, clock), SOURCE)


def test_the_code_never_reaches_the_logs_or_the_audit_trail(
    made: Made, caplog: pytest.LogCaptureFixture
) -> None:
    desk, store, clock, issued = made
    caplog.set_level(logging.DEBUG)
    ticket = accounts.begin_login(desk, "doc-clerk", PASSWORD, SOURCE)
    key = enrolment.redeem_enrolment_code(desk, ticket, issued.code, SOURCE)
    accounts.complete_login(desk, ticket, code(key.totp_secret, clock), SOURCE)
    trail = repr(store.audit) + repr(store.accounts.credentials)
    assert issued.code not in caplog.text + trail
    assert issued.code.replace("-", "") not in trail
    assert key.totp_secret not in caplog.text + repr(store.audit)


def test_an_account_made_directly_is_enrolled_by_whoever_holds_its_seed(made: Made) -> None:
    desk, _, clock, _ = made
    command = agencies.AddUser("doc-demo", "doc", "Demo", ("officer",))
    _, seeded = accounts.add_account(desk, command, PASSWORD)  # the demo, seeders, tests
    ticket = accounts.begin_login(desk, "doc-demo", PASSWORD, SOURCE)
    assert not enrolment.awaits_enrolment(desk, ticket)
    accounts.complete_login(desk, ticket, code(seeded.totp_secret, clock), SOURCE)
