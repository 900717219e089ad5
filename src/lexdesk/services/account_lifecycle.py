"""The sweep over accounts (CJIS AC-2(2), AC-2(3); domain/account_lifecycle.py): the worker
runs it with every sweep, and ``lexdesk users disable-inactive`` at once.

- An account inactive ``INACTIVITY_LIMIT`` is disabled and signed out everywhere. The agency's
  last active administrator is kept, so that someone can still enable, unlock and grant: the
  audit trail says so once for each spell of inactivity (``user.disable``, denied).
- A temporary account past its end is removed: disabled, its password, TOTP key and enrolment
  code erased, the API tokens it made revoked, its username freed (``remove``). Being the
  agency's last administrator does not keep it (it could not sign in anyway): the entry says
  so, for the operator to make another.
- An API token unused ``INACTIVITY_LIMIT`` is revoked: a token is a system's account.

Every change is its own unit of work with its own audit entry, so that one that fails stops
no other; each re-reads what it changes, so that a sign-in a moment before is not undone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from lexdesk.domain.account_lifecycle import (
    Dormant,
    has_ended,
    inactivity_cutoff,
    is_removed,
    utc_day,
)
from lexdesk.domain.administration import is_last_admin
from lexdesk.domain.agencies import User
from lexdesk.domain.audit import Outcome
from lexdesk.services import audit
from lexdesk.services.context import Desk, audit_actor
from lexdesk.services.ports import UnitOfWork

log = logging.getLogger("lexdesk.accounts")

#: Accounts (and tokens) looked at per sweep: the rest wait for the next, a minute later.
SWEEP_LIMIT = 1_000
INACTIVE = "inactive 90 days"
KEPT = "the last active administrator of the agency is never disabled for inactivity"
LEFT_WITHOUT_ADMIN = (
    "the agency has no active administrator left: the operator must make one"
    " (lexdesk users add ... --role admin)"
)


@dataclass(frozen=True)
class AccountSweep:
    """What one sweep did, by username (token ids for tokens)."""

    disabled: tuple[str, ...] = ()
    #: Inactive, but kept: the last active administrator of their agency.
    kept: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    tokens_revoked: tuple[str, ...] = ()


def sweep_accounts(desk: Desk, source: str = "worker") -> AccountSweep:
    now = desk.clock.now()
    removed = [name for user in _ended(desk, now) if (name := _remove(desk, user, now, source))]
    disabled, kept = _disable_dormant(desk, now, source)
    tokens = _revoke_idle_tokens(desk, now, source)
    return AccountSweep(tuple(disabled), tuple(kept), tuple(removed), tuple(tokens))


def _ended(desk: Desk, now: datetime) -> list[User]:
    with desk.uow() as uow:
        return uow.users.ended(now, SWEEP_LIMIT)


def _remove(desk: Desk, ended: User, now: datetime, source: str) -> str | None:
    with desk.uow() as uow:
        user = uow.users.get(ended.id)
        if user is None or is_removed(user.username) or not has_ended(user.ends_at, now):
            return None
        last_admin = is_last_admin(user, uow.users.of_agency(user.agency_id, lock=True))
        uow.users.remove(user, now)
        sessions = uow.accounts.end_sessions_of(user.id, now, "removed")
        uow.accounts.erase_credentials(user.id)
        tokens = uow.accounts.live_api_tokens_made_by(user.agency_id, user.username, now)
        for token_id in tokens:
            uow.accounts.revoke_api_token(token_id, now)
        assert user.ends_at is not None
        detail: dict[str, object] = {
            "reason": "temporary account past its end",
            "username": user.username,
            "ended_at": user.ends_at.isoformat(),
            "sessions_ended": sessions,
            "tokens_revoked": tokens,
        }
        if last_admin:
            detail["last_admin"] = LEFT_WITHOUT_ADMIN
            log.warning("removed %s: %s", user.username, LEFT_WITHOUT_ADMIN)
        _record(desk, uow, user, "user.remove", source, detail)
        uow.commit()
    return user.username


def _disable_dormant(desk: Desk, now: datetime, source: str) -> tuple[list[str], list[str]]:
    cutoff = inactivity_cutoff(utc_day(now))
    with desk.uow() as uow:
        agencies = sorted({d.agency_id for d in uow.users.dormant(cutoff, SWEEP_LIMIT)})
    disabled: list[str] = []
    kept: list[str] = []
    for agency_id in agencies:
        with desk.uow() as uow:
            # Locked first, then read again: a sign-in a moment ago keeps its account.
            colleagues = uow.users.of_agency(agency_id, lock=True)
            found = [d for d in uow.users.dormant(cutoff, SWEEP_LIMIT) if d.agency_id == agency_id]
            # The longest quiet go first: of two idle administrators, the more recent stays.
            for dormant in sorted(found, key=lambda d: (d.quiet_since, d.username)):
                user = next(u for u in colleagues if u.id == dormant.user_id)
                if is_last_admin(user, colleagues):
                    _keep(desk, uow, user, dormant, now, source)
                    kept.append(user.username)
                    continue
                user.active = False  # the next one's "last administrator" counts it out
                uow.users.set_active(user.id, False)
                sessions = uow.accounts.end_sessions_of(user.id, now, "inactive")
                detail = {
                    "reason": INACTIVE,
                    "inactive_since": dormant.quiet_since.isoformat(),
                    "sessions_ended": sessions,
                }
                _record(desk, uow, user, "user.disable", source, detail)
                disabled.append(user.username)
            uow.commit()
    return disabled, kept


def _keep(
    desk: Desk, uow: UnitOfWork, user: User, dormant: Dormant, now: datetime, source: str
) -> None:
    if dormant.kept_already():
        return
    uow.users.note_kept(user.id, utc_day(now))
    detail = {"reason": INACTIVE, "inactive_since": dormant.quiet_since.isoformat(), "kept": KEPT}
    _record(desk, uow, user, "user.disable", source, detail, "denied")
    log.warning("kept %s although %s: %s", user.username, INACTIVE, KEPT)


def _revoke_idle_tokens(desk: Desk, now: datetime, source: str) -> list[str]:
    cutoff = inactivity_cutoff(utc_day(now))
    with desk.uow() as uow:
        idle = uow.accounts.idle_api_tokens(cutoff, now, SWEEP_LIMIT)
        who, _ = audit_actor(desk, audit.SYSTEM)
        for token in idle:
            uow.accounts.revoke_api_token(token.id, now)
            audit.record(
                uow,
                actor=who,
                agency=token.agency_id,
                action="token.revoke",
                object_type="api_token",
                object_id=token.id,
                source=source,
                detail={"reason": "unused 90 days", "name": token.name},
            )
        uow.commit()
    return [token.id for token in idle]


def _record(
    desk: Desk,
    uow: UnitOfWork,
    user: User,
    action: str,
    source: str,
    detail: Mapping[str, object],
    outcome: Outcome = "success",
) -> None:
    who, _ = audit_actor(desk, audit.SYSTEM)
    audit.record(
        uow,
        actor=who,
        agency=user.agency_id,
        action=action,
        object_type="user",
        object_id=user.id,
        outcome=outcome,
        source=source,
        detail=dict(detail),
    )
