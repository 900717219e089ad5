"""Idempotency keys: a client that sends a POST again with the same ``Idempotency-Key`` (after
a timeout, a dropped connection) gets the first answer, not a second instrument.

A key belongs to one account and one request: the same key with another method, path or body
is refused, so a reused key cannot quietly answer something else. It is kept 24 hours. While
the first request runs, a second one with its key is told to retry; a claim left behind by a
request that died (no answer after two minutes) is taken over. Only successful answers are
kept: a refused request changed nothing, and sending it again is answered afresh.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from lexdesk.domain.errors import InvalidInput, StillAnswering

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)
ABANDONED = timedelta(minutes=2)
KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as a UUID or a client's own id


@dataclass(frozen=True)
class Remembered:
    """What the desk keeps of a key: the request it came with and, once answered, the answer."""

    fingerprint: str
    created_at: datetime
    status: int | None = None  # None: the first request is still being answered
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Verdict(Enum):
    ANSWER = "answer"  # a new request: answer it, then remember the answer
    REPLAY = "replay"  # the same request again: send the remembered answer


def checked_key(value: str) -> str:
    if not KEY.match(value):
        raise InvalidInput(
            f"the {HEADER} header must be 1-255 visible ASCII characters (a UUID will do)"
        )
    return value


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join((method.encode(), path.encode(), body))).hexdigest()


def verdict(found: Remembered | None, print_: str, now: datetime) -> Verdict:
    """What to do with a request whose key the desk may already know."""
    if found is None or now - found.created_at >= KEEP:
        return Verdict.ANSWER
    if found.fingerprint != print_:
        raise InvalidInput(
            f"this {HEADER} was first sent with another request (method, path or body): "
            "send a new key for a new request"
        )
    if found.status is not None:
        return Verdict.REPLAY
    if now - found.created_at >= ABANDONED:
        return Verdict.ANSWER
    raise StillAnswering(
        f"a request with this {HEADER} is still being answered: retry in a few seconds"
    )
