"""The audit trail as the use cases write and check it (CJIS AU-2, AU-3, AU-9; ASVS V16).

A state change records its entry with ``record`` in its own unit of work, so the entry commits
with the change or not at all. A refusal or a failed sign-in, whose unit of work rolls back,
records with ``record_alone`` in a unit of work of its own, so the attempt is still on record.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from lexdesk.domain.audit import (
    Anchor,
    AuditEntry,
    ChainWalk,
    Checkpoint,
    Outcome,
    VerifyResult,
    checkpoint_of,
    draft,
    entry_hash,
    format_time,
    public_key_for,
    sign_checkpoint,
    verify_chain,
)
from lexdesk.domain.errors import InvalidInput, LexdeskError, NotFound, NotPermitted
from lexdesk.services.context import Desk, alarm_of, audit_actor
from lexdesk.services.ports import AuditLog, UnitOfWork

SYSTEM = "system"
#: The entry a purge writes (``audit_retention``), naming the anchor it leaves.
PURGE = "audit.purge"
#: Where entries come in from; ``internal`` is a service called by no entry point (a script).
COMPONENTS = frozenset({"api", "web", "cli", "worker", "internal"})


@dataclass
class Channel:
    """The entry point a request or command came in by, and its client, stamped on every entry
    written while it is handled; and how many refusals were put on record meanwhile, so that a
    refused request already on record is not recorded twice."""

    component: str
    client: str = ""
    refusals: int = 0


_channel: ContextVar[Channel | None] = ContextVar("lexdesk_audit_channel", default=None)


def open_channel(component: str, client: str = "") -> Channel:
    """Handle what follows, in this context (a request's task, a command), as from ``component``.
    Threads started for it from this context see the same channel."""
    if component not in COMPONENTS:
        raise ValueError(f"component {component!r} is not one of {sorted(COMPONENTS)}")
    channel = Channel(component, client[:200])
    _channel.set(channel)
    return channel


def channel() -> Channel:
    return _channel.get() or Channel("internal")


def record(
    uow: UnitOfWork,
    *,
    actor: str,
    agency: str,
    action: str,
    object_type: str,
    object_id: str,
    outcome: Outcome = "success",
    source: str,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
    receiving_agency: str = "",
) -> AuditEntry:
    """Submit an entry to the chain inside ``uow``; it commits with ``uow`` or not at all, and
    the sequencer gives it its place (the entry returned has none yet).

    If the audit log cannot be written, the desk's alarm sounds at once and the error goes on:
    the request fails (fail closed, CJIS AU-5, AU-9)."""
    via = channel()
    try:
        entry = draft(
            at=at or uow.audit.now(),
            actor=actor,
            agency=agency,
            action=action,
            object_type=object_type,
            object_id=object_id,
            outcome=outcome,
            source=source,
            detail=detail,
            component=via.component,
            client=via.client,
            receiving_agency=receiving_agency,
        )
        uow.audit.submit(entry)
        if outcome != "success":
            via.refusals += 1
    except Exception as failure:
        _sound_alarm(uow, action, failure)
        raise
    return entry


def record_many(uow: UnitOfWork, entries: list[dict[str, Any]]) -> int:
    """Submit many entries at once, to be chained in the order given, inside ``uow`` (a bulk
    import: one insert). Each dict holds ``record``'s keyword arguments."""
    if not entries:
        return 0
    try:
        at, via = uow.audit.now(), channel()
        drafts = [
            draft(at=at, outcome="success", component=via.component, client=via.client, **fields)
            for fields in entries
        ]
        uow.audit.submit_many(drafts)
    except Exception as failure:
        _sound_alarm(uow, str(entries[0].get("action", "bulk")), failure)
        raise
    return len(drafts)


def _sound_alarm(uow: UnitOfWork, action: str, failure: Exception) -> None:
    """Raise the alarm with a reason that names the kind of failure and the action, never the
    error's text (a database error may quote the entry's values) nor the entry's fields."""
    alarm = alarm_of(uow)
    if alarm is None:
        return
    reason = f"audit write failed ({type(failure).__name__}) while recording {action[:100]}"
    try:
        at = uow.audit.now()
    except Exception:  # the clock is the unit of work's; the alarm must not wait for it
        at = datetime.now(UTC)
    alarm.raise_alarm(reason, at)


def record_alone(desk: Desk, **fields: Any) -> AuditEntry:
    """``record`` in a unit of work of its own: for attempts whose own work rolls back."""
    with desk.uow() as uow:
        entry = record(uow, at=desk.clock.now(), **fields)
        uow.commit()
    return entry


def record_read(
    desk: Desk,
    *,
    actor: str,
    agency: str,
    object_type: str,
    object_id: str,
    source: str,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Every read of personal data is on record too (CJIS AU-2 c.2, ASVS 16.3.3)."""
    return record_alone(
        desk,
        actor=actor,
        agency=agency,
        action=f"{object_type}.read",
        object_type=object_type,
        object_id=object_id,
        source=source,
        detail=detail,
    )


Command = TypeVar("Command")
Result = TypeVar("Result")


def records_denials(
    action: str, object_type: str, object_field: str | None = "instrument_id"
) -> Callable[[Callable[[Desk, Command], Result]], Callable[[Desk, Command], Result]]:
    """Put a refused attempt on record before the refusal reaches the user (ASVS 16.3.2):
    ``denied`` when the actor may not do it or may not see the object, ``failure`` when the
    attempt itself was refused (an illegal transition, a stale version, bad input)."""

    def decorate(service: Callable[[Desk, Command], Result]) -> Callable[[Desk, Command], Result]:
        @functools.wraps(service)
        def audited(desk: Desk, command: Command) -> Result:
            try:
                return service(desk, command)
            except LexdeskError as refusal:
                denied = isinstance(refusal, NotPermitted | NotFound)
                actor, behalf = audit_actor(desk, str(getattr(command, "actor", SYSTEM)))
                record_alone(
                    desk,
                    actor=actor,
                    agency="",
                    action=action,
                    object_type=object_type,
                    object_id=str(getattr(command, object_field or "", "") or ""),
                    outcome="denied" if denied else "failure",
                    source=str(getattr(command, "source", "cli")),
                    detail={"reason": str(refusal), "refusal": type(refusal).__name__, **behalf},
                )
                raise

        return audited

    return decorate


def record_refusal(
    desk: Desk,
    refusal: LexdeskError,
    *,
    username: str,
    agency: str,
    action: str,
    object_id: str,
    source: str,
    detail: dict[str, Any],
) -> None:
    """A reader's refused attempt on an instrument, on record before the refusal reaches them,
    as ``records_denials`` does for a command: ``denied`` when they may not do it or may not
    see the instrument, ``failure`` when the attempt itself was wrong."""
    actor, behalf = audit_actor(desk, username)
    record_alone(
        desk,
        actor=actor,
        agency=agency,
        action=action,
        object_type="instrument",
        object_id=object_id[:100],
        outcome="denied" if isinstance(refusal, NotPermitted | NotFound) else "failure",
        source=source,
        detail={"reason": str(refusal), **detail, **behalf},
    )


def catch_up(desk: Desk) -> int:
    """Chain every entry committed so far, waiting for the sequencer if it is busy: what a
    reader of the whole chain does first. How many were chained."""
    with desk.uow() as uow:
        chained = uow.audit.catch_up()
        uow.commit()
    return chained


def verify(desk: Desk, anchor: Checkpoint | None = None) -> VerifyResult:
    """Walk the whole chain (and match it to a trusted checkpoint, if given); the result names
    the first entry that does not check. After a purge the walk starts at the stored anchor,
    which a kept ``audit.purge`` entry must name."""
    catch_up(desk)
    with desk.uow() as uow:
        return verify_trail(uow.audit, anchor)


def verify_trail(trail: AuditLog, anchor: Checkpoint | None = None) -> VerifyResult:
    """``verify`` on a trail as one transaction sees it (a restore checks the trail it wrote
    before committing it)."""
    start = trail.anchor()
    named: list[bool] = []
    result = verify_chain(
        _noting_purges(trail.entries(start.seq if start else 0), start, named), anchor, start
    )
    if result.ok and start is not None and not named:
        reason = f"no audit.purge entry names the anchor at seq {start.seq}: entries were removed"
        return VerifyResult(ok=False, checked=result.checked, reason=reason)
    return result


def verify_after(desk: Desk, known: Anchor) -> VerifyResult:
    """Check only the entries after ``known``, an entry a walk found good before (its seq and
    hash): that it is still there unchanged, and that every entry since follows it. What the
    web's audit page does between full walks; ``checked`` counts the new entries only."""
    catch_up(desk)
    with desk.uow() as uow:
        still = uow.audit.entry(known.seq) if known.seq else None
        if known.seq and (still is None or entry_hash(still) != known.hash):
            reason = f"entry {known.seq}, verified before, has changed or is gone"
            return VerifyResult(ok=False, checked=0, first_bad_seq=known.seq, reason=reason)
        return verify_chain(uow.audit.entries(known.seq), start=known)


def vouches(entry: AuditEntry, anchor: Anchor) -> bool:
    """Whether ``entry`` is an ``audit.purge`` that names ``anchor``: an anchor that the chain
    does not record is someone's attempt to hide a deleted prefix."""
    return (
        entry.action == PURGE
        and entry.detail.get("through_seq") == anchor.seq
        and entry.detail.get("through_hash") == anchor.hash
    )


def _noting_purges(
    entries: Iterable[AuditEntry], anchor: Anchor | None, named: list[bool]
) -> Iterator[AuditEntry]:
    """The entries as they stream past, noting in ``named`` whether one vouches for
    ``anchor`` (so the chain is read once, and never held whole)."""
    for entry in entries:
        if anchor is not None and not named and vouches(entry, anchor):
            named.append(True)
        yield entry


@dataclass(frozen=True)
class SignedCheckpoint:
    size: int
    head: str
    root: str
    at: datetime
    signature: str
    public_key: str

    def to_json(self) -> dict[str, object]:
        return {
            "version": 1,
            "size": self.size,
            "head": self.head,
            "root": self.root,
            "at": format_time(self.at),
            "signature": self.signature,
            "public_key": self.public_key,
        }


def checkpoint(desk: Desk, private_key: bytes) -> SignedCheckpoint:
    """Sign the Merkle root and head of the whole chain, after checking that it is intact:
    a checkpoint over a broken chain would vouch for the tampering."""
    catch_up(desk)
    with desk.uow() as uow:
        start = uow.audit.anchor()
        walk = ChainWalk(start, cover=sys.maxsize)
        for entry in uow.audit.entries(start.seq if start else 0):
            fault = walk.step(entry)
            if fault is not None:
                raise InvalidInput(
                    f"the audit chain is broken at seq {walk.position} ({fault}):"
                    " no checkpoint signed; investigate with `lexdesk audit verify`"
                )
    made = checkpoint_of(walk, at=desk.clock.now())
    return SignedCheckpoint(
        size=made.size,
        head=made.head_hash,
        root=made.root_hash,
        at=made.at,
        signature=sign_checkpoint(made, private_key).hex(),
        public_key=public_key_for(private_key).hex(),
    )
