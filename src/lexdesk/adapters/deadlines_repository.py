"""What the sweep asks of the instruments: the overdue, the soon due, the soon released.

Each query runs on an index of open instruments by due time (``ix_instruments_open_due``), so a
sweep reads the due, not the million that are not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, select

from lexdesk.adapters import orm
from lexdesk.domain.notifications import Due
from lexdesk.domain.vocabulary import CUSTODY_KINDS, OPEN_STATUSES

OPEN = sorted(s.value for s in OPEN_STATUSES)
CUSTODY = sorted(k.value for k in CUSTODY_KINDS)


class SqlDeadlineRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def overdue(self, now: datetime, limit: int) -> list[str]:
        """Open instruments whose due time has passed, the longest overdue first."""
        t = orm.instruments
        query = (
            select(t.c.id)
            .where(t.c.status.in_(OPEN), t.c.due_at.is_not(None), t.c.due_at < now)
            .order_by(t.c.due_at)
            .limit(limit)
        )
        return list(self._db.scalars(query))

    def due_within(self, start: datetime, end: datetime) -> list[Due]:
        """Open instruments due in ``[start, end]``, as their addressee sees them."""
        t = orm.instruments
        query = (
            select(t.c.id, t.c.kind, t.c.reference, t.c.status, t.c.addressee_agency_id, t.c.due_at)
            .where(t.c.status.in_(OPEN), t.c.due_at >= start, t.c.due_at <= end)
            .order_by(t.c.due_at)
        )
        return [Due(*row) for row in self._db.execute(query)]

    def releases_within(self, start: datetime, end: datetime) -> list[Due]:
        """Open custody requests whose person the addressee expects to release in
        ``[start, end]``: the custodian's own record, for the custodian alone."""
        t, c, k = orm.instruments, orm.cases, orm.custodies
        query = (
            select(
                t.c.id,
                t.c.kind,
                t.c.reference,
                t.c.status,
                t.c.addressee_agency_id,
                k.c.expected_release_at,
            )
            .join(c, c.c.id == t.c.case_id)
            .join(
                k,
                and_(
                    k.c.person_id == c.c.person_id,
                    k.c.agency_id == t.c.addressee_agency_id,
                    k.c.left_at.is_(None),
                ),
            )
            .where(
                t.c.status.in_(OPEN),
                t.c.kind.in_(CUSTODY),
                k.c.expected_release_at >= start,
                k.c.expected_release_at <= end,
            )
        )
        return [Due(*row) for row in self._db.execute(query)]
