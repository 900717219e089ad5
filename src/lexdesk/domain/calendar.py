"""Business-day calendars: weekends plus the public holidays of the US and, optionally, one state.

Which holidays count. A calendar takes the ``holidays`` library's ``public`` category for the
country (US federal holidays, with their observed Fridays and Mondays) and, when a state is given,
that state's ``public`` holidays too (for New York: Lincoln's Birthday, Susan B. Anthony Day and
Election Day). State holidays count because the agency that must answer is a state or local
office that is closed on them, and the issue asks for "US federal plus the agency's state".

Left out on purpose: the ``government`` category (one-off executive-order closures such as
Christmas Eve 2020, announced weeks ahead, which would move due dates after they were stored),
and the ``unofficial`` and ``half_day`` categories, on which offices stay open.

Every calendar is versioned: :attr:`BusinessCalendar.version` names the library release and the
place, and each due date stores it, so a date computed under older holiday data can be explained
and recomputed.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import holidays

from lexdesk.domain.errors import InvalidInput

#: A day that was not counted, with why: ``"weekend"`` or the holiday's name.
SkippedDay = tuple[date, str]
WEEKEND = "weekend"
HOLIDAY_CATEGORIES = ("public",)
_ONE_DAY = timedelta(days=1)
# The package sets __version__ without listing it in __all__, which strict mypy reads as private.
_HOLIDAYS_VERSION: str = holidays.__version__  # type: ignore[attr-defined]


@functools.cache
def _supported() -> Mapping[str, frozenset[str]]:
    return {
        country: frozenset(subdivisions)
        for country, subdivisions in holidays.list_supported_countries(
            include_aliases=False
        ).items()
    }


# A year's holidays as a plain dict: the library's own lookup converts its keys and expands
# years lazily on every call, too slow for 100,000 due dates; a built dict is also safe to share
# between threads. Bounded, because the years asked for come from user input.
@functools.lru_cache(maxsize=2048)
def _holidays_of_year(country: str, subdivision: str | None, year: int) -> Mapping[date, str]:
    table = holidays.country_holidays(
        country, subdiv=subdivision, years=year, categories=HOLIDAY_CATEGORIES
    )
    return dict(table.items())


def _check_supported(country: str, subdivision: str | None) -> None:
    supported = _supported()
    if country not in supported:
        raise InvalidInput(f"unknown country {country!r}: use an ISO 3166 code such as 'US'")
    if subdivision is not None and subdivision not in supported[country]:
        known = ", ".join(sorted(supported[country]))
        raise InvalidInput(
            f"unknown state {subdivision!r} for {country}: use a two-letter code, one of {known}"
        )


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekdays that are not public holidays of ``country`` (and of ``subdivision`` if given)."""

    country: str = "US"
    subdivision: str | None = None

    def __post_init__(self) -> None:
        _check_supported(self.country, self.subdivision)

    @property
    def version(self) -> str:
        """The holiday data this calendar comes from, e.g. ``"holidays 0.108 US-NY"``."""
        place = self.country if self.subdivision is None else f"{self.country}-{self.subdivision}"
        return f"holidays {_HOLIDAYS_VERSION} {place}"

    def holiday_name(self, day: date) -> str | None:
        return _holidays_of_year(self.country, self.subdivision, day.year).get(day)

    def non_business_reason(self, day: date) -> str | None:
        """Why ``day`` is not a business day (a holiday's name first, else ``"weekend"``), or
        None when it is one."""
        name = self.holiday_name(day)
        if name is not None:
            return name
        return WEEKEND if day.weekday() >= 5 else None

    def is_business_day(self, day: date) -> bool:
        return self.non_business_reason(day) is None

    def business_days_after(self, start: date, n: int) -> date:
        """The ``n``-th business day after ``start`` (``start`` itself when ``n`` is 0)."""
        return self.walk_business_days(start, n)[0]

    def walk_business_days(self, start: date, n: int) -> tuple[date, tuple[SkippedDay, ...]]:
        """The ``n``-th business day after ``start``, and the days skipped on the way.

        ``start`` itself is never counted, whatever kind of day it is."""
        if n < 0:
            raise InvalidInput(f"cannot count {n} business days: give 0 or more")
        day, skipped = start, []
        while n > 0:
            day += _ONE_DAY
            reason = self.non_business_reason(day)
            if reason is None:
                n -= 1
            else:
                skipped.append((day, reason))
        return day, tuple(skipped)

    def walk_business_hours(
        self, start: datetime, hours: int
    ) -> tuple[datetime, tuple[SkippedDay, ...]]:
        """The wall-clock time after ``hours`` hours counted only while on a business day.

        ``start`` is a naive local wall-clock time. Counting on the wall clock is what makes
        DST safe: a skipped day is skipped whole however long it is, and in the US clocks change
        on Sundays, so a counted day always has 24 real hours. A count that runs out exactly at
        midnight ends at 00:00 of the next day, even if that day is not a business day.
        """
        if start.tzinfo is not None:
            raise InvalidInput("walk_business_hours counts wall-clock time: give a naive time")
        if hours < 0:
            raise InvalidInput(f"cannot count {hours} hours: give 0 or more")
        remaining, cursor, skipped = timedelta(hours=hours), start, []
        while remaining:
            midnight = datetime.combine(cursor.date() + _ONE_DAY, time())
            reason = self.non_business_reason(cursor.date())
            if reason is None:
                step = min(remaining, midnight - cursor)
                remaining -= step
                cursor += step
            else:
                skipped.append((cursor.date(), reason))
                cursor = midnight
        return cursor, tuple(skipped)


def calendar_for(state: str | None) -> BusinessCalendar:
    """The US calendar for an agency in ``state`` (a two-letter code such as ``"NY"``), or the
    federal-only calendar when ``state`` is None."""
    if state is None:
        return BusinessCalendar()
    if not isinstance(state, str):
        raise InvalidInput(f"state must be a two-letter code such as 'NY', not {state!r}")
    return BusinessCalendar(subdivision=state.strip().upper())
