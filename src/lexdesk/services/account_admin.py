"""What an administrator does to an account: disable it, release a lock, reset its MFA.

The actor is ``system`` (the operator at the command line, who holds the database itself) or
an active administrator of the account's own agency, in a session confirmed within the last
5 minutes (``privileges``): no agency administers another's users.
"""

from __future__ import annotations

from dataclasses import dataclass

from lexdesk.domain.agencies import User
from lexdesk.domain.credentials import new_totp_secret, token_digest, totp_uri
from lexdesk.domain.errors import InvalidInput, NotFound
from lexdesk.services import audit
from lexdesk.services.accounts import Enrolment, record_account, user_named
from lexdesk.services.context import Desk
from lexdesk.services.ports import UnitOfWork
from lexdesk.services.privileges import require_admin


@dataclass(frozen=True)
class AccountCommand:
    username: str
    actor: str = audit.SYSTEM
    source: str = "cli"
    #: The digest of the actor's session token, which must be recently confirmed.
    session: str = ""


@audit.records_denials("user.disable", "user", "username")
def disable_user(desk: Desk, command: AccountCommand) -> int:
    """Disable the account and end all its sessions (ASVS 7.4.2); how many were open."""
    now = desk.clock.now()
    with desk.uow() as uow:
        user = _target(uow, command)
        uow.users.set_active(user.id, False)
        ended = uow.accounts.end_sessions_of(user.id, now, "disabled")
        _record(uow, command, user, "user.disable", {"sessions_ended": ended})
        uow.commit()
    return ended


@audit.records_denials("user.unlock", "user", "username")
def unlock_user(desk: Desk, command: AccountCommand) -> None:
    """Release a lock (CJIS AC-7): the failures that caused it are forgotten."""
    with desk.uow() as uow:
        user = _target(uow, command)
        creds = uow.accounts.credentials(user.id)
        if creds is None:
            raise InvalidInput(f"user {user.username} has no password yet: nothing to unlock")
        creds.locked, creds.locked_at = False, None
        uow.accounts.save_credentials(creds)
        uow.accounts.clear_failures(user.id)
        _record(uow, command, user, "user.unlock")
        uow.commit()


@audit.records_denials("user.reset_mfa", "user", "username")
def reset_mfa(desk: Desk, command: AccountCommand) -> Enrolment:
    """A new TOTP seed, for a lost phone; the old one stops working and sessions end."""
    secret, now = new_totp_secret(), desk.clock.now()
    with desk.uow() as uow:
        user = _target(uow, command)
        creds = uow.accounts.credentials(user.id)
        if creds is None:
            raise InvalidInput(f"user {user.username} has no password yet: add one first")
        creds.totp_secret, creds.totp_last_step, creds.mfa_enrolled = secret, None, False
        uow.accounts.save_credentials(creds)
        uow.accounts.end_sessions_of(user.id, now, "mfa reset")
        _record(uow, command, user, "user.reset_mfa")
        uow.commit()
    return Enrolment(user.username, secret, totp_uri(secret, user.username))


def _target(uow: UnitOfWork, command: AccountCommand) -> User:
    try:
        user = user_named(uow, command.username)
    except NotFound:
        require_admin(uow, command.actor, "")  # only the operator learns which names exist
        raise
    require_admin(uow, command.actor, user.agency_id, command.session)
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
