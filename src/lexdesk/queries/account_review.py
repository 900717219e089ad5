"""The annual account review (CJIS AC-2 j; docs/accounts.md): every account of an agency, with
its roles, when and by whom it was made, the day it was last used, and its status, as the web
page, its CSV and ``lexdesk users review`` show it. A report read whole: an agency has some
hundreds of accounts, not millions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, select

from lexdesk.adapters import orm
from lexdesk.domain.account_lifecycle import last_day, review_status
from lexdesk.domain.deadlines import DeadlinePolicy

#: The columns of the CSV, in order (``ReviewRow.cells``).
HEADING = (
    "agency",
    "username",
    "name",
    "roles",
    "status",
    "created",
    "created by",
    "last activity",
    "ends on",
    "removed",
    "authenticator",
)


@dataclass(frozen=True)
class ReviewRow:
    agency_id: str
    #: The username the account had (a removed account's is freed: this is the one it had).
    username: str
    display_name: str
    roles: tuple[str, ...]
    status: str
    created_at: datetime
    #: Who made it, as the audit trail names them (None: made before this was kept, and the
    #: audit entry purged since).
    created_by: str | None
    #: The last day it signed in; None: never.
    last_active_on: date | None
    ends_on: date | None
    removed_at: datetime | None
    authenticator_set_up: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency_id,
            "username": self.username,
            "name": self.display_name,
            "roles": list(self.roles),
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "last_active_on": _iso(self.last_active_on),
            "ends_on": _iso(self.ends_on),
            "removed_at": _iso(self.removed_at),
            "authenticator_set_up": self.authenticator_set_up,
        }

    def cells(self) -> tuple[object, ...]:
        return (
            self.agency_id,
            self.username,
            self.display_name,
            " ".join(self.roles),
            self.status,
            self.created_at.date().isoformat(),
            self.created_by or "",
            _iso(self.last_active_on) or "never",
            _iso(self.ends_on) or "",
            _iso(self.removed_at) or "",
            "set up" if self.authenticator_set_up else "not set up",
        )


def review_of(db: Connection, agency_id: str | None = None) -> list[ReviewRow]:
    """Every account of ``agency_id`` (of every agency: None), by agency and username."""
    u, c, r, a = orm.users, orm.credentials, orm.retired_usernames, orm.agencies
    query = (
        select(u, c.c.locked, c.c.mfa_enrolled, r.c.username.label("former"), a.c.deadline_policy)
        .join(a, a.c.id == u.c.agency_id)
        .outerjoin(c, c.c.user_id == u.c.id)
        .outerjoin(r, and_(r.c.user_id == u.c.id, r.c.reason == "removed"))
    )
    if agency_id is not None:
        query = query.where(u.c.agency_id == agency_id)
    rows = [_row(found) for found in db.execute(query)]
    return sorted(rows, key=lambda row: (row.agency_id, row.username))


def _row(found: Any) -> ReviewRow:
    zone = ZoneInfo(DeadlinePolicy.from_json(dict(found.deadline_policy)).timezone)
    ends_on = last_day(found.ends_at, zone) if found.ends_at else None
    removed = found.removed_at is not None
    return ReviewRow(
        agency_id=found.agency_id,
        username=found.former if removed and found.former else found.username,
        display_name=found.display_name,
        roles=tuple(sorted(found.roles)),
        status=review_status(
            active=found.active, locked=bool(found.locked), removed=removed, ends_on=ends_on
        ),
        created_at=found.created_at,
        created_by=found.created_by,
        last_active_on=found.last_active_on,
        ends_on=ends_on,
        removed_at=found.removed_at,
        authenticator_set_up=bool(found.mfa_enrolled),
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
