"""Due dates that say how they were computed, so they can be shown and recomputed.

Pure arithmetic: the current time is always an argument, and every datetime must be aware.
Rules (the stable names stored in :attr:`DueDate.rule`):

- ``business_days``: whole business days after the start's local date, due at a local time.
- ``hold_clock_hours``: a detainer's hold, hours on the clock after the person would otherwise
  be released (Form I-247A: "not to exceed 48 hours beyond the time he or she would otherwise
  have been released"); the default.
- ``hold_hours_excluding_non_business_days``: the 8 CFR 287.7(d) hold, hours counted only on
  business days of the local wall clock (FED-DET-02), where a rule pack says the law counts so.
- ``set_by_issuer``: a date set by whoever issued the instrument; it must be in the future.
- ``expected_release``: the person's expected release itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lexdesk.domain.calendar import WEEKEND, BusinessCalendar, SkippedDay, calendar_for
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.vocabulary import InstrumentKind, a_or_an

BUSINESS_DAYS = "business_days"
HOLD_CLOCK_HOURS = "hold_clock_hours"
HOLD_HOURS = "hold_hours_excluding_non_business_days"
SET_BY_ISSUER = "set_by_issuer"
EXPECTED_RELEASE = "expected_release"
DETAINER_CITATION = "8 CFR 287.7(d)"
#: The fact a due date is computed from, when it is one that not every party may learn.
RELEASE_DATE = "release_date"
_FROM_RELEASE = (HOLD_CLOCK_HOURS, HOLD_HOURS, "expected_release")
_BUSINESS_DAY_SETTINGS = {
    InstrumentKind.INFORMATION_REQUEST: "information_request_business_days",
    InstrumentKind.REFERRAL: "referral_business_days",
}
_ISSUER_DATES = {
    InstrumentKind.ADMINISTRATIVE_SUBPOENA: "return date",
    InstrumentKind.COURT_ORDER: "compliance date",
}
_COUNTS = ("information_request_business_days", "referral_business_days", "detainer_hold_hours")
#: The largest count a policy may set (about two years, as ``ISSUER_DATE_HORIZON``): beyond it
#: a count is a typo, and ten million business days would run the calendar past the year 9999.
_MOST = {
    "information_request_business_days": 2 * 261,
    "referral_business_days": 2 * 261,
    "detainer_hold_hours": 2 * 365 * 24,
}
_RULES = (BUSINESS_DAYS, HOLD_CLOCK_HOURS, HOLD_HOURS, SET_BY_ISSUER, EXPECTED_RELEASE)
#: The years a stored due date's moments may lie in: those the desk accepts (the API's times
#: lie in 1900-2200) and what is counted from them, far from where the calendar ends (9999).
_YEARS = range(1900, 3000)
# Fixed English names: strftime's %a and %b follow the process locale.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    # A region's name ("America") is a folder of the zone database: opening it is an OSError.
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise InvalidInput(
            f"unknown timezone {name!r}: use an IANA name such as 'America/New_York'"
        ) from None


def _require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{name} {value.isoformat()} has no timezone: give an aware datetime, "
            "e.g. with tzinfo=ZoneInfo('America/New_York') or UTC"
        )
    return value


#: An agency's time zone when its deadline policy names none.
DEFAULT_TIMEZONE = "America/New_York"


@dataclass(frozen=True)
class DeadlinePolicy:
    """One agency's deadline settings. The defaults are the federal rules for a New York agency.

    ``detainer_counts_state_holidays`` is False by default: 8 CFR 287.7(d) says only "holidays",
    and a hold that runs a day too long (on a state holiday when federal offices are open) is an
    unlawful detention, while one that ends early only means a release. An agency whose counsel
    reads the rule as including state holidays turns it on.
    """

    timezone: str = DEFAULT_TIMEZONE
    state: str | None = "NY"
    due_local_time: time = time(17, 0)
    information_request_business_days: int = 10
    referral_business_days: int = 30
    detainer_hold_hours: int = 48
    detainer_counts_state_holidays: bool = False

    def __post_init__(self) -> None:
        _zone(self.timezone)
        calendar_for(self.state)
        for name in _COUNTS:
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 1 <= value <= _MOST[name]
            ):
                raise InvalidInput(
                    f"{name} must be a whole number of at least 1 and at most {_MOST[name]}, "
                    f"not {value!r}"
                )
        if not isinstance(self.due_local_time, time) or self.due_local_time.tzinfo is not None:
            raise InvalidInput("due_local_time must be a local time of day such as 17:00")
        if not isinstance(self.detainer_counts_state_holidays, bool):
            raise InvalidInput("detainer_counts_state_holidays must be true or false")

    @property
    def calendar(self) -> BusinessCalendar:
        return calendar_for(self.state)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["due_local_time"] = self.due_local_time.isoformat(timespec="minutes")
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeadlinePolicy:
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInput(f"unknown deadline settings {unknown}: use {sorted(known)}")
        values = dict(data)
        if "due_local_time" in values:
            values["due_local_time"] = _parse_time(values["due_local_time"])
        return cls(**values)


def _parse_time(text: Any) -> time:
    try:
        return time.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidInput(
            f"due_local_time {text!r} is not a time of day: write e.g. 17:00"
        ) from None


CLOCK_HOURS, BUSINESS_HOURS = "clock_hours", "business_hours"
FORM_I_247A = (
    'DHS Form I-247A: custody "not to exceed 48 hours beyond the time he or she would '
    'otherwise have been released"'
)


@dataclass(frozen=True)
class HoldBound:
    """How long a hold on a detainer may last beyond the release, as the governing law says:
    hours on the clock (Form I-247A) or hours on business days (8 CFR 287.7(d), where a law
    counts so), with the citation and the rule pack version that set it. Zero hours: the law
    allows no hold at all, and the request is due at the release itself."""

    hours: int
    counting: str = CLOCK_HOURS
    citation: str = FORM_I_247A
    source: str | None = None

    def __post_init__(self) -> None:
        if self.counting not in (CLOCK_HOURS, BUSINESS_HOURS):
            raise InvalidInput(
                f"a hold counts {CLOCK_HOURS} or {BUSINESS_HOURS}, not {self.counting!r}"
            )
        if isinstance(self.hours, bool) or not isinstance(self.hours, int) or self.hours < 0:
            raise InvalidInput(f"a hold lasts a whole number of hours, not {self.hours!r}")


#: Where no rule pack sets another bound: the detainer form's own words.
DEFAULT_HOLD = HoldBound(48)


@dataclass(frozen=True)
class DueDate:
    """When something is due, and everything needed to explain and recompute it."""

    due_at: datetime  # aware, UTC
    rule: str
    start: datetime  # aware, UTC
    timezone: str
    amount: int | None = None
    unit: str | None = None  # "business_days" or "hours"
    local_time: time | None = None
    calendar: str | None = None  # BusinessCalendar.version
    skipped: tuple[SkippedDay, ...] = ()
    citation: str | None = None
    label: str | None = None  # for set_by_issuer: "return date", "compliance date"
    #: Who set the bound it applies, e.g. "us-ny-nyc-doc 2014-12-14" (a rule pack's version).
    source: str | None = None

    @property
    def derived_from(self) -> str | None:
        """The fact this date is computed from, when it is a withheld one: a hold's end and a
        notification's due are the release date moved, so they reveal it (docs/adr/0006)."""
        return RELEASE_DATE if self.rule in _FROM_RELEASE else None

    def to_json(self) -> dict[str, Any]:
        # Field by field, in the fields' order: ``dataclasses.asdict`` deep-copies, and every
        # instrument issued (or seeded by the million) writes one of these.
        return {
            "due_at": self.due_at.isoformat(),
            "rule": self.rule,
            "start": self.start.isoformat(),
            "timezone": self.timezone,
            "amount": self.amount,
            "unit": self.unit,
            "local_time": self.local_time.isoformat() if self.local_time else None,
            "calendar": self.calendar,
            "skipped": [[day.isoformat(), reason] for day, reason in self.skipped],
            "citation": self.citation,
            "label": self.label,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DueDate:
        try:
            values = dict(data)
            values["due_at"] = _require_aware(datetime.fromisoformat(data["due_at"]), "due_at")
            values["start"] = _require_aware(datetime.fromisoformat(data["start"]), "start")
            lt = data.get("local_time")
            values["local_time"] = time.fromisoformat(lt) if lt is not None else None
            values["skipped"] = tuple((date.fromisoformat(d), r) for d, r in data["skipped"])
            values.pop("derived_from", None)
            due = cls(**values)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(f"malformed stored due date ({exc!r}): recompute it") from None
        fault = due._fault()
        if fault is not None:
            raise InvalidInput(f"malformed stored due date ({fault}): recompute it")
        return due

    def _fault(self) -> str | None:
        """What makes a due date read back from storage one the desk could not have computed
        (so could not explain or recompute), or None."""
        if not isinstance(self.rule, str) or self.rule not in _RULES:
            return f"unknown rule {self.rule!r}"
        if not isinstance(self.timezone, str):
            return f"timezone {self.timezone!r} is not a name"
        _zone(self.timezone)
        for name, moment in (("due_at", self.due_at), ("start", self.start)):
            if moment.year not in _YEARS:
                return f"{name} {moment.isoformat()} is not between 1900 and 2999"
        amount = self.amount
        if amount is not None and (
            type(amount) is not int or not 0 <= amount <= max(_MOST.values())
        ):
            return f"amount {amount!r} is not a count the desk sets"
        for name in ("unit", "calendar", "citation", "label", "source"):
            if not isinstance(getattr(self, name), str | None):
                return f"{name} {getattr(self, name)!r} is not text"
        if not all(isinstance(reason, str) for _, reason in self.skipped):
            return "a skipped day's reason is not text"
        return None

    def recompute(self, calendar: BusinessCalendar) -> DueDate:
        """The same rule from the same start, on ``calendar``. Dates set by someone (an issuer,
        an expected release) do not depend on a calendar and come back unchanged."""
        if self.rule == BUSINESS_DAYS and self.amount is not None and self.local_time:
            found = _business_days(
                self.start, self.amount, calendar, self.timezone, self.local_time
            )
            return dataclasses.replace(found, label=self.label)
        if self.rule == HOLD_HOURS and self.amount is not None:
            return _hold_end(self.start, self.amount, calendar, self.timezone)._from(self.source)
        return self

    def _from(self, source: str | None) -> DueDate:
        return dataclasses.replace(self, source=source)

    def explain(self) -> str:
        """One sentence, e.g. "Due Wed 22 Jan 2020 17:00 EST: 10 business days after Tue 7 Jan
        2020, skipping Sat 11 Jan, ..., Mon 20 Jan (Martin Luther King Jr. Day); calendar ..."."""
        zone = _zone(self.timezone)
        due, start = _moment(self.due_at.astimezone(zone)), self.start.astimezone(zone)
        if self.rule == BUSINESS_DAYS:
            served = "service on " if self.label == SERVED else ""
            how = f"{self.amount} business days after {served}{_day(start.date())}"
        elif self.rule == HOLD_HOURS:
            how = (
                f"{self.amount} hours after {_moment(start)}, not counting Saturdays, "
                f"Sundays and holidays ({self.citation}{_under(self.source)})"
            )
        elif self.rule == HOLD_CLOCK_HOURS:
            return (
                f"Due {due}: the hold ends {self.amount} hours after the release at "
                f"{_moment(start)} ({self.citation}{_under(self.source)})."
            )
        elif self.rule == SET_BY_ISSUER:
            return f"Due {due}: the {self.label} set by the issuer."
        else:
            return f"Due {due}: the person's expected release."
        skipping = ", ".join(_skipped(day, reason) for day, reason in self.skipped)
        tail = f", skipping {skipping}" if skipping else ""
        return f"Due {due}: {how}{tail}; calendar {self.calendar}."


def _under(source: str | None) -> str:
    return f"; bound set by {source}" if source else ""


def _day(day: date) -> str:
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _moment(moment: datetime) -> str:
    return f"{_day(moment.date())} {moment:%H:%M} {moment.tzname()}"


def _skipped(day: date, reason: str) -> str:
    short = _day(day).rsplit(" ", 1)[0]  # the year is the due date's, or next to it
    return short if reason == WEEKEND else f"{short} ({reason})"


def _business_days(
    start: datetime, days: int, calendar: BusinessCalendar, timezone: str, local_time: time
) -> DueDate:
    zone = _zone(timezone)
    end, skipped = calendar.walk_business_days(start.astimezone(zone).date(), days)
    due = datetime.combine(end, local_time, tzinfo=zone)
    return DueDate(
        due_at=due.astimezone(UTC),
        rule=BUSINESS_DAYS,
        start=start.astimezone(UTC),
        timezone=timezone,
        amount=days,
        unit="business_days",
        local_time=local_time,
        calendar=calendar.version,
        skipped=skipped,
    )


def _hold_end(start: datetime, hours: int, calendar: BusinessCalendar, timezone: str) -> DueDate:
    zone = _zone(timezone)
    wall = start.astimezone(zone).replace(tzinfo=None)
    end, skipped = calendar.walk_business_hours(wall, hours)
    return DueDate(
        due_at=end.replace(tzinfo=zone).astimezone(UTC),
        rule=HOLD_HOURS,
        start=start.astimezone(UTC),
        timezone=timezone,
        amount=hours,
        unit="hours",
        calendar=calendar.version,
        skipped=skipped,
        citation=DETAINER_CITATION,
    )


def _hold_clock(start: datetime, bound: HoldBound, timezone: str) -> DueDate:
    at = start.astimezone(UTC)
    return DueDate(
        due_at=at + timedelta(hours=bound.hours),
        rule=HOLD_CLOCK_HOURS,
        start=at,
        timezone=timezone,
        amount=bound.hours,
        unit="hours",
        citation=bound.citation,
        source=bound.source,
    )


#: The label of a business-day clock that runs from the instrument's service.
SERVED = "service"


def runs_from_service(kind: InstrumentKind) -> bool:
    """Whether the instrument's clock counts from when it reached its addressee: the
    business-day answers (an information request, a referral) run from issue until service is
    recorded, then from the service (an addressee is not late for what it has not received).
    A hold runs from the release and a return date is the issuer's: service moves neither."""
    return kind in _BUSINESS_DAY_SETTINGS


def from_service(due: DueDate) -> DueDate:
    """The due date, marked as counted from service (its start is the service)."""
    return dataclasses.replace(due, label=SERVED)


def due_in_business_days(
    start: datetime, days: int, *, calendar: BusinessCalendar, policy: DeadlinePolicy
) -> DueDate:
    """Due at ``policy.due_local_time`` on the ``days``-th business day after the start's
    local date (the start's own day never counts)."""
    _require_aware(start, "start")
    return _business_days(start, days, calendar, policy.timezone, policy.due_local_time)


def detainer_hold_end(
    release_eligible_at: datetime,
    *,
    hours: int | None = None,
    calendar: BusinessCalendar,
    policy: DeadlinePolicy,
) -> DueDate:
    """When a hold under 8 CFR 287.7(d) ends: ``hours`` (default the policy's 48) counted only
    on business days of the policy's local wall clock. Monday 17:00 -> Wednesday 17:00;
    Thursday 17:00 -> Monday 17:00 (FED-DET-02)."""
    _require_aware(release_eligible_at, "release_eligible_at")
    count = policy.detainer_hold_hours if hours is None else hours
    return _hold_end(release_eligible_at, count, calendar, policy.timezone)


#: A return or compliance date further off than this is a typo (9999), not a legal demand.
ISSUER_DATE_HORIZON = timedelta(days=2 * 365)


def set_by_issuer(
    when: datetime,
    *,
    now: datetime,
    rule_name: str,
    timezone: str = "UTC",
    calendar: BusinessCalendar | None = None,
) -> DueDate:
    """A date set by the issuer (a subpoena's return date, a court's compliance date); it must
    be after ``now`` and, given the addressee's ``calendar``, on one of its business days: the
    date is printed on a legal document, so it is refused with the next business day named
    rather than moved silently (docs/adr/0008). ``rule_name`` names it in messages."""
    _require_aware(when, rule_name)
    _require_aware(now, "now")
    if when <= now:
        raise InvalidInput(_in_the_past(rule_name, when, now, _zone(timezone)))
    if when > now + ISSUER_DATE_HORIZON:
        raise InvalidInput(
            f"{rule_name} {when.astimezone(_zone(timezone)).date().isoformat()} is more than "
            f"{ISSUER_DATE_HORIZON.days // 365} years away: check the year"
        )
    if calendar is not None:
        require_business_day(when, calendar, timezone, rule_name)
    return DueDate(
        due_at=when.astimezone(UTC),
        rule=SET_BY_ISSUER,
        start=now.astimezone(UTC),
        timezone=timezone,
        label=rule_name,
    )


def require_business_day(
    when: datetime, calendar: BusinessCalendar, timezone: str, rule_name: str
) -> None:
    """Refuse a date that falls on a weekend or holiday where it is due, naming the next
    business day."""
    day = when.astimezone(_zone(timezone)).date()
    reason = calendar.non_business_reason(day)
    if reason is None:
        return
    why = "a weekend" if reason == WEEKEND else f"a holiday ({reason})"
    following = _day(calendar.business_days_after(day, 1))
    raise InvalidInput(
        f"{rule_name} {day.isoformat()} is {why} where it is due ({calendar.version}): "
        f"choose a business day, e.g. {following}"
    )


def _in_the_past(rule_name: str, when: datetime, now: datetime, zone: ZoneInfo) -> str:
    local_when, local_now = when.astimezone(zone), now.astimezone(zone)
    if local_when.date() != local_now.date():
        shown = (local_when.date().isoformat(), local_now.date().isoformat())
    else:  # the time of day only matters when both fall on the same day
        shown = (local_when.isoformat("T", "minutes"), local_now.isoformat("T", "minutes"))
    return f"{rule_name} {shown[0]} is in the past (now {shown[1]}): give a future date"


def _release_due(expected_release: datetime, policy: DeadlinePolicy) -> DueDate:
    at = _require_aware(expected_release, "release_eligible_at").astimezone(UTC)
    return DueDate(due_at=at, rule=EXPECTED_RELEASE, start=at, timezone=policy.timezone)


def hold_end(
    release_eligible_at: datetime,
    bound: HoldBound,
    *,
    calendar: BusinessCalendar,
    policy: DeadlinePolicy,
) -> DueDate:
    """When a hold ends under ``bound``; an agency that set a shorter hold
    (``detainer_hold_hours``) holds no longer than that: never longer than the law allows."""
    _require_aware(release_eligible_at, "release_eligible_at")
    hours = min(bound.hours, policy.detainer_hold_hours)
    bound = dataclasses.replace(bound, hours=hours)
    if bound.counting == CLOCK_HOURS:
        return _hold_clock(release_eligible_at, bound, policy.timezone)
    hold_calendar = _hold_calendar(calendar, policy)
    end = _hold_end(release_eligible_at, hours, hold_calendar, policy.timezone)
    return dataclasses.replace(end, citation=bound.citation, source=bound.source)


def _hold_calendar(calendar: BusinessCalendar, policy: DeadlinePolicy) -> BusinessCalendar:
    # See DeadlinePolicy: a state holiday lengthens a detention only when the agency says so.
    if policy.detainer_counts_state_holidays:
        return calendar
    return BusinessCalendar(calendar.country)


def due_for(
    kind: InstrumentKind,
    *,
    issued_at: datetime,
    policy: DeadlinePolicy,
    calendar: BusinessCalendar,
    release_eligible_at: datetime | None = None,
    return_date: datetime | None = None,
    now: datetime,
    hold: HoldBound = DEFAULT_HOLD,
) -> DueDate | None:
    """The due date of an instrument of ``kind``, or None when it has none (yet). A detainer's
    or transfer request's hold is bounded by ``hold``, which the governing rule pack sets."""
    if kind in _BUSINESS_DAY_SETTINGS:
        days = getattr(policy, _BUSINESS_DAY_SETTINGS[kind])
        return due_in_business_days(issued_at, days, calendar=calendar, policy=policy)
    if kind in (InstrumentKind.DETAINER, InstrumentKind.TRANSFER_REQUEST):
        if release_eligible_at is None:
            return None
        return hold_end(release_eligible_at, hold, calendar=calendar, policy=policy)
    if kind is InstrumentKind.NOTIFICATION_REQUEST:
        return None if release_eligible_at is None else _release_due(release_eligible_at, policy)
    if kind in _ISSUER_DATES:
        name = _ISSUER_DATES[kind]
        if return_date is None:
            raise InvalidInput(
                f"{a_or_an(kind.value)} needs its {name}: give the date set by its issuer"
            )
        return set_by_issuer(
            return_date, now=now, rule_name=name, timezone=policy.timezone, calendar=calendar
        )
    return None  # an enforcement petition waits on the court, which sets no date up front
