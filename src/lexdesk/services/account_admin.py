"""What an administrator does to an account: disable and enable it, release a lock, reset its
MFA (a one-time enrolment code for the new authenticator: ``enrolment``). A removed account
(``account_lifecycle``) is beyond all of it.

The actor is ``system`` (the operator at the command line, who holds the database itself) or
an active administrator of the account's own agency, in a session confirmed within the last
5 minutes (``privileges``): no agency administers another's users. Nobody disables their own
account, and nobody disables the agency's last active administrator (``administration``).
"""

from __future__ import annotations

from dataclasses import dataclass

from lexdesk.domain.account_lifecycle import is_removed
from lexdesk.domain.administration import check_keeps_an_admin, check_not_self
from lexdesk.domain.agencies import User
from lexdesk.domain.credentials import token_digest
from lexdesk.domain.errors import InvalidInput, NotFound
from lexdesk.services import audit
from lexdesk.services.accounts import record_account, user_named
from lexdesk.services.context import Desk
from lexdesk.services.enrolment import EnrolmentCode, renew_enrolment
from lexdesk.services.ports import UnitOfWork
from lexdesk.services.privileges import require_admin


@dataclass(frozen=True)
class AccountCommand:
    username: str
    actor: str = audit.SYSTEM
    source: str = "cli"
    #: The digest of the actor's session token, which must be recently confirmed.
    session: str = ""


@dataclass(frozen=True)
class AccountState:
    """What an account may do after a change: whether it is active and whether it is locked
    (an unlocked account that is still disabled cannot sign in, and the other way round)."""

    username: str
    active: bool
    locked: bool


@audit.records_denials("user.disable", "user", "username")
def disable_user(desk: Desk, command: AccountCommand) -> int:
    """Disable the account and end all its sessions (ASVS 7.4.2); how many were open. Never
    one's own account, nor the agency's last active administrator."""
    now = desk.clock.now()
    with desk.uow() as uow:
        user = _target(uow, command)
        check_not_self(command.actor, user, "disable")
        if not user.active:
            raise InvalidInput(
                f"user {user.username} is already disabled: nothing to do"
                f" (lexdesk users enable {user.username} lets it sign in again)"
            )
        colleagues = uow.users.of_agency(user.agency_id, lock=True)
        check_keeps_an_admin(user, colleagues, "disable this account")
        uow.users.set_active(user.id, False)
        ended = uow.accounts.end_sessions_of(user.id, now, "disabled")
        _record(uow, command, user, "user.disable", {"sessions_ended": ended})
        uow.commit()
    return ended


@audit.records_denials("user.enable", "user", "username")
def enable_user(desk: Desk, command: AccountCommand) -> AccountState:
    """Let a disabled account sign in again; whether it is still locked (then it needs
    ``unlock_user`` too)."""
    with desk.uow() as uow:
        user = _target(uow, command)
        if user.active:
            raise InvalidInput(f"user {user.username} is already active: nothing to enable")
        uow.users.set_active(user.id, True)
        creds = uow.accounts.credentials(user.id)
        _record(uow, command, user, "user.enable")
        uow.commit()
    return AccountState(user.username, True, bool(creds and creds.locked))


@audit.records_denials("user.unlock", "user", "username")
def unlock_user(desk: Desk, command: AccountCommand) -> AccountState:
    """Release a lock (CJIS AC-7): the failures that caused it are forgotten. Whether the
    account is active: a disabled account stays disabled (``enable_user``)."""
    with desk.uow() as uow:
        user = _target(uow, command)
        creds = uow.accounts.credentials(user.id)
        if creds is None:
            raise InvalidInput(f"user {user.username} has no password yet: nothing to unlock")
        if not creds.locked:
            raise InvalidInput(f"user {user.username} is not locked: nothing to unlock")
        creds.locked, creds.locked_at = False, None
        uow.accounts.save_credentials(creds)
        uow.accounts.clear_failures(user.id)
        _record(uow, command, user, "user.unlock", {"still_disabled": int(not user.active)})
        uow.commit()
    return AccountState(user.username, user.active, False)


@audit.records_denials("user.reset_mfa", "user", "username")
def reset_mfa(desk: Desk, command: AccountCommand) -> EnrolmentCode:
    """For a lost phone: the authenticator stops working, sessions end, and the holder sets up
    a new one at their next sign-in with the one-time enrolment code returned (``enrolment``)."""
    now = desk.clock.now()
    with desk.uow() as uow:
        user = _target(uow, command)
        creds = uow.accounts.credentials(user.id)
        if creds is None:
            raise InvalidInput(f"user {user.username} has no password yet: add one first")
        code, expires = renew_enrolment(creds, now)
        uow.accounts.save_credentials(creds)
        uow.accounts.end_sessions_of(user.id, now, "mfa reset")
        _record(uow, command, user, "user.reset_mfa")
        uow.commit()
    return EnrolmentCode(user.username, code, expires)


def _target(uow: UnitOfWork, command: AccountCommand) -> User:
    try:
        user = user_named(uow, command.username)
    except NotFound:
        require_admin(uow, command.actor, "")  # only the operator learns which names exist
        raise
    require_admin(uow, command.actor, user.agency_id, command.session)
    if is_removed(user.username):
        raise InvalidInput(
            f"the account {user.username} was removed: nothing can be done to it any more;"
            " make a new account instead"
        )
    return user


def _record(
    uow: UnitOfWork,
    command: AccountCommand,
    user: User,
    action: str,
    detail: dict[str, int] | None = None,
) -> None:
    audit.record(
        uow,
        actor=command.actor,
        agency=user.agency_id,
        action=action,
        object_type="user",
        object_id=user.id,
        source=command.source,
        detail=dict(detail or {}),
    )


def sign_out_everywhere(desk: Desk, token: str, source: str) -> int:
    """End every session of this session's user, on every device (a lost laptop, a shared
    computer left signed in); how many ended. The user's own session ends with the rest."""
    digest = token_digest(token)
    with desk.uow() as uow:
        session = uow.accounts.session(digest)
        if session is None or session.ended_at is not None:
            return 0
        user = uow.users.get(session.user_id)
        ended = uow.accounts.end_sessions_of(session.user_id, desk.clock.now(), "logout everywhere")
        actor = user.username if user else session.user_id
        record_account(uow, actor, user, "logout.everywhere", source, detail={"ended": ended})
        uow.commit()
    return ended
