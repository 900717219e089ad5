"""The account lifecycle's rules (domain/account_lifecycle.py, domain/enrolment.py): the 90 days
of inactivity, a temporary account's end in its agency's day, a username kept from reuse for
365 days, the review's status, and the one-time enrolment code."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lexdesk.domain.account_lifecycle import (
    Dormant,
    check_end_date,
    check_not_reused,
    check_username,
    end_of,
    has_ended,
    is_inactive,
    last_day,
    quiet_since,
    review_status,
)
from lexdesk.domain.enrolment import (
    CODE_LIFETIME,
    code_accepted,
    enrolment_digest,
    new_enrolment_code,
)
from lexdesk.domain.errors import InvalidInput

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 1, 15, tzinfo=UTC)


def test_an_account_is_inactive_on_the_90th_day_without_a_sign_of_life() -> None:
    made, used = date(2026, 1, 1), date(2026, 3, 1)
    assert quiet_since(made, used, None) == used
    assert quiet_since(made, None, date(2026, 4, 1)) == date(2026, 4, 1)  # enabled since
    assert not is_inactive(used, used + timedelta(days=89))
    assert is_inactive(used, used + timedelta(days=90))
    assert quiet_since(made, None, None) == made  # never used: counts from its creation


def test_a_temporary_account_works_through_its_last_day_where_its_agency_is() -> None:
    ends = end_of(date(2027, 6, 30), NEW_YORK)
    assert ends == datetime(2027, 7, 1, 4, tzinfo=UTC)  # midnight in New York, in summer
    assert last_day(ends, NEW_YORK) == date(2027, 6, 30)
    assert not has_ended(ends, ends - timedelta(seconds=1)) and has_ended(ends, ends)
    assert not has_ended(None, NOW)
    assert check_end_date(date(2026, 12, 1), date(2026, 12, 1)) == date(2026, 12, 1)
    with pytest.raises(InvalidInput, match="the end date 2026-11-30 has passed"):
        check_end_date(date(2026, 11, 30), date(2026, 12, 1))
    with pytest.raises(InvalidInput, match="too far ahead"):  # 9999-12-31 has no day after
        check_end_date(date.max, date(2026, 12, 1))


def test_a_freed_username_is_refused_for_365_days_with_the_day_it_is_free_again() -> None:
    freed = NOW - timedelta(days=364)
    with pytest.raises(InvalidInput) as refused:
        check_not_reused("doc-clerk", freed, NOW)
    assert "not reused for 365 days" in str(refused.value)
    assert "free again on 2026-12-02" in str(refused.value)
    check_not_reused("doc-clerk", NOW - timedelta(days=365), NOW)
    check_not_reused("doc-clerk", None, NOW)
    with pytest.raises(InvalidInput, match="removed accounts"):
        check_username("removed-usr-0123456789abcdef")


def test_the_review_says_the_first_status_that_holds() -> None:
    def status(
        active: bool = True,
        locked: bool = False,
        removed: bool = False,
        ends_on: date | None = None,
    ) -> str:
        return review_status(active=active, locked=locked, removed=removed, ends_on=ends_on)

    assert status() == "active"
    assert status(ends_on=date(2027, 6, 30)) == "temporary until 2027-06-30"
    assert status(locked=True, ends_on=date(2027, 6, 30)) == "locked"
    assert status(active=False, locked=True) == "disabled"
    assert status(active=False, removed=True) == "removed"


def test_the_sweep_says_once_per_spell_of_inactivity_that_it_kept_an_account() -> None:
    quiet = date(2026, 1, 1)
    assert not Dormant("usr-1", "doc-admin", "doc", quiet).kept_already()
    assert Dormant("usr-1", "doc-admin", "doc", quiet, date(2026, 4, 1)).kept_already()
    # Used again since it was kept, then quiet again: a new spell, said again.
    assert not Dormant(
        "usr-1", "doc-admin", "doc", date(2026, 5, 1), date(2026, 4, 1)
    ).kept_already()


def test_an_enrolment_code_is_128_random_bits_kept_only_as_a_digest() -> None:
    code = new_enrolment_code()
    assert re.fullmatch(r"([A-Z2-7]{4}-){6}[A-Z2-7]{2}", code)
    assert code != new_enrolment_code()
    digest = enrolment_digest(code)
    assert code not in digest and len(digest) == 64
    typed = code.lower().replace("-", " ")  # read aloud, typed as heard
    assert enrolment_digest(typed) == digest
    expires = NOW + CODE_LIFETIME
    assert timedelta(hours=72) == CODE_LIFETIME
    assert code_accepted(digest, expires, typed, NOW)
    assert not code_accepted(digest, expires, typed, expires)
    assert not code_accepted(digest, expires, new_enrolment_code(), NOW)
    assert not code_accepted(None, None, code, NOW)
