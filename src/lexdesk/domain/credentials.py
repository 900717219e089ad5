"""Account credentials: the password policy, password hashing, TOTP, tokens, lockout and session
timing (CJIS IA-2, IA-5, AC-7, AC-11; OWASP ASVS V6 and V7).

Times are arguments. Randomness enters only through the makers of secrets and tokens (``secrets``),
and the list of common passwords is read from package data on first use, never at import.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Literal

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lexdesk.domain.errors import InvalidInput

REFUSED_AS_COMMON = "this password is on the list of commonly used passwords; choose another"
# A one- or two-letter user id would forbid most passwords without making any of them safer.
SHORTEST_USERNAME_CHECKED = 3


def _fold(text: str) -> str:
    """The form in which passwords are compared: NFKC, then case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, folded; read once, on first use."""
    data = resources.files("lexdesk.domain").joinpath("data/common-passwords.txt")
    lines = data.read_text(encoding="utf-8").split("\n")
    # Only the leading block of "#" lines is a header: later entries may start with "#".
    first = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    return frozenset(_fold(line) for line in lines[first:] if line)


#: A password's length in code points after NFKC normalisation, as the policy counts it.
PASSWORD_MIN, PASSWORD_MAX = 8, 256


@dataclass(frozen=True)
class PasswordPolicy:
    """NIST SP 800-63B as CJIS IA-5(1)(a) and ASVS 6.2 put it: a minimum length, long
    passphrases welcome, no composition rules, no truncation, and no common passwords."""

    min_length: int = PASSWORD_MIN
    max_length: int = PASSWORD_MAX
    blocklist: frozenset[str] = field(default_factory=common_passwords, repr=False)

    def __post_init__(self) -> None:
        # Fold a caller's own list too, so that "Password1" on it still refuses "password1".
        object.__setattr__(self, "blocklist", frozenset(map(_fold, self.blocklist)))

    def check(self, password: str, *, username: str) -> None:
        """Raise InvalidInput, with the reason, unless ``password`` may be chosen by ``username``.
        Length is counted in code points after NFKC normalisation, as the hash sees it."""
        length = len(normalise_password(password))
        if length < self.min_length:
            raise InvalidInput(
                f"this password is {length} characters long; use at least {self.min_length}"
                " (a passphrase of a few words is long and easy to remember)"
            )
        if length > self.max_length:
            raise InvalidInput(
                f"this password is {length} characters long; use at most {self.max_length}"
            )
        folded = _fold(password)
        if folded in self.blocklist:
            raise InvalidInput(REFUSED_AS_COMMON)
        if _contains_username(folded, username):
            raise InvalidInput("this password contains your username; choose another")


def _contains_username(folded_password: str, username: str) -> bool:
    names = {_fold(username), _fold(username.partition("@")[0])}
    return any(len(name) >= SHORTEST_USERNAME_CHECKED and name in folded_password for name in names)


def normalise_password(password: str) -> str:
    """NFKC, so that one passphrase typed on different keyboards or input methods is one
    secret (NIST SP 800-63B §5.1.1.2). Case and spaces are kept: they are part of it."""
    return unicodedata.normalize("NFKC", password)


# argon2id with argon2-cffi's defaults, RFC 9106's second recommended profile: 3 passes over
# 64 MiB with 4 lanes, a 16-byte random salt and a 32-byte tag. The parameters travel inside
# each hash, so raising them later only makes needs_rehash true for older hashes.
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return _HASHER.hash(normalise_password(password))


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, normalise_password(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when ``stored_hash`` was made with weaker parameters than today's: after a
    successful login, hash the password again and store the new hash."""
    return _HASHER.check_needs_rehash(stored_hash)


# TOTP (RFC 6238): 30-second steps, 6 digits, HMAC-SHA1, as every authenticator app does.
TOTP_STEP = 30
_TOTP_CODE = re.compile(r"[0-9]{6}")


def new_totp_secret() -> str:
    """32 base32 characters: 160 random bits, the key length RFC 4226 recommends."""
    return str(pyotp.random_base32())


