"""The audit log: entries submitted by the transactions that make them, the sequencer that
chains them in batches under the chain's lock, and the chain read back
(docs/adr/0029-audit-sequencer.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, bindparam, delete, func, insert, select, true

from lexdesk.adapters import orm
from lexdesk.domain.audit import Anchor, AuditEntry, sealed
from lexdesk.services import acting_agency

#: The key of the PostgreSQL advisory lock that serialises appends (any fixed 64-bit number;
#: this one spells "lexaudit" in ASCII).
AUDIT_LOCK_KEY = 0x6C6578_6175646974
_PAGE = 1000
#: How many submissions one transaction of the sequencer chains.
BATCH = 5000

# The statements of every request and of the sequencer, built once (building one costs about
# as much as sending it).
_QUEUE, _LOG = orm.audit_pending, orm.audit_log
_SUBMIT = insert(_QUEUE)
_LOCK = select(func.pg_advisory_xact_lock(AUDIT_LOCK_KEY))
_TRY_LOCK = select(func.pg_try_advisory_xact_lock(AUDIT_LOCK_KEY))
_LAST = select(_LOG.c.seq, _LOG.c.hash).order_by(_LOG.c.seq.desc()).limit(1).subquery()
# The chain's last entry comes with the batch: one statement, one snapshot.
_WAITING = (
    select(_QUEUE, _LAST.c.seq.label("last_seq"), _LAST.c.hash.label("last_hash"))
    .outerjoin(_LAST, true())
    .order_by(_QUEUE.c.id)
    .limit(bindparam("batch"))
)
_CHAIN = insert(_LOG)
_DEQUEUE = delete(_QUEUE).where(_QUEUE.c.id.in_(bindparam("ids", expanding=True)))


class SqlAuditRepository:
    def __init__(
        self,
        connection: Connection,
        now: Callable[[], datetime],
        sequencer: Callable[[], int] | None = None,
    ) -> None:
        self._db = connection
        self._now = now
        #: Chains every submission committed so far from a transaction of its own (PostgreSQL,
        #: ``sequence``); None: this transaction chains them itself (``chain_pending``).
        self._sequencer = sequencer
        #: Whether this transaction submitted entries (its unit of work chains them at commit).
        self.submitted = False

    def now(self) -> datetime:
        return self._now()

    # -- the request's side: submit, never wait --------------------------------------------

    def submit(self, entry: AuditEntry) -> None:
        """Put ``entry`` (a ``domain.audit.draft``) in the queue; it commits with this
        transaction or not at all, and the sequencer chains it."""
        self._db.execute(_SUBMIT, _submission(entry))
        self.submitted = True

    def submit_many(self, entries: list[AuditEntry]) -> None:
        """Drafts in one statement (a bulk operation), chained in the order given."""
        if entries:
            self._db.execute(_SUBMIT, [_submission(e) for e in entries])
            self.submitted = True

    # -- the sequencer's side: one at a time, under the chain's lock -------------------------

    def hold(self, *, wait: bool = True) -> bool:
        """Take the chain for the rest of this transaction: no other can chain or purge until
        it ends. SQLite transactions hold the write lock from BEGIN IMMEDIATE already. False
        when ``wait`` is False and someone else holds it (they will chain what is waiting)."""
        if self._db.dialect.name != "postgresql":
            return True
        if wait:
            self._db.execute(_LOCK)
            return True
        return bool(self._db.scalar(_TRY_LOCK))

    def head(self) -> AuditEntry | None:
        """The last entry (``hold`` the chain first to append after it)."""
        table = orm.audit_log
        row = self._db.execute(select(table).order_by(table.c.seq.desc()).limit(1)).first()
        return _entry(row) if row else None

    def chain_pending(self) -> int:
        """Chain up to ``BATCH`` waiting submissions after the chain's last entry (or the
        anchor a purge left), in the order they were submitted; how many were chained. Must
        run where ``hold`` is current: a transaction that reads the latest committed state."""
        waiting = self._db.execute(_WAITING, {"batch": BATCH}).all()
        if not waiting:
            return 0
        head = waiting[0]
        after = Anchor(head.last_seq, head.last_hash) if head.last_seq else self.anchor()
        rows = []
        for submission in waiting:
            entry = sealed(after, _fields(submission, seq=0, prev_hash="", hash=""))
            rows.append(_row(entry) | {"submitted": submission.id})
            after = Anchor(entry.seq, entry.hash)
        self._db.execute(_CHAIN, rows)
        self._db.execute(_DEQUEUE, {"ids": [s.id for s in waiting]})
        return len(waiting)

    def catch_up(self) -> int:
        """Chain every submission committed so far, waiting for the chain if another holds
        it: what a reader that must see the whole chain does first. On PostgreSQL the
        sequencer does it outside this transaction, which it ends: call it before anything."""
        if self._sequencer is not None:
            return self._sequencer()
        self.hold()
        chained = total = self.chain_pending()
        while chained == BATCH:
            chained = self.chain_pending()
            total += chained
        return total

    def append(self, entry: AuditEntry) -> None:
        """An entry already chained (a restore's own), the chain held."""
        self._db.execute(insert(orm.audit_log).values(**_row(entry)))

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


def sequence(engine: Engine, now: Callable[[], datetime], *, wait: bool = True) -> int:
    """``sequence_on`` a connection of its own (the worker, a backup)."""
    with engine.connect() as connection:
        return sequence_on(connection, now, wait=wait)


def sequence_on(connection: Connection, now: Callable[[], datetime], *, wait: bool = True) -> int:
    """Chain every submission committed so far, a batch a transaction, on ``connection`` (no
    transaction open on it), each transaction reading the latest committed state: READ
    COMMITTED on PostgreSQL, where the desk's transactions read one snapshot, which may
    predate the chain's last entry. With ``wait`` False, leave it to whoever holds the chain
    now. How many were chained."""
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.execution_options(isolation_level="READ COMMITTED")
    # It chains every agency's entries: its transactions act for none (no row-level setting).
    try:
        with acting_agency.scope():
            total = 0
            while True:
                with connection.begin():
                    trail = SqlAuditRepository(connection, now)
                    chained = trail.chain_pending() if trail.hold(wait=wait) else 0
                total += chained
                if chained < BATCH:
                    return total
    finally:
        if postgres:
            connection.execution_options(isolation_level=connection.default_isolation_level)


def _submission(entry: AuditEntry) -> dict[str, Any]:
    row = _row(entry)
    for place in ("seq", "prev_hash", "hash"):
        del row[place]
    return row


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
    return _fields(row, seq=row.seq, prev_hash=row.prev_hash, hash=row.hash)


def _fields(row: Row[Any], *, seq: int, prev_hash: str, hash: str) -> AuditEntry:
    return AuditEntry(
        seq=seq,
        at=row.at,
        actor=row.actor,
        agency=row.agency,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        outcome=row.outcome,
        source=row.source,
        detail=dict(row.detail),
        prev_hash=prev_hash,
        hash=hash,
        component=row.component,
        client=row.client,
        receiving_agency=row.receiving_agency,
    )
