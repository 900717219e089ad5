"""Signing in with a password and a TOTP code, and the server-side sessions that follow
(CJIS IA-2, IA-5, AC-7, AC-11, AC-12; ASVS V6, V7).

Sign-in has two steps: ``begin_login`` checks the password and hands back a short-lived ticket,
``complete_login`` checks the TOTP code against it and opens a session. An account without an
authenticator yet gives its one-time enrolment code between the two (``enrolment``). Every
attempt is on record; failures commit their own unit of work (the failure count, a lock, the
audit entry) before the refusal is raised. Nothing here logs or records a password, code, token
or seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Literal, NoReturn

from lexdesk.domain.account_lifecycle import has_ended, utc_day
from lexdesk.domain.accounts import Credentials, LoginTicket, Session
from lexdesk.domain.administration import split_roles
from lexdesk.domain.agencies import Role, User, parse_role
from lexdesk.domain.audit import Outcome
from lexdesk.domain.credentials import (
    LockoutPolicy,
    PasswordPolicy,
    SessionPolicy,
    SourceThrottle,
    hash_password,
    keyed_digest,
    new_session_token,
    new_totp_secret,
    token_digest,
    totp_uri,
    verify_password,
    verify_totp,
)
from lexdesk.domain.errors import (
    AccountLocked,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    Throttled,
)
from lexdesk.domain.permissions import TOKEN_SCOPES, Permission, granted
from lexdesk.domain.vocabulary import AgencyKind
from lexdesk.services import audit, role_grants
from lexdesk.services.agencies import AddUser, new_user
from lexdesk.services.context import Desk, agency, audit_actor
from lexdesk.services.ports import UnitOfWork
from lexdesk.services.privileges import require_admin

#: The same words for an unknown user and a wrong password, so that nobody can find out
#: which usernames exist by trying them (ASVS 6.3.8).
WRONG_CREDENTIALS = "username or password is wrong"
WRONG_CODE = "the code is wrong or was already used: wait for the next code and try again"
WRONG_ENROLMENT_CODE = (
    "the enrolment code is wrong, expired or already used: check it, or ask an administrator"
    " for a new one"
)
#: What a failed step answers: the same words whatever was wrong with it.
WRONG_ANSWER = {"password": WRONG_CREDENTIALS, "enrolment": WRONG_ENROLMENT_CODE}
TICKET_EXPIRED = "this sign-in has expired or is unknown: start again with username and password"
SIGN_IN_AGAIN = {
    "unknown": "not signed in: sign in with username, password and code",
    "idle": "signed out after 30 minutes without activity: sign in again",
    "absolute": "signed out after 12 hours: sign in again",
    "disabled": "this account is disabled: ask an administrator",
    "ended": "this temporary account has reached its end date: ask an administrator",
}
#: Long enough to read the code from a phone; ASVS 6.5.5 allows out-of-band steps 10 minutes.
TICKET_LIFETIME = timedelta(minutes=5)
LOCKOUT = LockoutPolicy()
THROTTLE = SourceThrottle()
SESSIONS = SessionPolicy()
#: How often a session's activity is written down: a request writes ``last_seen_at`` only when
#: the recorded value is at least this old (see ``authenticate_in``).
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Principal:
    """Who is asking, as every later permission check sees it."""

    user_id: str
    username: str
    agency_id: str
    agency_kind: AgencyKind
    roles: frozenset[Role]
    via: Literal["session", "token", "cli"]
    scopes: frozenset[str] = frozenset()
    #: For a person: the digest of their session token, which privileged actions check.
    session: str = ""

    def allows(self, scope: str) -> bool:
        """A person's session is governed by roles; a system's token only by its scopes."""
        return self.via != "token" or scope in self.scopes

    def holds(self, permission: Permission) -> bool:
        """A person's roles grant permissions; a system's token holds the scope that stands
        for each one it may exercise (``domain.permissions.TOKEN_SCOPES``)."""
        if self.via == "token":
            scope = TOKEN_SCOPES.get(permission)
            return scope is not None and scope in self.scopes
        return granted(self.roles, permission)


@dataclass(frozen=True)
class Enrolment:
    """A TOTP key, shown once: to its holder when they enrol with their enrolment code
    (``enrolment``), or to whoever made the account directly (``add_account``). Never stored in
    the clear anywhere but the credentials table (sealed), never printed again."""

    username: str
    totp_secret: str
    totp_uri: str
    #: Roles asked for that wait for a second administrator's approval (``role_grants``).
    pending_roles: tuple[str, ...] = ()


def add_account(
    desk: Desk, command: AddUser, password: str, *, actor: str = audit.SYSTEM, session: str = ""
) -> tuple[User, Enrolment]:
    """A user who can sign in, enrolled at once: the caller holds the TOTP seed it returns (the
    demo, the seeders, tests). An administrator's account is made by
    ``enrolment.create_account`` instead, whose holder enrols with a one-time code.

    One unit of work: the user, their password and TOTP seed, and the audit entries naming
    ``actor`` (an administrator of the agency, in a recently confirmed ``session``:
    ``privileges``), all or nothing. The password is checked first. Roles that need a second
    administrator (``administration.NEEDS_SECOND_ADMIN``) are requested, not granted, unless
    the operator adds the user."""
    return open_account(desk, command, password, actor=actor, session=session, enrolled=True)


def open_account(
    desk: Desk,
    command: AddUser,
    password: str,
    *,
    actor: str,
    session: str,
    enrolled: bool,
    enrolment: tuple[str, datetime] | None = None,
) -> tuple[User, Enrolment]:
    """``add_account``; not ``enrolled``: the seed is a placeholder nobody is shown, and the
    account sets up its authenticator with the code whose digest and expiry ``enrolment``
    gives (``enrolment.create_account``)."""
    PasswordPolicy().check(password, username=command.username)
    password_hash, secret = hash_password(password), new_totp_secret()
    digest, expires = enrolment or (None, None)
    creds = Credentials("", password_hash, secret, mfa_enrolled=enrolled)
    creds.enrolment_digest, creds.enrolment_expires_at = digest, expires
    asked = frozenset(parse_role(r) for r in command.roles)
    now, pending = (asked, frozenset[Role]()) if actor == audit.SYSTEM else split_roles(asked)
    try:
        with desk.uow() as uow:
            require_admin(uow, actor, command.agency_id, session)
            user = new_user(desk, uow, command, actor, now)
            creds.user_id = user.id
            uow.accounts.save_credentials(creds)
            who, _ = audit_actor(desk, actor)
            record_account(uow, who, user, "user.enrol", command.source)
            if pending:
                role_grants.request_grant(uow, user, pending, actor, command.source, "")
            uow.commit()
    except NotPermitted as refusal:
        detail = {"reason": str(refusal), "username": command.username}
        audit.record_alone(
            desk,
            actor=actor,
            agency=command.agency_id,
            action="user.add",
            object_type="user",
            object_id="",
            outcome="denied",
            source=command.source,
            detail=detail,
        )
        raise
    waiting = tuple(sorted(r.value for r in pending))
    shown = secret if enrolled else ""  # a placeholder is never shown to anyone
    uri = totp_uri(shown, user.username) if shown else ""
    return user, Enrolment(user.username, shown, uri, waiting)


def enrol(
    desk: Desk, username: str, password: str, *, actor: str = audit.SYSTEM, source: str = "cli"
) -> Enrolment:
    """Set a user's password and a fresh TOTP seed, enrolled at once (the caller holds it);
    their open sessions end."""
    PasswordPolicy().check(password, username=username)
    password_hash, secret, now = hash_password(password), new_totp_secret(), desk.clock.now()
    with desk.uow() as uow:
        user = user_named(uow, username)
        creds = Credentials(user.id, password_hash, secret, mfa_enrolled=True)
        uow.accounts.save_credentials(creds)
        uow.accounts.end_sessions_of(user.id, now, "credentials")
        record_account(uow, actor, user, "user.enrol", source)
        uow.commit()
    return Enrolment(username, secret, totp_uri(secret, username))


def begin_login(
    desk: Desk, username: str, password: str, source: str, *, acknowledged: bool = False
) -> str:
    """The password step: a login ticket to complete with a TOTP code, or NotAuthenticated.

    An unknown name, a wrong password, and a locked or disabled account all get the same
    answer after the same work: whether an account exists or is locked is told only once the
    password and the code are right (at the code step), never to someone guessing. A client
    address that failed too often waits (``Throttled``), before anything is counted against
    an account. ``acknowledged``: the caller accepted the system-use notice (on record)."""
    now = desk.clock.now()
    notice = {"notice": "acknowledged"} if acknowledged else {}
    with desk.uow() as uow:
        user = uow.users.by_username(username)
        creds = uow.accounts.credentials(user.id) if user else None
        check_source(uow, user, source, "login.password", now)
        if user is None or creds is None:
            verify_password(_decoy_hash(), password)  # the same work as for a real account
            uow.accounts.add_failure(None, now, source)
            typed = {"typed_name": keyed_digest(desk.name_key, username)}
            error, detail = NotAuthenticated(WRONG_CREDENTIALS), typed
            refuse(uow, error, "anonymous", None, source, detail | notice, "login.password")
        right = verify_password(creds.password_hash, password)
        if not right and usable(user, creds, now):
            count_failure(uow, user, creds, source, "password")
        if not right:  # locked or disabled: the answer of a wrong password, the reason on record
            uow.accounts.add_failure(user.id, now, source)
            detail = {"step": "password", "reason": _unusable(user, creds, now)} | notice
            error = NotAuthenticated(WRONG_CREDENTIALS)
            refuse(uow, error, user.username, user, source, detail, "login.password", "denied")
        ticket = new_session_token()
        uow.accounts.add_ticket(LoginTicket(token_digest(ticket), user.id, now))
        record_account(uow, user.username, user, "login.password", source, detail=notice or None)
        uow.commit()
    return ticket


def check_source(
    uow: UnitOfWork, user: User | None, source: str, action: str, now: datetime
) -> None:
    """Refuse (on record, counted against no account) an address that failed too often."""
    failures = uow.accounts.failures_from(source, now - THROTTLE.window)
    on_account = [at for who, at in failures if user is not None and who == user.id]
    wait = THROTTLE.refuses(on_account, [at for _, at in failures], now)
    if wait is None:
        return
    seconds = int(wait.total_seconds()) + 1
    error = Throttled(
        f"too many failed sign-ins from this address: wait {seconds // 60 + 1} minutes and "
        "try again, or ask an administrator",
        seconds,
    )
    detail = {"reason": "throttled", "retry_after": seconds}
    refuse(uow, error, user.username if user else "anonymous", user, source, detail, action)


def complete_login(desk: Desk, ticket: str, code: str, source: str) -> tuple[str, Principal]:
    """The TOTP step: a new session token (never the one from before) and who it is."""
    now = desk.clock.now()
    with desk.uow() as uow:
        found = uow.accounts.ticket(token_digest(ticket))
        if found is None or found.used_at or now - found.created_at >= TICKET_LIFETIME:
            error = NotAuthenticated(TICKET_EXPIRED)
            refuse(uow, error, "anonymous", None, source, {"step": "code"}, "login.code")
        user, creds = account_of(uow, found.user_id, source, "code")
        check_source(uow, user, source, "login.code", now)
        step = verify_totp(creds.totp_secret, code, at=now, last_used_step=creds.totp_last_step)
        # An authenticator is set up only with the enrolment code (``enrolment``), given with
        # this very ticket: a seed known some other way enrols nothing.
        first_time = not creds.mfa_enrolled and not found.enrolling
        if first_time or step is None or not uow.accounts.take_totp_step(user.id, step):
            count_failure(uow, user, creds, source, "code")
        require_usable(uow, user, creds, source, "code")  # told only to who has both factors
        if not uow.accounts.use_ticket(found.digest, now):
            # Another request completed this sign-in at the same moment: one session only.
            error = NotAuthenticated(TICKET_EXPIRED)
            uow.rollback()
            refuse(uow, error, user.username, user, source, {"step": "code"}, "login.code")
        creds.totp_last_step, creds.mfa_enrolled = step, True
        uow.accounts.save_credentials(creds)
        uow.accounts.clear_failures(user.id)
        uow.users.record_activity(user.id, utc_day(now))  # once a day: the inactivity clock
        token = new_session_token()
        uow.accounts.add_session(Session(token_digest(token), user.id, now, now))
        enrolled = {"authenticator": "enrolled"} if found.enrolling else None
        record_account(uow, user.username, user, "login.code", source, detail=enrolled)
        principal = principal_of(uow, user, token_digest(token))
        uow.commit()
    return token, principal


def authenticate(desk: Desk, token: str, source: str) -> Principal:
    """Who holds this session token, if the session is still alive (30 minutes idle, 12 hours
    in all); each use counts as activity. A unit of work of its own: see ``authenticate_in``."""
    with desk.uow() as uow:
        principal = authenticate_in(uow, token, source)
        uow.commit()
    return principal


def authenticate_in(uow: UnitOfWork, token: str, source: str) -> Principal:
    """``authenticate`` inside a unit of work the caller goes on using, so that a request can
    authenticate and read in one transaction; the caller commits it (the recorded activity
    commits with it). A refusal commits its own audit entry (and the end of the session) in
    ``uow`` before it is raised, so ``uow`` must hold nothing else yet.

    Activity is recorded at most once every ``TOUCH_EVERY``: a request whose session was
    last recorded as active less than that ago writes nothing, so the common request is a
    read-only transaction. The idle limit counts from the recorded activity, which is at most
    ``TOUCH_EVERY`` older than the last request: a session may end up to that much earlier
    than 30 minutes after its last request, never later (CJIS AC-11 allows no more than 30)."""
    now, digest = uow.audit.now(), token_digest(token)
    found = uow.accounts.signed_in(digest)
    if found is None or found.session.ended_at is not None:
        error = NotAuthenticated(SIGN_IN_AGAIN["unknown"])
        refuse(uow, error, "anonymous", None, source, None, "session.refused")
    session, user = found.session, found.user
    expiry = SESSIONS.is_expired(session.created_at, session.last_seen_at, now)
    reason: str | None = expiry or (None if user and user.active else "disabled")
    if reason is None and user is not None and has_ended(user.ends_at, now):
        reason = "ended"
    if reason is not None or user is None:
        uow.accounts.end_session(digest, now, reason or "disabled")
        detail = {"reason": reason or "disabled"}
        error = NotAuthenticated(SIGN_IN_AGAIN[reason or "disabled"])
        refuse(uow, error, audit.SYSTEM, user, source, detail, "session.end")
    if now - session.last_seen_at >= TOUCH_EVERY:
        uow.accounts.touch_session(digest, now)
    uow.narrow_to(user.agency_id)
    # Unreachable: a user's agency always exists (a foreign key, no agency is ever removed)
    # and the agency directory is readable to every transaction, so the join that found the
    # session found its kind; this only narrows the type, at the cost of one more read.
    if found.agency_kind is None:  # pragma: no cover
        return principal_of(uow, user, digest)
    return Principal(
        user.id, user.username, user.agency_id, found.agency_kind, user.roles, "session",
        session=digest,
    )  # fmt: skip


def logout(desk: Desk, token: str, source: str) -> None:
    """End the session: its token is worthless from now on, wherever it was copied."""
    digest = token_digest(token)
    with desk.uow() as uow:
        session = uow.accounts.session(digest)
        if session is None or session.ended_at is not None:
            return
        uow.accounts.end_session(digest, desk.clock.now(), "logout")
        user = uow.users.get(session.user_id)
        actor = user.username if user else session.user_id
        record_account(uow, actor, user, "logout", source)
        uow.commit()


def principal_at_command_line(desk: Desk, username: str) -> Principal:
    """The user a command line acts for (``--as``): the operator holds the database and names
    them; their roles and agency decide what the commands may do and show."""
    with desk.uow() as uow:
        user = user_named(uow, username)
        if not user.active:
            raise NotPermitted(SIGN_IN_AGAIN["disabled"])
        if has_ended(user.ends_at, desk.clock.now()):
            raise NotPermitted(SIGN_IN_AGAIN["ended"])
        found = principal_of(uow, user)
        uow.narrow_to(user.agency_id)
    return Principal(found.user_id, found.username, found.agency_id, found.agency_kind,
                     found.roles, "cli")  # fmt: skip


def user_named(uow: UnitOfWork, username: str) -> User:
    user = uow.users.by_username(username)
    if user is None:
        raise NotFound("user", username)
    return user


def principal_of(uow: UnitOfWork, user: User, session: str = "") -> Principal:
    kind = agency(uow, user.agency_id).kind
    return Principal(
        user.id, user.username, user.agency_id, kind, user.roles, "session", session=session
    )


def account_of(
    uow: UnitOfWork, user_id: str, source: str, step: str, action: str = ""
) -> tuple[User, Credentials]:
    """The account a live ticket was given to; if it was removed since (a temporary account
    swept away in the middle of its sign-in), the sign-in is over, and that is on record like
    any other refused step."""
    user, creds = uow.users.get(user_id), uow.accounts.credentials(user_id)
    if user is None or creds is None:
        error = NotAuthenticated(TICKET_EXPIRED)
        refuse(uow, error, "anonymous", None, source, {"step": step}, action or f"login.{step}")
    return user, creds


def usable(user: User, creds: Credentials, now: datetime) -> bool:
    return user.active and not creds.locked and not has_ended(user.ends_at, now)


def _unusable(user: User, creds: Credentials, now: datetime) -> str:
    if creds.locked:
        return "locked"
    return "ended" if user.active and has_ended(user.ends_at, now) else "disabled"


def require_usable(
    uow: UnitOfWork, user: User, creds: Credentials, source: str, step: str, action: str = ""
) -> None:
    """Refuse (on record) an account that is locked or disabled."""
    action, name = action or f"login.{step}", user.username
    error: NotAuthenticated
    if creds.locked:
        error = AccountLocked(
            f"account {name} is locked after too many failed sign-ins: an"
            f" administrator must unlock it (lexdesk users unlock {name})"
        )
        detail = {"step": step, "reason": "locked"}
        refuse(uow, error, name, user, source, detail, action, "denied")
    if not user.active:
        error = NotAuthenticated(SIGN_IN_AGAIN["disabled"])
        detail = {"step": step, "reason": "disabled"}
        refuse(uow, error, name, user, source, detail, action, "denied")
    if has_ended(user.ends_at, uow.audit.now()):
        error = NotAuthenticated(SIGN_IN_AGAIN["ended"])
        detail = {"step": step, "reason": "ended"}
        refuse(uow, error, name, user, source, detail, action, "denied")


def count_failure(
    uow: UnitOfWork, user: User, creds: Credentials, source: str, step: str, action: str = ""
) -> NoReturn:
    """A failed step counts towards the lock (CJIS AC-7), whichever factor was wrong; so does
    a wrong password or code when confirming who one is (``action`` names that)."""
    now = uow.audit.now()
    uow.accounts.add_failure(user.id, now, source)
    action = action or f"login.{step}"
    record_account(uow, user.username, user, action, source, "failure", {"step": step})
    if not creds.locked and LOCKOUT.should_lock(uow.accounts.failures(user.id), now):
        creds.locked, creds.locked_at = True, now
        uow.accounts.save_credentials(creds)
        record_account(uow, audit.SYSTEM, user, "user.lock", source)
    uow.commit()
    raise NotAuthenticated(WRONG_ANSWER.get(step, WRONG_CODE))


def refuse(
    uow: UnitOfWork,
    error: NotAuthenticated,
    actor: str,
    user: User | None,
    source: str,
    detail: dict[str, Any] | None = None,
    action: str = "login",
    outcome: Outcome = "failure",
) -> NoReturn:
    """Put the refusal on record, commit that alone, and raise."""
    record_account(uow, actor, user, action, source, outcome, detail)
    uow.commit()
    raise error


def record_account(
    uow: UnitOfWork,
    actor: str,
    user: User | None,
    action: str,
    source: str,
    outcome: Outcome = "success",
    detail: dict[str, Any] | None = None,
) -> None:
    audit.record(
        uow,
        actor=actor,
        agency=user.agency_id if user else "",
        action=action,
        object_type="user",
        object_id=user.id if user else "",
        outcome=outcome,
        source=source,
        detail=detail,
    )


@cache
def _decoy_hash() -> str:
    return hash_password("a decoy that no account has: it only costs the same time")
