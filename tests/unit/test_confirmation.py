"""Confirming it's you before privileged actions and credential changes (security.md row 10;
CJIS IA-11, ASVS 7.5.1), and changing one's own password, through the services on fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lexdesk.domain.credentials import token_digest
from lexdesk.domain.errors import (
    AccountLocked,
    ConfirmationNeeded,
    InvalidInput,
    NotAuthenticated,
)
from lexdesk.services import (
    account_admin,
    accounts,
    agencies,
    api_tokens,
    confirmation,
    role_grants,
)
from lexdesk.services.account_admin import AccountCommand
from lexdesk.services.context import Desk
from lexdesk.services.privileges import CONFIRMATION_LIFETIME
from tests.fakes import FakeClock, _Store, fake_desk
from tests.unit.test_accounts import PASSWORD, SOURCE, code, enrolled, sign_in

NEW_PASSWORD = "a brand new passphrase for 2020"


@pytest.fixture
def world() -> tuple[Desk, _Store, FakeClock, str]:
    clock = FakeClock(datetime(2020, 1, 17, 15, 0, 5, tzinfo=UTC))
    desk, store = fake_desk(clock)
    agencies.register_agency(
        desk, agencies.RegisterAgency("doc", "DOC", "custodial", "US-NY", "us-ny-nyc-doc")
    )
    enrolled(desk)
    return desk, store, clock, enrolled(desk, "doc-admin", ("admin",))


def confirm(desk: Desk, clock: FakeClock, secret: str, token: str) -> None:
    confirmation.confirm_identity(desk, token, PASSWORD, code(secret, clock), SOURCE)
    clock.advance(seconds=30)


def unlock(desk: Desk, token: str) -> None:
    with desk.uow() as uow:  # locked, as after five failed sign-ins
        user = accounts.user_named(uow, "doc-officer")
        creds = uow.accounts.credentials(user.id)
        assert creds is not None
        creds.locked = True
        uow.accounts.save_credentials(creds)
        uow.commit()
    command = AccountCommand("doc-officer", "doc-admin", SOURCE, token_digest(token))
    account_admin.unlock_user(desk, command)


def test_every_privileged_action_needs_a_recent_confirmation(world) -> None:  # type: ignore[no-untyped-def]
    desk, store, clock, secret = world
    token = sign_in(desk, clock, secret, "doc-admin")
    session = token_digest(token)
    _, made = api_tokens.create_api_token(
        desk, api_tokens.CreateApiToken("doc", "jail", ("cases:read",))
    )
    actions = (
        lambda: unlock(desk, token),
        lambda: account_admin.disable_user(
            desk, AccountCommand("doc-officer", "doc-admin", SOURCE, session)
        ),
        lambda: account_admin.reset_mfa(
            desk, AccountCommand("doc-officer", "doc-admin", SOURCE, session)
        ),
        lambda: account_admin.enable_user(
            desk, AccountCommand("doc-officer", "doc-admin", SOURCE, session)
        ),
        lambda: role_grants.change_roles(
            desk, role_grants.ChangeRoles("doc-officer", ("auditor",), "doc-admin", SOURCE, session)
        ),
        lambda: accounts.add_account(
            desk,
            agencies.AddUser("doc-new", "doc", "New", ("officer",)),
            PASSWORD,
            actor="doc-admin",
            session=session,
        ),
        lambda: api_tokens.create_api_token(
            desk,
            api_tokens.CreateApiToken(
                "doc", "jail", ("cases:read",), actor="doc-admin", session=session
            ),
        ),
        lambda: api_tokens.revoke_api_token(
            desk, api_tokens.RevokeApiToken(made.id, "doc-admin", SOURCE, session)
        ),
    )
    for action in actions:
        with pytest.raises(ConfirmationNeeded, match="confirm it's you"):
            action()
    denied = [e.action for e in store.audit if e.outcome == "denied"]
    assert denied == [
        "user.unlock",
        "user.disable",
        "user.reset_mfa",
        "user.enable",
        "user.roles",
        "user.add",
        "token.create",
        "token.revoke",
    ]
    confirm(desk, clock, secret, token)
    unlock(desk, token)
    account_admin.reset_mfa(desk, AccountCommand("doc-officer", "doc-admin", SOURCE, session))


def test_a_confirmation_lasts_five_minutes_in_its_own_session_only(world) -> None:  # type: ignore[no-untyped-def]
    desk, _, clock, secret = world
    assert timedelta(minutes=5) == CONFIRMATION_LIFETIME
    token, other = (
        sign_in(desk, clock, secret, "doc-admin"),
        sign_in(desk, clock, secret, "doc-admin"),
    )
    confirm(desk, clock, secret, token)
    with pytest.raises(ConfirmationNeeded):
        unlock(desk, other)
    clock.advance(seconds=4 * 60)
    unlock(desk, token)
    clock.advance(seconds=30)
    with pytest.raises(ConfirmationNeeded):
        unlock(desk, token)


def test_a_wrong_or_reused_code_confirms_nothing_and_counts_towards_the_lock(world) -> None:  # type: ignore[no-untyped-def]
    desk, store, clock, secret = world
    token = sign_in(desk, clock, secret, "doc-admin")
    used = code(secret, clock)
    confirmation.confirm_identity(desk, token, PASSWORD, used, SOURCE)
    with pytest.raises(NotAuthenticated, match="already used"):
        confirmation.confirm_identity(desk, token, PASSWORD, used, SOURCE)
    for _ in range(4):
        with pytest.raises(NotAuthenticated):
            confirmation.confirm_identity(desk, token, "wrong password", used, SOURCE)
    with pytest.raises(AccountLocked):
        confirmation.confirm_identity(desk, token, PASSWORD, used, SOURCE)
    failures = [e for e in store.audit if e.action == "session.confirm" and e.outcome != "success"]
    assert len(failures) == 6


def test_changing_ones_password_needs_the_current_one_and_ends_the_other_sessions(world) -> None:  # type: ignore[no-untyped-def]
    desk, _, clock, secret = world
    token, other = (
        sign_in(desk, clock, secret, "doc-admin"),
        sign_in(desk, clock, secret, "doc-admin"),
    )

    def change(current: str, new: str) -> int:
        command = confirmation.ChangePassword(
            "doc-admin", current, new, token_digest(token), SOURCE
        )
        return confirmation.change_password(desk, command)

    with pytest.raises(ConfirmationNeeded):
        change(PASSWORD, NEW_PASSWORD)
    confirm(desk, clock, secret, token)
    with pytest.raises(NotAuthenticated):
        change("not the password", NEW_PASSWORD)
    with pytest.raises(InvalidInput, match="at least 8"):
        change(PASSWORD, "short")
    assert change(PASSWORD, NEW_PASSWORD) == 1
    accounts.authenticate(desk, token, SOURCE)
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(desk, other, SOURCE)
    with pytest.raises(NotAuthenticated):
        accounts.begin_login(desk, "doc-admin", PASSWORD, SOURCE)
    accounts.begin_login(desk, "doc-admin", NEW_PASSWORD, SOURCE)
