"""The read side of work management: whom an agency may give work to, and the agencies a list
may be filtered by."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from lexdesk.adapters import orm
from lexdesk.domain.agencies import Role
from lexdesk.domain.permissions import Permission, granted


@dataclass(frozen=True)
class Colleague:
    id: str
    username: str
    display_name: str


def colleagues(db: Connection, agency_id: str) -> list[Colleague]:
    """The agency's active people whose roles work cases, by name."""
    u = orm.users
    rows = db.execute(
        select(u.c.id, u.c.username, u.c.display_name, u.c.roles)
        .where(u.c.agency_id == agency_id, u.c.active.is_(True))
        .order_by(u.c.display_name, u.c.username)
    )
    return [
        Colleague(r.id, r.username, r.display_name)
        for r in rows
        if granted(frozenset(Role(role) for role in r.roles), Permission.INSTRUMENT_READ)
    ]


def other_agencies(db: Connection, agency_id: str) -> list[tuple[str, str]]:
    """Every other agency, as (id, name), by name."""
    a = orm.agencies
    rows = db.execute(select(a.c.id, a.c.name).where(a.c.id != agency_id).order_by(a.c.name))
    return [(r.id, r.name) for r in rows]
