"""How near a due date is, on the reader's calendar, and what a note may hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.work import NOTE_MAX, Urgency, check_note, urgency

NY = ZoneInfo("America/New_York")
NOW = datetime(2020, 1, 14, 15, 0, tzinfo=UTC)  # 10:00 in New York


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (NOW - timedelta(minutes=1), Urgency.OVERDUE),
        (NOW + timedelta(minutes=1), Urgency.DUE_TODAY),
        (datetime(2020, 1, 15, 4, 59, tzinfo=UTC), Urgency.DUE_TODAY),  # 23:59 in New York
        (datetime(2020, 1, 15, 5, 0, tzinfo=UTC), Urgency.DUE_SOON),  # midnight there
        (NOW + timedelta(hours=48), Urgency.DUE_SOON),
        (NOW + timedelta(hours=48, minutes=1), None),
    ],
)
def test_an_open_instruments_due_date_is_marked_on_the_readers_calendar(
    due: datetime, expected: Urgency | None
) -> None:
    assert urgency(due, True, NOW, NY) is expected


def test_nothing_is_marked_without_a_shown_date_or_once_answered() -> None:
    assert urgency(None, True, NOW, NY) is None  # a withheld due date marks nothing
    assert urgency(NOW - timedelta(days=1), False, NOW, NY) is None


def test_a_note_is_trimmed_and_limited() -> None:
    assert check_note("  keep this  ") == "keep this"
    assert len(check_note("x" * NOTE_MAX)) == NOTE_MAX
    with pytest.raises(InvalidInput, match="empty"):
        check_note(" \n ")
    with pytest.raises(InvalidInput, match=f"shorten it to {NOTE_MAX}"):
        check_note("x" * (NOTE_MAX + 1))
