"""Work at the desk: who of an agency works an instrument or a case, the agency's own notes on a
case, and how near a due date is.

Each party keeps its own side: an assignment and a note belong to one agency, and no other
agency ever reads them (docs/adr/0017-work-management.md). A due date's urgency is computed
from the due date the disclosure policy lets the reading agency see, never from another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from lexdesk.domain.errors import InvalidInput

#: A note is a working remark, not a brief: long enough for a paragraph, short enough to read.
NOTE_MAX = 2000
#: "Due soon": within this much of now.
DUE_SOON = timedelta(hours=48)
#: A list's search may name a person, so it is kept on the desk, not in the address: the
#: address carries only an opaque id, good for its user alone and for this long.
SEARCH_MAX = 200
SEARCH_KEPT = timedelta(days=30)


class WorkObject(StrEnum):
    INSTRUMENT = "instrument"
    CASE = "case"


@dataclass(frozen=True)
class Assignment:
    """Who of ``agency_id`` works the object; one per object and agency, replaced on reassign."""

    object_type: WorkObject
    object_id: str
    agency_id: str
    assignee_id: str
    assigned_by: str
    assigned_at: datetime


@dataclass(frozen=True)
class Note:
    """A remark of one agency on a case, for its own eyes. Notes are added, never changed."""

    id: str
    case_id: str
    agency_id: str
    author: str
    at: datetime
    text: str


@dataclass(frozen=True)
class SavedSearch:
    """What a user searched a list for, behind an id that a bookmark can hold."""

    id: str
    user_id: str
    text: str
    at: datetime

    def live(self, now: datetime) -> bool:
        return now - self.at <= SEARCH_KEPT


#: A form's draft lives a working day: long enough to review and send, or to go Back to.
DRAFT_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class FormDraft:
    """What a user typed into a form, kept on the desk between the POST and the GET that shows
    it (checked, or for review), so that no page is the answer to a POST and Back never posts
    again. ``sent_to`` is where the form led once it was sent; ``said`` is what the desk answered
    a refused form (its ``errors`` by field, and what else the page shows of the refusal)."""

    id: str
    user_id: str
    form: str
    fields: dict[str, tuple[str, ...]]
    at: datetime
    sent_to: str | None = None
    said: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> dict[str, str]:
        found = self.said.get("errors", {})
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}

    def live(self, now: datetime) -> bool:
        return now - self.at <= DRAFT_KEPT


def check_search(text: str) -> str:
    cleaned = " ".join(text.split())
    if len(cleaned) > SEARCH_MAX:
        raise InvalidInput(f"the search is longer than {SEARCH_MAX} characters: shorten it")
    return cleaned


def check_note(text: str) -> str:
    """The note as it will be kept, or a refusal saying what to change."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput("the note is empty: write what the next person should know")
    if len(cleaned) > NOTE_MAX:
        raise InvalidInput(
            f"the note is {len(cleaned)} characters long: shorten it to {NOTE_MAX} or fewer"
        )
    return cleaned


class Urgency(StrEnum):
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    DUE_SOON = "due_soon"


URGENCY_LABELS = {
    Urgency.OVERDUE: "Overdue",
    Urgency.DUE_TODAY: "Due today",
    Urgency.DUE_SOON: "Due within 48 h",
}


def urgency(due_at: datetime | None, is_open: bool, now: datetime, tz: ZoneInfo) -> Urgency | None:
    """How pressing an open instrument's due date is, on the reader's calendar: past due,
    due later today, or due within 48 hours. ``due_at`` must be the due date the reader may
    see (``domain.visibility``): a withheld date is None here, and marks nothing."""
    if due_at is None or not is_open:
        return None
    if due_at < now:
        return Urgency.OVERDUE
    if due_at.astimezone(tz).date() == now.astimezone(tz).date():
        return Urgency.DUE_TODAY
    if due_at <= now + DUE_SOON:
        return Urgency.DUE_SOON
    return None
