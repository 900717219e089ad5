"""Setting up an authenticator for the first time, with a one-time enrolment code
(domain/enrolment.py; docs/accounts.md).

An administrator who makes an account (``create_account``) or resets its second factor
(``account_admin.reset_mfa``) is shown a code once and gives it to its holder apart from the
password. At the first sign-in, after the password, the holder gives the code
(``redeem_enrolment_code``): only then is a TOTP key made, and shown to them alone, for the
rest of that sign-in (``pending_enrolment``); their first code from it completes the sign-in
and the enrolment (``accounts.complete_login``). Whoever has only the password learns nothing:
a wrong, expired or spent code, or an account with nothing to enrol, all get one answer, and
each counts towards the lock like a wrong password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lexdesk.domain.accounts import Credentials
from lexdesk.domain.agencies import User
from lexdesk.domain.credentials import new_totp_secret, token_digest, totp_uri
from lexdesk.domain.enrolment import (
    CODE_LIFETIME,
    code_accepted,
    enrolment_digest,
    new_enrolment_code,
)
from lexdesk.domain.errors import NotAuthenticated
from lexdesk.services import audit
from lexdesk.services.accounts import (
    TICKET_EXPIRED,
    TICKET_LIFETIME,
    Enrolment,
    account_of,
    check_source,
    count_failure,
    open_account,
    record_account,
    refuse,
    require_usable,
)
from lexdesk.services.agencies import AddUser
from lexdesk.services.context import Desk

ENROL = "login.enrol"


@dataclass(frozen=True)
class EnrolmentCode:
    """Shown once, to the administrator who made the account or reset its second factor;
    the desk keeps only its digest."""

    username: str
    code: str
    expires_at: datetime
    #: Roles asked for that wait for a second administrator's approval (``role_grants``).
    pending_roles: tuple[str, ...] = ()


def create_account(
    desk: Desk, command: AddUser, password: str, *, actor: str = audit.SYSTEM, session: str = ""
) -> tuple[User, EnrolmentCode]:
    """An account whose holder sets up their authenticator with the code returned (valid
    ``CODE_LIFETIME``); otherwise as ``accounts.add_account``."""
    code, now = new_enrolment_code(), desk.clock.now()
    expires = now + CODE_LIFETIME
    user, made = open_account(
        desk,
        command,
        password,
        actor=actor,
        session=session,
        enrolled=False,
        enrolment=(enrolment_digest(code), expires),
    )
    return user, EnrolmentCode(user.username, code, expires, made.pending_roles)


def renew_enrolment(creds: Credentials, now: datetime) -> tuple[str, datetime]:
    """Give ``creds`` a fresh enrolment code and retire its authenticator (its key becomes one
    nobody is shown); the code, to show once, and until when it works."""
    code = new_enrolment_code()
    creds.totp_secret, creds.totp_last_step, creds.mfa_enrolled = new_totp_secret(), None, False
    creds.enrolment_digest = enrolment_digest(code)
    creds.enrolment_expires_at = now + CODE_LIFETIME
    return code, creds.enrolment_expires_at


def redeem_enrolment_code(desk: Desk, ticket: str, code: str, source: str) -> Enrolment:
    """The enrolment step, after the password step's ``ticket``: the new authenticator's key,
    for this ticket's holder; the code is spent. Refusals are on record."""
    now = desk.clock.now()
    with desk.uow() as uow:
        found = uow.accounts.ticket(token_digest(ticket))
        if found is None or found.used_at or now - found.created_at >= TICKET_LIFETIME:
            error = NotAuthenticated(TICKET_EXPIRED)
            refuse(uow, error, "anonymous", None, source, {"step": "enrolment"}, ENROL)
        user, creds = account_of(uow, found.user_id, source, "enrolment", ENROL)
        check_source(uow, user, source, ENROL, now)
        live = code_accepted(creds.enrolment_digest, creds.enrolment_expires_at, code, now)
        if creds.mfa_enrolled or not live:
            count_failure(uow, user, creds, source, "enrolment", ENROL)
        require_usable(uow, user, creds, source, "enrolment", ENROL)
        secret = new_totp_secret()
        creds.totp_secret, creds.totp_last_step = secret, None
        creds.enrolment_digest = creds.enrolment_expires_at = None
        uow.accounts.save_credentials(creds)
        uow.accounts.mark_enrolling(found.digest)
        record_account(uow, user.username, user, ENROL, source)
        uow.commit()
    return Enrolment(user.username, secret, totp_uri(secret, user.username))


def pending_enrolment(desk: Desk, ticket: str) -> Enrolment | None:
    """The authenticator being set up in this sign-in (its enrolment code was given with this
    ticket), to show again until the sign-in completes; None for any other sign-in."""
    now = desk.clock.now()
    with desk.uow() as uow:
        found = uow.accounts.ticket(token_digest(ticket))
        if found is None or found.used_at or now - found.created_at >= TICKET_LIFETIME:
            return None
        user, creds = uow.users.get(found.user_id), uow.accounts.credentials(found.user_id)
    if user is None or creds is None or creds.mfa_enrolled or not found.enrolling:
        return None
    return Enrolment(user.username, creds.totp_secret, totp_uri(creds.totp_secret, user.username))


def awaits_enrolment(desk: Desk, ticket: str) -> bool:
    """Whether this live sign-in's account has no authenticator yet, and none is being set up
    in it: the sign-in asks for the enrolment code next. Told only after the password."""
    now = desk.clock.now()
    with desk.uow() as uow:
        found = uow.accounts.ticket(token_digest(ticket))
        if found is None or found.used_at or now - found.created_at >= TICKET_LIFETIME:
            return False
        creds = uow.accounts.credentials(found.user_id)
    return creds is not None and not creds.mfa_enrolled and not found.enrolling
