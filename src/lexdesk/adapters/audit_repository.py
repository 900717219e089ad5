"""The audit log table: read the chain's head under a lock, append, and read the chain back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select

from lexdesk.adapters import orm
from lexdesk.domain.audit import Anchor, AuditEntry

#: The key of the PostgreSQL advisory lock that serialises appends (any fixed 64-bit number;
#: this one spells "lexaudit" in ASCII).
AUDIT_LOCK_KEY = 0x6C6578_6175646974
_PAGE = 1000


class SqlAuditRepository:
    def __init__(self, connection: Connection, now: Callable[[], datetime]) -> None:
        self._db = connection
        self._now = now

    def now(self) -> datetime:
        return self._now()

    def head(self) -> AuditEntry | None:
        """The last entry, read so that no other transaction can append before this one ends.
        SQLite transactions already hold the write lock (BEGIN IMMEDIATE); on PostgreSQL two
        transactions would otherwise both read entry N and both try to write N + 1."""
        if self._db.dialect.name == "postgresql":
            self._db.execute(select(func.pg_advisory_xact_lock(AUDIT_LOCK_KEY)))
        table = orm.audit_log
        row = self._db.execute(select(table).order_by(table.c.seq.desc()).limit(1)).first()
        return _entry(row) if row else None

    def append(self, entry: AuditEntry) -> None:
        self._db.execute(insert(orm.audit_log).values(**_row(entry)))

    def append_many(self, entries: list[AuditEntry]) -> None:
        """Entries already chained one to the next, in one statement (a bulk operation)."""
        if entries:
            self._db.execute(insert(orm.audit_log), [_row(e) for e in entries])

    def entries(self, after: int = 0) -> Iterator[AuditEntry]:
        """Every entry after seq ``after``, in order, a page at a time (the log only grows)."""
        table = orm.audit_log
        while True:
            rows = self._db.execute(
                select(table).where(table.c.seq > after).order_by(table.c.seq).limit(_PAGE)
            ).all()
            for row in rows:
                yield _entry(row)
            if len(rows) < _PAGE:
                return
            after = rows[-1].seq

    def entry(self, seq: int) -> AuditEntry | None:
        table = orm.audit_log
        row = self._db.execute(select(table).where(table.c.seq == seq)).first()
        return _entry(row) if row else None

    def anchor(self) -> Anchor | None:
        """Where the chain starts, if a prefix of it was purged: the latest anchor."""
        table = orm.audit_anchors
        row = self._db.execute(select(table).order_by(table.c.seq.desc()).limit(1)).first()
        return Anchor(row.seq, row.hash) if row else None

    def purge_through(self, anchor: Anchor, actor: str) -> int:
        """Record ``anchor``, then delete the entries up to it: the triggers let through only
        entries an anchor covers, and on PostgreSQL only inside ``audit_log_purge`` (0004)."""
        values = {"seq": anchor.seq, "hash": anchor.hash, "purged_by": actor}
        self._db.execute(insert(orm.audit_anchors).values(**values, purged_at=self._now()))
        if self._db.dialect.name == "postgresql":
            purged = self._db.execute(select(func.audit_log_purge(anchor.seq))).scalar_one()
            return int(purged)
        table = orm.audit_log
        return self._db.execute(delete(table).where(table.c.seq <= anchor.seq)).rowcount


def _row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "agency": entry.agency,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "outcome": entry.outcome,
        "source": entry.source,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
        "component": entry.component,
        "client": entry.client,
        "receiving_agency": entry.receiving_agency,
    }


def _entry(row: Row[Any]) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        agency=row.agency,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        outcome=row.outcome,
        source=row.source,
        detail=dict(row.detail),
        prev_hash=row.prev_hash,
        hash=row.hash,
        component=row.component,
        client=row.client,
        receiving_agency=row.receiving_agency,
    )
