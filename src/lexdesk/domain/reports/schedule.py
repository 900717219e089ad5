"""A report published on a schedule: an agency's administrator says "publish this report each
time a period closes, so many days after it ends" (days for late events to arrive: a lapse is
written a day after its deadline, an answer to a request may come weeks later). The worker
then publishes the last closed period once, as the administrator who scheduled it, unless an
edition of that period is already published (docs/adr/0019). A schedule looks forward: a
period whose day to be published had passed when the schedule was made is the
administrator's to publish by hand, never published unannounced by a schedule made later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.reports.definitions import PeriodKind
from lexdesk.domain.reports.periods import Period, parse_period

#: Never more than a year's wait: a report the law wants annually is not published after the
#: next one is due.
MAX_DELAY_DAYS = 365


@dataclass(frozen=True)
class ReportSchedule:
    agency_id: str
    report_id: str
    #: Days after a period's last day before it is published.
    delay_days: int
    #: The administrator it is published as; the publication needs them to still hold
    #: ``report:publish`` in the agency.
    scheduled_by: str
    scheduled_at: datetime
    last_tried_at: datetime | None = None
    #: Why the last attempt did not publish, in a sentence (``None``: it did, or was not due).
    last_error: str | None = None


def checked_delay(days: int) -> int:
    if not 0 <= days <= MAX_DELAY_DAYS:
        raise InvalidInput(
            f"publish from 0 to {MAX_DELAY_DAYS} days after a period ends, not {days}"
        )
    return days


def label_of(day: date, kind: PeriodKind) -> str:
    """The label of the period of ``kind`` that ``day`` falls in."""
    if kind is PeriodKind.CALENDAR_YEAR:
        return str(day.year)
    if kind is PeriodKind.FISCAL_YEAR:
        return f"FY{day.year + 1 if day.month >= 7 else day.year}"
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def due_period(kind: PeriodKind, today: date, delay_days: int, since: date) -> Period | None:
    """The period a schedule of ``delay_days`` made on ``since`` publishes ``today``: the last
    period of ``kind`` that closed at least ``delay_days`` ago (the period before the one that
    holds the day ``delay_days`` ago), if its day to be published is not before ``since``."""
    holding = parse_period(label_of(today - timedelta(days=delay_days), kind), kind)
    closed = parse_period(label_of(holding.start - timedelta(days=1), kind), kind)
    return closed if publication_day(closed, delay_days) >= since else None


def publication_day(period: Period, delay_days: int) -> date:
    """The first day a schedule of ``delay_days`` publishes ``period``."""
    return period.end + timedelta(days=delay_days)
