"""What the health endpoint asks the database: does it answer, and can the audit chain's head be
read, do audit entries wait to be chained. Nothing is locked or written, and nothing read leaves
this module."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, literal, select

from lexdesk.adapters import orm


def database_answers(db: Connection) -> bool:
    """``SELECT 1``."""
    return bool(db.execute(select(literal(1))).scalar_one() == 1)


def audit_head_readable(db: Connection) -> bool:
    """The last entry of the chain (or none yet) can be read."""
    table = orm.audit_log
    db.execute(select(table.c.seq, table.c.hash).order_by(table.c.seq.desc()).limit(1)).first()
    return True


def waiting_entries(db: Connection) -> tuple[int, datetime | None]:
    """How many audit entries wait to be chained, and since when the oldest (ADR 0029)."""
    queue = orm.audit_pending
    row = db.execute(select(func.count(), func.min(queue.c.at))).one()
    return int(row[0]), row[1]


def last_sweep(db: Connection) -> tuple[datetime, str] | None:
    """When a worker last swept, and which."""
    h = orm.worker_heartbeats
    query = (
        select(h.c.swept_at, h.c.worker)
        .where(h.c.swept_at.is_not(None))
        .order_by(h.c.swept_at.desc())
        .limit(1)
    )
    row = db.execute(query).first()
    return (row.swept_at, row.worker) if row else None
