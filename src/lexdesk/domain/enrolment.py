"""The one-time enrolment code that lets a new account (or one whose second factor was reset)
set up its authenticator (docs/accounts.md).

An administrator who makes the account is shown the code once and gives it to its holder by
another way than the password (in person, by telephone): whoever has only the password, or
only the code, cannot enrol an authenticator. The code is 128 random bits, typed in base32 in
groups of four; the desk keeps only its SHA-256 (a slow hash buys nothing against a secret that
cannot be guessed), spends it at its first use and refuses it after ``CODE_LIFETIME``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

CODE_LIFETIME = timedelta(hours=72)
_GROUP = 4


def new_enrolment_code() -> str:
    """``ABCD-EFGH-...``: 26 base32 characters (128 bits) in groups, easy to read aloud."""
    text = base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=")
    return "-".join(text[i : i + _GROUP] for i in range(0, len(text), _GROUP))


def enrolment_digest(code: str) -> str:
    """The digest kept of a code, as typed in any case, with or without spaces and dashes."""
    folded = "".join(c for c in code.upper() if c.isalnum())
    return hashlib.sha256(folded.encode("ascii", "replace")).hexdigest()


def code_accepted(
    kept_digest: str | None, expires_at: datetime | None, code: str, now: datetime
) -> bool:
    """Whether ``code`` is the account's live enrolment code."""
    if kept_digest is None or expires_at is None or now >= expires_at:
        return False
    return hmac.compare_digest(kept_digest, enrolment_digest(code))