def totp_uri(secret: str, account: str, issuer: str = "lexdesk") -> str:
    """The ``otpauth://`` URI that an authenticator app reads from a QR code."""
    return str(pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer))


def totp_step(at: datetime) -> int:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"time {at.isoformat()} has no time zone: pass an aware time")
    return int(at.timestamp()) // TOTP_STEP


def verify_totp(secret: str, code: str, *, at: datetime, last_used_step: int | None) -> int | None:
    """The time step of ``code`` if it is valid at ``at``, else None. Store the step and pass it
    back as ``last_used_step``: a code, or an older one, is accepted only once (ASVS 6.5.1).

    Only the current step is accepted, no step either side: ASVS 6.5.5 allows a TOTP to live
    at most 30 seconds, and with synchronised clocks (ASVS 16.2.2) the cost is that a code
    typed as it rolls over is refused, and the user types the next one.
    """
    if not _TOTP_CODE.fullmatch(code):
        return None
    step = totp_step(at)
    if last_used_step is not None and step <= last_used_step:
        return None
    expected = str(pyotp.TOTP(secret).generate_otp(step))
    return step if hmac.compare_digest(expected, code) else None


# Tokens: 256 random bits (ASVS 7.2.3 asks for at least 128, CJIS IA-5 for 64). They are stored
# only as SHA-256 digests; a slow hash buys nothing against a secret that cannot be guessed.
API_TOKEN_PREFIX = "lxd_"  # noqa: S105 (a prefix, not a secret)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    """The prefix lets secret scanners and people recognise a leaked lexdesk token."""
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LockoutPolicy:
    """CJIS AC-7: lock after five invalid logon attempts within 15 minutes, until an
    administrator releases the account."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)

    def should_lock(self, failure_times: Iterable[datetime], now: datetime) -> bool:
        """``failure_times``: the account's failed attempts since its last success.
        A failure exactly ``window`` ago still counts; one stamped after ``now`` counts too,
        since a clock that disagrees must not unlock anything."""
        since = now - self.window
        return sum(1 for failed_at in failure_times if failed_at >= since) >= self.max_failures


@dataclass(frozen=True)
class SourceThrottle:
    """Failed sign-ins counted per client address, so that one address can neither lock an
    account (it may fail at most ``per_account`` times on one account in the lock's window,
    fewer than the lock needs) nor try password after password across accounts."""

    per_account: int = 3
    per_source: int = 30
    window: timedelta = timedelta(minutes=15)

    def refuses(
        self, on_account: Iterable[datetime], from_source: Iterable[datetime], now: datetime
    ) -> timedelta | None:
        """How long to wait, or None: ``on_account`` are this address's failures on this
        account, ``from_source`` all of its failures."""
        since = now - self.window
        for times, limit in ((on_account, self.per_account), (from_source, self.per_source)):
            recent = sorted(t for t in times if t >= since)
            if len(recent) >= limit:
                return max(recent[-limit] + self.window - now, timedelta(seconds=1))
        return None


#: CJIS AC-8: what the sign-in page shows, and what the API's sign-in has the caller accept.
SYSTEM_USE_NOTICE = (
    "You are accessing a restricted information system.",
    "System usage may be monitored, recorded, and subject to audit.",
    "Unauthorized use of the system is prohibited and may be subject to criminal and civil "
    "penalties.",
    "Use of the system indicates consent to monitoring and recording.",
)


@dataclass(frozen=True)
class SessionPolicy:
    """CJIS IA-5 and AC-11: sign in again after 30 minutes idle, and at least every 12 hours."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)

    def is_expired(
        self, created_at: datetime, last_seen_at: datetime, now: datetime
    ) -> Literal["idle", "absolute"] | None:
        """Why the session has ended at ``now``, or None while it is alive. The limits are
        inclusive: CJIS says "30 minutes or longer"."""
        if now - created_at >= self.absolute:
            return "absolute"
        if now - last_seen_at >= self.idle:
            return "idle"
        return None


def keyed_digest(key: bytes, text: str) -> str:
    """HMAC-SHA-256 of ``text`` under ``key``, shortened: the same text gives the same value,
    and no one without the key can test guesses against it."""
    return hmac.new(key, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]
