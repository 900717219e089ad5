"""The read side of the administration pages: an agency's users, tokens and audit entries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from lexdesk.adapters import orm

AUDIT_PAGE = 50


def users_of(db: Connection, agency_id: str) -> list[Any]:
    """The agency's accounts that can still be administered (a removed one is in the review)."""
    u, c = orm.users, orm.credentials
    query = (
        select(u, c.c.locked, c.c.mfa_enrolled)
        .outerjoin(c, c.c.user_id == u.c.id)
        .where(u.c.agency_id == agency_id, u.c.removed_at.is_(None))
        .order_by(u.c.username)
    )
    return list(db.execute(query))


def pending_grants(db: Connection, agency_id: str) -> list[Any]:
    """The agency's role grants that wait for a second administrator, oldest first."""
    g = orm.role_grants
    query = (
        select(g)
        .where(g.c.agency_id == agency_id, g.c.status == "pending")
        .order_by(g.c.requested_at, g.c.id)
    )
    return list(db.execute(query))


def tokens_of(db: Connection, agency_id: str) -> list[Any]:
    t = orm.api_tokens
    return list(
        db.execute(select(t).where(t.c.agency_id == agency_id).order_by(t.c.created_at.desc()))
    )


def agencies(db: Connection) -> list[Any]:
    return list(db.execute(select(orm.agencies).order_by(orm.agencies.c.id)))


def audit_entries(db: Connection, agency_id: str, page: int) -> tuple[list[Any], int]:
    a = orm.audit_log
    mine = a.c.agency == agency_id
    total = db.scalar(select(func.count()).select_from(a).where(mine)) or 0
    query = (
        select(a)
        .where(mine)
        .order_by(a.c.seq.desc())
        .limit(AUDIT_PAGE)
        .offset((max(page, 1) - 1) * AUDIT_PAGE)
    )
    return list(db.execute(query)), total
