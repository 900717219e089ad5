"""Which period a report's schedule publishes on a given day (domain.reports.schedule)."""

from __future__ import annotations

from datetime import date

import pytest

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.reports.definitions import PeriodKind
from lexdesk.domain.reports.schedule import checked_delay, due_period, label_of

LONG_AGO = date(2000, 1, 1)


@pytest.mark.parametrize(
    ("kind", "today", "delay", "expected"),
    [
        (PeriodKind.CALENDAR_YEAR, date(2021, 1, 31), 30, "2020"),
        (PeriodKind.CALENDAR_YEAR, date(2021, 1, 30), 30, "2019"),  # 2020's day not yet come
        (PeriodKind.CALENDAR_YEAR, date(2021, 1, 1), 0, "2020"),
        (PeriodKind.FISCAL_YEAR, date(2020, 7, 31), 30, "FY2020"),
        (PeriodKind.FISCAL_YEAR, date(2020, 7, 30), 30, "FY2019"),
        (PeriodKind.QUARTER, date(2020, 4, 15), 14, "2020-Q1"),
        (PeriodKind.QUARTER, date(2020, 4, 14), 14, "2019-Q4"),
        (PeriodKind.QUARTER, date(2021, 1, 1), 0, "2020-Q4"),
    ],
)
def test_the_last_period_closed_long_enough_ago_is_due(
    kind: PeriodKind, today: date, delay: int, expected: str
) -> None:
    due = due_period(kind, today, delay, LONG_AGO)
    assert due is not None and due.label == expected


def test_a_schedule_never_publishes_a_period_whose_day_had_passed_when_it_was_made() -> None:
    # 2020 was due on 31 January 2021; a schedule made in February leaves it to the hand.
    assert due_period(PeriodKind.CALENDAR_YEAR, date(2021, 3, 1), 30, date(2021, 2, 1)) is None
    made_on_the_day = due_period(PeriodKind.CALENDAR_YEAR, date(2021, 3, 1), 30, date(2021, 1, 31))
    assert made_on_the_day is not None and made_on_the_day.label == "2020"


def test_every_day_falls_in_exactly_the_period_its_label_names() -> None:
    assert label_of(date(2020, 6, 30), PeriodKind.FISCAL_YEAR) == "FY2020"
    assert label_of(date(2020, 7, 1), PeriodKind.FISCAL_YEAR) == "FY2021"
    assert label_of(date(2020, 12, 31), PeriodKind.QUARTER) == "2020-Q4"


@pytest.mark.parametrize("days", [-1, 366])
def test_a_delay_outside_a_year_is_refused(days: int) -> None:
    with pytest.raises(InvalidInput, match="from 0 to 365 days"):
        checked_delay(days)
