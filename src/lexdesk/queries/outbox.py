"""The outbox as an administrator reads it: messages by status, with their last error, and
the workers' heartbeats. Subjects carry no personal data (``services.notices``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from lexdesk.adapters import orm


@dataclass(frozen=True)
class MessageRow:
    id: int
    key: str
    channel: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    agency_id: str
    subject: str
    created_at: datetime
    delivered_at: datetime | None


def messages(
    db: Connection, *, status: str | None = None, channel: str | None = None, limit: int = 100
) -> list[MessageRow]:
    m, e = orm.outbox_messages, orm.outbox_events
    query = (
        select(
            m.c.id,
            m.c.key,
            m.c.channel,
            m.c.status,
            m.c.attempts,
            m.c.next_attempt_at,
            m.c.last_error,
            e.c.agency_id,
            e.c.subject,
            m.c.created_at,
            m.c.delivered_at,
        )
        .join(e, e.c.id == m.c.event_id)
        .order_by(m.c.id.desc())
        .limit(limit)
    )
    if status:
        query = query.where(m.c.status == status)
    if channel:
        query = query.where(m.c.channel == channel)
    return [MessageRow(*row) for row in db.execute(query)]


def depth(db: Connection) -> dict[tuple[str, str], int]:
    """Messages by (channel, status)."""
    m = orm.outbox_messages
    query = select(m.c.channel, m.c.status, func.count()).group_by(m.c.channel, m.c.status)
    return {(row[0], row[1]): int(row[2]) for row in db.execute(query)}


def unexpanded(db: Connection) -> int:
    e = orm.outbox_events
    return int(
        db.execute(
            select(func.count()).select_from(e).where(e.c.expanded_at.is_(None))
        ).scalar_one()
    )


def attempts(db: Connection) -> dict[tuple[str, bool], int]:
    """Delivery attempts by (channel, succeeded), ever."""
    a = orm.delivery_attempts
    query = select(a.c.channel, a.c.ok, func.count()).group_by(a.c.channel, a.c.ok)
    return {(row[0], bool(row[1])): int(row[2]) for row in db.execute(query)}


@dataclass(frozen=True)
class Heartbeat:
    worker: str
    started_at: datetime
    beat_at: datetime
    swept_at: datetime | None
    sweep_seconds: float
    sweeps: int
    lapses: int
    reminders: int


def heartbeats(db: Connection) -> list[Heartbeat]:
    h = orm.worker_heartbeats
    return [Heartbeat(*row) for row in db.execute(select(h).order_by(h.c.beat_at.desc()))]
