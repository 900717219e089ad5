"""The suite-wide check of audit row content (tests/audit_rows.py) catches each missing or
malformed field, so that a test writing such a row fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.audit_rows import row_problems

GOOD = {
    "seq": 1,
    "at": datetime(2020, 1, 17, 15, 0, 5, 420_000, tzinfo=UTC),
    "actor": "doc-admin",
    "agency": "doc",
    "action": "user.unlock",
    "object_type": "user",
    "object_id": "usr-1",
    "outcome": "success",
    "source": "203.0.113.7",
    "detail": {},
    "prev_hash": "0" * 64,
    "hash": "a" * 64,
    "component": "web",
    "client": "Mozilla/5.0 (X11; Linux x86_64)",
    "receiving_agency": "",
}


def test_a_complete_row_passes() -> None:
    assert row_problems(GOOD) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("outcome", "maybe"),
        ("at", datetime(2020, 1, 17, 15, 0, 5, 421_000, tzinfo=UTC)),  # thousandths
        ("at", datetime(2020, 1, 17, 15, 0, 5, tzinfo=timezone(timedelta(hours=-5)))),
        ("at", "2020-01-17T15:00:05.42Z"),
        ("source", ""),
        ("actor", ""),
        ("action", "Unlock user"),
        ("object_type", ""),
        ("object_id", ""),  # a success names its object
        ("detail", "[]"),
        ("hash", "xyz"),
        ("component", ""),  # every entry says where it came in
        ("component", "telnet"),
        ("client", "forged\nline"),
        ("receiving_agency", "Some Agency"),
    ],
)
def test_a_row_missing_content_is_caught(field: str, value: object) -> None:
    assert row_problems(GOOD | {field: value}) != []


def test_a_row_without_a_field_is_caught() -> None:
    row = dict(GOOD)
    del row["source"]
    assert row_problems(row) == ["source missing"]
