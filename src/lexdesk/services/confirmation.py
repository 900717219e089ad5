"""Confirming it's you, and changing one's own password (CJIS IA-11, IA-5; ASVS 7.5.1, 6.2).

A signed-in person confirms who they are with their password and a fresh TOTP code; the session
remembers when (``sessions.confirmed_at``), and ``privileges`` lets privileged actions and
credential changes through for ``CONFIRMATION_LIFETIME`` after that. A wrong password or code
counts towards the lock exactly as at sign-in: a stolen session is no oracle for the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lexdesk.domain.credentials import (
    PasswordPolicy,
    hash_password,
    token_digest,
    verify_password,
    verify_totp,
)
from lexdesk.services import audit
from lexdesk.services.accounts import (
    authenticate_in,
    count_failure,
    record_account,
    require_usable,
    user_named,
)
from lexdesk.services.context import Desk
from lexdesk.services.privileges import CONFIRMATION_LIFETIME, require_confirmed

CONFIRM = "session.confirm"


def confirm_identity(desk: Desk, token: str, password: str, code: str, source: str) -> datetime:
    """Check the password and a fresh code for the holder of this session; until when its
    privileged actions are open."""
    with desk.uow() as uow:
        principal = authenticate_in(uow, token, source)
        user = user_named(uow, principal.username)
        creds = uow.accounts.credentials(user.id)
        assert creds is not None, "a signed-in user has credentials"
        require_usable(uow, user, creds, source, "confirm", CONFIRM)
        if not verify_password(creds.password_hash, password):
            count_failure(uow, user, creds, source, "password", CONFIRM)
        now = uow.audit.now()
        step = verify_totp(creds.totp_secret, code, at=now, last_used_step=creds.totp_last_step)
        if step is None or not uow.accounts.take_totp_step(user.id, step):
            count_failure(uow, user, creds, source, "code", CONFIRM)
        creds.totp_last_step = step
        uow.accounts.save_credentials(creds)
        uow.accounts.clear_failures(user.id)
        uow.accounts.confirm_session(token_digest(token), now)
        record_account(uow, user.username, user, CONFIRM, source)
        uow.commit()
    return now + CONFIRMATION_LIFETIME


@dataclass(frozen=True)
class ChangePassword:
    actor: str
    current_password: str
    new_password: str
    #: The digest of the actor's session token: it stays open, their other sessions end.
    session: str
    source: str = "cli"


@audit.records_denials("user.password", "user", "actor")
def change_password(desk: Desk, command: ChangePassword) -> int:
    """A new password for oneself, in a recently confirmed session, given the current one;
    how many other sessions of the account ended."""
    now = desk.clock.now()
    with desk.uow() as uow:
        require_confirmed(uow, command.actor, command.session)
        user = user_named(uow, command.actor)
        creds = uow.accounts.credentials(user.id)
        assert creds is not None, "a signed-in user has credentials"
        if not verify_password(creds.password_hash, command.current_password):
            count_failure(uow, user, creds, command.source, "password", "user.password")
        PasswordPolicy().check(command.new_password, username=user.username)
        creds.password_hash = hash_password(command.new_password)
        uow.accounts.save_credentials(creds)
        ended = uow.accounts.end_sessions_of(user.id, now, "password", keep=command.session)
        detail = {"sessions_ended": ended}
        record_account(uow, user.username, user, "user.password", command.source, detail=detail)
        uow.commit()
    return ended
