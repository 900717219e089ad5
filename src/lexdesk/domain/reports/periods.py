"""A report's period, as the law names it: a calendar year (``2020``), New York City's fiscal
year of 1 July to 30 June named for the year it ends in (``FY2020``: 1 July 2019 to 30 June
2020, the "twelve month period ending June 30" of § 9-131(f)), or a quarter (``2020-Q1``).
Bounds are days in the agency's own time zone; the query turns them into instants."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.reports.definitions import PeriodKind

_PATTERNS = {
    PeriodKind.CALENDAR_YEAR: re.compile(r"(\d{4})"),
    PeriodKind.FISCAL_YEAR: re.compile(r"FY(\d{4})"),
    PeriodKind.QUARTER: re.compile(r"(\d{4})-Q([1-4])"),
}
_EXAMPLES = {
    PeriodKind.CALENDAR_YEAR: "2020",
    PeriodKind.FISCAL_YEAR: "FY2020 (1 July 2019 to 30 June 2020)",
    PeriodKind.QUARTER: "2020-Q1",
}


@dataclass(frozen=True)
class Period:
    label: str
    kind: PeriodKind
    #: The first day, and the day after the last.
    start: date
    end: date

    def bounds(self, zone: str) -> tuple[datetime, datetime]:
        """The period as instants: from midnight of its first day to midnight after its last,
        in ``zone``."""
        tz = ZoneInfo(zone)
        return datetime.combine(self.start, time(), tz), datetime.combine(self.end, time(), tz)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)


def parse_period(value: str, kind: PeriodKind) -> Period:
    """The period ``value`` names, which must be of the report's ``kind``."""
    text = value.strip().upper()
    match = _PATTERNS[kind].fullmatch(text)
    if match is None:
        raise InvalidInput(
            f"period {value!r} is not a {kind.value.replace('_', ' ')}: write e.g. "
            f"{_EXAMPLES[kind]}"
        )
    year = int(match.group(1))
    if not 1900 < year < 2200:
        raise InvalidInput(f"period {value!r}: the year {year} is out of range")
    if kind is PeriodKind.CALENDAR_YEAR:
        return Period(text, kind, date(year, 1, 1), date(year + 1, 1, 1))
    if kind is PeriodKind.FISCAL_YEAR:
        return Period(text, kind, date(year - 1, 7, 1), date(year, 7, 1))
    quarter = int(match.group(2))
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(text, kind, start, end)
