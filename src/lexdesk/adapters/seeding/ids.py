"""Identifiers of the application's shape (``domain.ids.new_id``: a prefix, a dash and 16 hex
digits) that a seeding run can mint by the million without colliding.

The 16 digits are the run's tag (6 random digits, checked unused before the run starts) and a
counter (10 digits): ids of one run never meet ids of another, and an id the application drew
at random meets one of them as rarely as two of its own meet (64 bits either way). Counting up
also keeps each primary key's B-tree growing at its right edge, which is what lets COPY keep
the indexes up to date at full speed."""

from __future__ import annotations

import secrets
from collections import defaultdict

TAG_DIGITS = 6
COUNTER_DIGITS = 10
#: Every id prefix a seeding run mints (those of ``domain.ids.new_id``'s callers).
PREFIXES = ("usr", "per", "cus", "cas", "ins", "rel")


def new_tag() -> str:
    return secrets.token_hex(TAG_DIGITS // 2)


def id_range(prefix: str, tag: str) -> tuple[str, str]:
    """The lowest and highest id a run tagged ``tag`` can mint with ``prefix``."""
    return (
        f"{prefix}-{tag}{'0' * COUNTER_DIGITS}",
        f"{prefix}-{tag}{'f' * COUNTER_DIGITS}",
    )


class IdMint:
    """Ids for one run, one counter per prefix."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self._next: defaultdict[str, int] = defaultdict(int)

    def __call__(self, prefix: str) -> str:
        number = self._next[prefix]
        self._next[prefix] = number + 1
        return f"{prefix}-{self.tag}{number:0{COUNTER_DIGITS}x}"
