"""What the desk keeps about a person's ability to sign in, and about a system's API token.

The rules for each secret are in ``credentials``; these are the records that carry their state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from lexdesk.domain.agencies import User
from lexdesk.domain.vocabulary import AgencyKind

#: What an API token may be allowed to do. A token names each one it needs (least privilege).
API_SCOPES = frozenset(
    {
        "cases:read",
        "instruments:read",
        "instruments:write",
        "persons:read",
        "persons:write",
        "audit:read",
    }
)


@dataclass
class Credentials:
    """A user's password hash and TOTP seed, with the lockout state (CJIS AC-7)."""

    user_id: str
    password_hash: str
    totp_secret: str
    totp_last_step: int | None = None
    mfa_enrolled: bool = False
    locked: bool = False
    locked_at: datetime | None = None
    #: The SHA-256 of the one-time code that lets the account set up its authenticator
    #: (``domain.enrolment``), until it is used or expires.
    enrolment_digest: str | None = None
    enrolment_expires_at: datetime | None = None


@dataclass(frozen=True)
class LoginTicket:
    """Proof that the password step passed; only a TOTP code turns it into a session."""

    digest: str
    user_id: str
    created_at: datetime
    used_at: datetime | None = None
    #: The enrolment code was given with this ticket: the new authenticator's key may be shown
    #: to its holder until the sign-in completes (never to another ticket).
    enrolling: bool = False


@dataclass(frozen=True)
class Session:
    """A signed-in user, known to the server by the digest of the token the client holds."""

    token_digest: str
    user_id: str
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None = None
    end_reason: str | None = None
    #: When its holder last confirmed who they are (password and a fresh code) in it.
    confirmed_at: datetime | None = None


@dataclass(frozen=True)
class SignedIn:
    """A session with its user and the kind of the user's agency, as one read finds them:
    what every request needs to know who is asking."""

    session: Session
    user: User | None
    agency_kind: AgencyKind | None


@dataclass(frozen=True)
class ApiToken:
    """A system's credential, owned by an agency: scoped, expiring and revocable."""

    id: str
    digest: str
    agency_id: str
    created_by: str
    name: str
    scopes: frozenset[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    #: The last day it was used (written at most once a day): unused 90 days, it is revoked.
    last_used_on: date | None = None
