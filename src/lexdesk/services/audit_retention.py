"""Purging the oldest audit entries, never one younger than a year (CJIS AU-11).

A purge removes a prefix of the chain only, never entries from its middle: the entries from
the first one up to (not including) the first entry stamped on or after the cutoff. Before it
deletes anything it checks the chain, records an anchor (the last purged entry's seq and hash,
which the first kept entry's ``prev_hash`` names) and appends an ``audit.purge`` entry that
repeats the anchor, so ``verify`` walks the kept chain from the anchor and finds the anchor
vouched for by the chain itself. See docs/adr/0003-audit-trail.md "Retention".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NoReturn

from lexdesk.domain.audit import Anchor, AuditEntry, verify_chain
from lexdesk.domain.errors import InvalidInput
from lexdesk.services import audit
from lexdesk.services.audit import PURGE
from lexdesk.services.context import Desk
from lexdesk.services.ports import UnitOfWork

#: Nothing younger than this may be purged (CJIS AU-11: at least one year).
RETENTION = timedelta(days=365)


@dataclass(frozen=True)
class PurgeAudit:
    before: date
    actor: str = audit.SYSTEM
    source: str = "cli"


@dataclass(frozen=True)
class Purged:
    entries: int
    anchor: Anchor | None


def purge(desk: Desk, command: PurgeAudit) -> Purged:
    """Delete the entries older than ``before`` (UTC midnight) from the start of the chain."""
    cutoff = datetime.combine(command.before, time(), tzinfo=UTC)
    latest = (desk.clock.now() - RETENTION).date()
    if command.before > latest:
        _refuse(desk, command, f"entries younger than 365 days are kept: use {latest} or earlier")
    audit.catch_up(desk)  # what was submitted before the purge is judged with the rest
    with desk.uow() as uow:
        uow.audit.hold()  # no entry is chained until this purge ends
        start = uow.audit.anchor()
        entries = list(uow.audit.entries(start.seq if start else 0))
        result = verify_chain(entries, start=start)
        done = _purge_prefix(uow, command, _prefix(entries, cutoff)) if result.ok else None
        if done is not None:
            uow.commit()
    if done is None:
        _refuse(desk, command, f"the chain is broken at seq {result.first_bad_seq}: no purge")
    return done


def _prefix(entries: list[AuditEntry], cutoff: datetime) -> list[AuditEntry]:
    """The entries before the first one stamped on or after ``cutoff``."""
    kept = next((i for i, entry in enumerate(entries) if entry.at >= cutoff), len(entries))
    return entries[:kept]


def _purge_prefix(uow: UnitOfWork, command: PurgeAudit, prefix: list[AuditEntry]) -> Purged:
    last = prefix[-1] if prefix else None
    anchor = Anchor(last.seq, last.hash) if last else None
    detail: dict[str, object] = {"before": command.before.isoformat(), "purged": len(prefix)}
    if anchor is not None:
        detail |= {"through_seq": anchor.seq, "through_hash": anchor.hash}
    audit.record(
        uow,
        actor=command.actor,
        agency="",
        action=PURGE,
        object_type="audit_log",
        object_id=f"1..{anchor.seq}" if anchor else "",
        source=command.source,
        detail=detail,
    )
    purged = uow.audit.purge_through(anchor, command.actor) if anchor else 0
    return Purged(purged, anchor)


def _refuse(desk: Desk, command: PurgeAudit, reason: str) -> NoReturn:
    audit.record_alone(
        desk,
        actor=command.actor,
        agency="",
        action=PURGE,
        object_type="audit_log",
        object_id="",
        outcome="denied",
        source=command.source,
        detail={"before": command.before.isoformat(), "reason": reason},
    )
    raise InvalidInput(f"audit purge refused: {reason}")
