"""A published report: one edition of one report for one agency and period, as it was
published and never changed. A correction is the next edition, with a note saying what changed
and why; the earlier editions stay readable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.limits import REASON_MAX, within

NOTE_MIN = 10


@dataclass(frozen=True)
class PublishedReport:
    id: str
    report_id: str
    report_version: str
    agency_id: str
    period: str
    edition: int
    watermark_event_id: int
    watermark_at: datetime | None
    digest: str
    #: The computed report as published (``results.ComputedReport.to_json``).
    document: dict[str, Any]
    note: str
    published_by: str
    published_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "edition": self.edition,
            "note": self.note or None,
            "published_at": self.published_at.isoformat(),
            "published_by": self.published_by,
            **self.document,
        }


def next_edition(previous: PublishedReport | None, digest: str, note: str) -> int:
    """The edition a new publication would be, or why it may not be published: the same
    figures again need no new edition, and a correction says what it corrects."""
    note = note.strip()
    if note and len(note) > REASON_MAX:
        within(note, REASON_MAX, "note")
    if previous is None:
        return 1
    if previous.digest == digest:
        raise InvalidInput(
            f"edition {previous.edition} of {previous.report_id} {previous.period} was published "
            "with these very figures: there is nothing to correct"
        )
    if len(note) < NOTE_MIN:
        raise InvalidInput(
            f"edition {previous.edition} of {previous.report_id} {previous.period} is published "
            f"and never changes: a correction is edition {previous.edition + 1} and needs a note "
            f"of at least {NOTE_MIN} characters saying what changed (--note)"
        )
    return previous.edition + 1
