"""The read side of the audit log page: an agency's entries under filters (who, what, object,
outcome, a date range), a page at a time or all of them for an export, and the readable names
of the users, agencies and instruments the entries name.

Only the agency's own entries are read, and only what the page shows of each: never an entry's
``detail``, which may hold what an auditor is not to read (an auditor reads no personal data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, func, or_, select

from lexdesk.adapters import orm

PAGE_SIZE = 50
EXPORT_MAX = 50_000
OUTCOMES = ("success", "denied", "failure")
#: The columns of an entry that the page shows (and an export holds): not its detail.
SHOWN = ("seq", "at", "actor", "action", "object_type", "object_id", "outcome", "source")


@dataclass(frozen=True)
class AuditFilters:
    who: str = ""
    #: An action (``instrument.assign``) or the family of actions it begins (``instrument``).
    what: str = ""
    #: An object's id, or a kind of object (``case``, ``user``).
    object: str = ""
    outcome: str = ""
    since: date | None = None
    until: date | None = None

    @property
    def active(self) -> bool:
        return self != AuditFilters()


def entries(
    db: Connection, agency_id: str, filters: AuditFilters, tz: ZoneInfo, page: int
) -> tuple[list[Any], int, int]:
    """One page of entries, newest first; the total and the page number shown."""
    a = orm.audit_log
    where = _where(agency_id, filters, tz)
    total = db.scalar(select(func.count()).select_from(a).where(*where)) or 0
    page = min(max(page, 1), max(1, -(-total // PAGE_SIZE)))
    query = (
        select(*(a.c[name] for name in SHOWN))
        .where(*where)
        .order_by(a.c.seq.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return list(db.execute(query)), total, page


def all_entries(db: Connection, agency_id: str, filters: AuditFilters, tz: ZoneInfo) -> list[Any]:
    a = orm.audit_log
    query = (
        select(*(a.c[name] for name in SHOWN))
        .where(*_where(agency_id, filters, tz))
        .order_by(a.c.seq.desc())
        .limit(EXPORT_MAX)
    )
    return list(db.execute(query))


def actions(db: Connection, agency_id: str) -> list[str]:
    """The actions the agency's log holds, for the "what" filter."""
    a = orm.audit_log
    found = db.scalars(select(a.c.action).where(a.c.agency == agency_id).distinct())
    return sorted(found)


@dataclass(frozen=True)
class Names:
    """Readable names for the ids an agency's entries carry."""

    users: dict[str, str]
    usernames: dict[str, str]
    agencies: dict[str, str]
    #: Instrument id -> (kind, case id), for the instruments of cases the agency takes part in.
    instruments: dict[str, tuple[str, str]]
    #: The cases the agency takes part in.
    cases: frozenset[str]


def names(db: Connection, agency_id: str, rows: list[Any]) -> Names:
    u, ag, i, cp = orm.users, orm.agencies, orm.instruments, orm.case_parties
    staff = list(
        db.execute(select(u.c.id, u.c.username, u.c.display_name).where(u.c.agency_id == agency_id))
    )
    users = {r.id: f"{r.display_name} ({r.username})" for r in staff}
    usernames = {r.username: r.display_name for r in staff}
    agencies = {r.id: r.name for r in db.execute(select(ag.c.id, ag.c.name))}
    wanted = {r.object_id for r in rows if r.object_type == "instrument"}
    cases = {r.object_id for r in rows if r.object_type == "case"}
    mine = select(cp.c.case_id).where(cp.c.agency_id == agency_id)
    instruments = {
        r.id: (r.kind, r.case_id)
        for r in db.execute(
            select(i.c.id, i.c.kind, i.c.case_id).where(
                i.c.id.in_(sorted(wanted)), i.c.case_id.in_(mine)
            )
        )
    }
    shared = set(db.scalars(mine.where(cp.c.case_id.in_(sorted(cases)))))
    return Names(users, usernames, agencies, instruments, frozenset(shared))


def _where(agency_id: str, filters: AuditFilters, tz: ZoneInfo) -> list[ColumnElement[bool]]:
    a = orm.audit_log
    found: list[ColumnElement[bool]] = [a.c.agency == agency_id]
    if filters.who:
        found.append(func.lower(a.c.actor) == filters.who.lower())
    if filters.what:
        found.append(
            or_(
                a.c.action == filters.what,
                a.c.action.like(f"{_literal(filters.what)}.%", escape="\\"),
            )
        )
    if filters.object:
        found.append(or_(a.c.object_id == filters.object, a.c.object_type == filters.object))
    if filters.outcome:
        found.append(a.c.outcome == filters.outcome)
    if filters.since:
        found.append(a.c.at >= datetime.combine(filters.since, time(0), tzinfo=tz))
    if filters.until:
        found.append(
            a.c.at < datetime.combine(filters.until + timedelta(days=1), time(0), tzinfo=tz)
        )
    return found


def _literal(text: str) -> str:
    """A LIKE pattern's literal part: the user's % and _ match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
