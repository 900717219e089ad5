"""The life of an account after it is made (CJIS AC-2(2), AC-2(3), AC-2 j, IA-4 d;
docs/accounts.md): inactivity, temporary accounts, usernames kept out of use, and the status
the annual review shows.

- An account nobody signed in to for ``INACTIVITY_LIMIT`` is disabled: the clock runs from its
  last sign-in, else from the later of its creation and the day it was last enabled (an
  administrator who enables a dormant account gives it a fresh 90 days, or the next sweep
  would disable it again at once).
- A temporary account works through its end date, in its agency's time zone, and is removed
  once that day is over: ``REMOVAL_WITHIN`` is the most the desk may take, the worker's sweep
  takes a minute.
- A username freed by a removal (or a rename) is not given to another account for
  ``USERNAME_QUARANTINE``: whoever reads the audit trail must not mistake one for the other.

Times and dates are arguments: nothing here reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lexdesk.domain.errors import InvalidInput

INACTIVITY_LIMIT = timedelta(days=90)
REMOVAL_WITHIN = timedelta(hours=72)
USERNAME_QUARANTINE = timedelta(days=365)
#: What a removed account's row is renamed to, so that its username can be freed while the
#: row (which the audit trail names by id) stays. No one may choose a name with this prefix.
REMOVED_PREFIX = "removed-"
#: As far ahead as the desk writes any date (the API's times lie in 1900-2200).
LATEST_END = date(2200, 1, 1)


def end_of(ends_on: date, zone: ZoneInfo) -> datetime:
    """The moment a temporary account stops working: midnight after ``ends_on``, where its
    agency is (the administrator who typed the date meant their own day)."""
    return datetime.combine(ends_on + timedelta(days=1), time(0), zone).astimezone(UTC)


def last_day(ends_at: datetime, zone: ZoneInfo) -> date:
    """The end date an administrator gave, from the moment stored (``end_of``)."""
    return (ends_at.astimezone(zone) - timedelta(microseconds=1)).date()


def check_end_date(ends_on: date, today: date) -> date:
    if ends_on < today:
        raise InvalidInput(
            f"the end date {ends_on.isoformat()} has passed: give today"
            f" ({today.isoformat()}) or a later date"
        )
    if ends_on >= LATEST_END:
        raise InvalidInput(
            f"the end date {ends_on.isoformat()} is too far ahead: give a date before"
            f" {LATEST_END.isoformat()}, or make a permanent account"
        )
    return ends_on


def has_ended(ends_at: datetime | None, now: datetime) -> bool:
    return ends_at is not None and now >= ends_at


def utc_day(moment: datetime) -> date:
    """The day activity is counted on: one calendar for every agency, so that "90 days" is
    the same span wherever the account is."""
    return moment.astimezone(UTC).date()


def inactivity_cutoff(today: date) -> date:
    """An account whose every sign of life is on or before this day is inactive today."""
    return today - INACTIVITY_LIMIT


def quiet_since(created_on: date, last_active_on: date | None, enabled_on: date | None) -> date:
    """The day the account was last known to be in use, or given a fresh start."""
    return max(d for d in (created_on, last_active_on, enabled_on) if d is not None)


def is_inactive(quiet_from: date, today: date) -> bool:
    return quiet_from <= inactivity_cutoff(today)


#: Names the audit trail and the services give to no account: ``system`` is the desk itself
#: and the operator at its command line, whom the privilege checks let through.
RESERVED_USERNAMES = frozenset({"system"})


def check_username(username: str) -> str:
    if username.casefold() in RESERVED_USERNAMES:
        raise InvalidInput(
            f"the username {username!r} is reserved: it names the desk itself in the audit"
            " trail; choose another"
        )
    if username.startswith(REMOVED_PREFIX):
        raise InvalidInput(
            f"usernames beginning with {REMOVED_PREFIX!r} name removed accounts: choose another"
        )
    return username


def check_not_reused(username: str, freed_at: datetime | None, now: datetime) -> None:
    """Refuse ``username`` while it was freed (its account removed or renamed) less than
    ``USERNAME_QUARANTINE`` ago (IA-4 d)."""
    if freed_at is None or now - freed_at >= USERNAME_QUARANTINE:
        return
    free_on = (freed_at + USERNAME_QUARANTINE).date()
    raise InvalidInput(
        f"username {username} belonged to an account removed or renamed on"
        f" {freed_at.date().isoformat()}: a username is not reused for 365 days; choose"
        f" another (it is free again on {free_on.isoformat()})"
    )


def removed_name(user_id: str) -> str:
    return REMOVED_PREFIX + user_id


def is_removed(username: str) -> bool:
    """Whether an account's (current) username is the one removal gave it."""
    return username.startswith(REMOVED_PREFIX)


@dataclass(frozen=True)
class Dormant:
    """An active account that the sweep found inactive, with what it needs to decide."""

    user_id: str
    username: str
    agency_id: str
    quiet_since: date
    #: The day the sweep last said it kept this account (the agency's last administrator).
    kept_on: date | None = None

    def kept_already(self) -> bool:
        """The sweep says once per spell of inactivity that it kept the account."""
        return self.kept_on is not None and self.kept_on >= self.quiet_since


def review_status(*, active: bool, locked: bool, removed: bool, ends_on: date | None) -> str:
    """What the annual review says of an account, the first that holds: removed, disabled,
    locked, temporary until its end date, active."""
    if removed:
        return "removed"
    if not active:
        return "disabled"
    if locked:
        return "locked"
    if ends_on is not None:
        return f"temporary until {ends_on.isoformat()}"
    return "active"
