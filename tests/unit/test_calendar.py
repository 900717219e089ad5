"""Business-day calendars: US federal public holidays plus one state's."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from importlib.metadata import version

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lexdesk.domain.calendar import WEEKEND, BusinessCalendar, calendar_for
from lexdesk.domain.errors import InvalidInput

NY = calendar_for("NY")
FEDERAL = calendar_for(None)


def test_version_names_the_library_release_and_the_place() -> None:
    assert NY.version == f"holidays {version('holidays')} US-NY"
    assert FEDERAL.version == f"holidays {version('holidays')} US"


def test_federal_holiday_is_not_a_business_day() -> None:
    mlk_day = date(2020, 1, 20)
    assert not FEDERAL.is_business_day(mlk_day)
    assert FEDERAL.holiday_name(mlk_day) == "Martin Luther King Jr. Day"
    assert FEDERAL.is_business_day(date(2020, 1, 21))


def test_state_holiday_counts_only_on_that_states_calendar() -> None:
    lincolns_birthday = date(2020, 2, 12)  # a Wednesday
    assert not NY.is_business_day(lincolns_birthday)
    assert NY.holiday_name(lincolns_birthday) == "Lincoln's Birthday"
    assert FEDERAL.is_business_day(lincolns_birthday)
    assert calendar_for("CA").is_business_day(lincolns_birthday)


def test_weekends_are_not_business_days_and_say_so() -> None:
    assert NY.non_business_reason(date(2020, 1, 11)) == WEEKEND
    assert NY.non_business_reason(date(2020, 1, 12)) == WEEKEND
    assert NY.non_business_reason(date(2020, 1, 13)) is None


def test_a_holiday_on_a_weekend_is_named_and_its_observed_day_is_off() -> None:
    assert FEDERAL.non_business_reason(date(2020, 7, 4)) == "Independence Day"
    assert FEDERAL.non_business_reason(date(2020, 7, 3)) == "Independence Day (observed)"


def test_one_off_executive_closures_do_not_count() -> None:
    # Christmas Eve 2020 was a federal closure by executive order (the "government" category),
    # not a public holiday: it stays a business day.
    assert FEDERAL.is_business_day(date(2020, 12, 24))


def test_business_days_after_skips_weekends_and_holidays() -> None:
    end, skipped = NY.walk_business_days(date(2020, 1, 7), 10)
    assert end == date(2020, 1, 22)
    assert skipped == (
        (date(2020, 1, 11), WEEKEND),
        (date(2020, 1, 12), WEEKEND),
        (date(2020, 1, 18), WEEKEND),
        (date(2020, 1, 19), WEEKEND),
        (date(2020, 1, 20), "Martin Luther King Jr. Day"),
    )
    assert NY.business_days_after(date(2020, 1, 10), 1) == date(2020, 1, 13)


def test_counting_zero_days_stays_put_and_negative_is_refused() -> None:
    assert NY.business_days_after(date(2020, 1, 11), 0) == date(2020, 1, 11)
    with pytest.raises(InvalidInput, match="give 0 or more"):
        NY.business_days_after(date(2020, 1, 11), -1)


def test_business_hours_count_only_on_business_days() -> None:
    end, skipped = FEDERAL.walk_business_hours(datetime(2020, 1, 9, 17), 48)
    assert end == datetime(2020, 1, 13, 17)
    assert [day for day, _ in skipped] == [date(2020, 1, 11), date(2020, 1, 12)]


def test_business_hours_need_a_wall_clock_time() -> None:
    with pytest.raises(InvalidInput, match="naive"):
        FEDERAL.walk_business_hours(datetime.fromisoformat("2020-01-09T17:00+00:00"), 48)


def test_calendar_for_accepts_any_case_and_none_means_federal_only() -> None:
    assert calendar_for(" ny ") == BusinessCalendar("US", "NY")
    assert calendar_for(None) == BusinessCalendar("US", None)


def test_unknown_state_is_refused_with_the_codes_to_use() -> None:
    with pytest.raises(InvalidInput, match=r"unknown state 'ZZ' for US: .*NY"):
        calendar_for("ZZ")


def test_unknown_country_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown country 'XX'"):
        BusinessCalendar("XX")


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    n=st.integers(min_value=0, max_value=60),
)
def test_business_days_after_counts_exactly_n_business_days(start: date, n: int) -> None:
    end, skipped = NY.walk_business_days(start, n)
    between = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(NY.is_business_day(day) for day in between) == n
    assert [day for day, _ in skipped] == [d for d in between if not NY.is_business_day(d)]
    assert n == 0 or NY.is_business_day(end)
