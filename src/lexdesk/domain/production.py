"""A production: the records an answer released, as paper the recipients can file and cite.

When a custodian's answer releases fields about a person (a ledger entry, ``domain.disclosure``),
the custodian produces them: one signed PDF with a cover sheet (what is produced, to whom, under
which instrument and which rule), the released fields as they stood when released, and every
record attached to the answer as an exhibit, each page numbered with the producing agency's
Bates prefix. Numbers are the agency's own, in one sequence, never reused: a production keeps
its range, so every copy of it, however often rendered, cites the same pages.

Who may hold one is the ledger's answer: the agency that produced it and the agencies the
release reached, no one else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from lexdesk.domain.disclosure import Release

#: Digits in a Bates number: a million pages per agency before the width changes.
BATES_DIGITS = 6


@dataclass(frozen=True)
class Exhibit:
    """One record attached to the answer, as it goes into the production."""

    attachment_id: str
    filename: str
    media_type: str
    sha256: str
    data: bytes


@dataclass(frozen=True)
class Production:
    id: str
    instrument_id: str
    release_id: str
    producer_agency_id: str
    recipients: tuple[str, ...]
    bates_prefix: str
    first: int
    last: int
    #: The answer's attachments produced, in order (their ids): frozen when produced, so
    #: every copy has the same pages.
    exhibits: tuple[str, ...]
    made_by: str
    at: datetime

    @property
    def pages(self) -> int:
        return self.last - self.first + 1

    @property
    def bates_range(self) -> str:
        return f"{bates(self.bates_prefix, self.first)} – {bates(self.bates_prefix, self.last)}"

    def may_hold(self, agency_id: str) -> bool:
        return agency_id == self.producer_agency_id or agency_id in self.recipients


def bates(prefix: str, number: int) -> str:
    """``NYC-DOC-000041``: the prefix and the page's number in the agency's sequence."""
    return f"{prefix}-{number:0{BATES_DIGITS}d}"


def prefix_of(agency_id: str) -> str:
    """An agency's Bates prefix, from its id: letters and digits, upper case, dash-joined."""
    cleaned = re.sub(r"[^A-Z0-9]+", "-", agency_id.upper()).strip("-")
    return cleaned[:20] or "LEXDESK"


def release_of(releases: list[Release], instrument_id: str) -> Release | None:
    """The ledger entry an answer to the instrument made, if it released anything."""
    found = [r for r in releases if r.instrument_id == instrument_id]
    return max(found, key=lambda r: r.at) if found else None
