"""Who may take a privileged action: an administrator of the agency, in a session whose holder
confirmed who they are within the last 5 minutes (CJIS IA-11; ASVS 7.5.1).

The one place that asks for it. Adding, disabling and unlocking users, resetting MFA, creating
and revoking API tokens (through ``require_admin``) and changing one's own password (through
``require_confirmed``) all pass here. The actor ``system`` is the operator at the command line,
who holds the database itself: there is no session to confirm.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lexdesk.domain.accounts import Session
from lexdesk.domain.agencies import Role
from lexdesk.domain.credentials import token_digest
from lexdesk.domain.errors import ConfirmationNeeded, NotPermitted
from lexdesk.services import audit
from lexdesk.services.context import Desk, acting_user
from lexdesk.services.ports import UnitOfWork

#: How long a confirmation of identity (password and a fresh code) opens privileged actions.
CONFIRMATION_LIFETIME = timedelta(minutes=5)
CONFIRM_FIRST = (
    "confirm it's you first: enter your password and a new authenticator code"
    " (POST /api/v1/session/confirm, or the Confirm it's you page), then try again"
)


def require_admin(uow: UnitOfWork, actor: str, agency_id: str, session: str = "") -> None:
    """``actor`` administers ``agency_id`` and confirmed who they are in ``session`` (the
    digest of their session token) within ``CONFIRMATION_LIFETIME``."""
    if actor == audit.SYSTEM:
        return
    admin = acting_user(uow, actor)
    if Role.ADMIN not in admin.roles or admin.agency_id != agency_id:
        raise NotPermitted(
            f"{actor} is not an administrator of {agency_id}: ask one of its administrators"
        )
    require_confirmed(uow, actor, session)


def require_confirmed(uow: UnitOfWork, actor: str, session: str) -> None:
    """Refuse unless ``actor`` confirmed who they are in ``session`` recently enough."""
    if actor == audit.SYSTEM:
        return
    found = uow.accounts.session(session) if session else None
    user = uow.users.by_username(actor)
    owned = found is not None and user is not None and found.user_id == user.id
    if not owned or found is None or not is_fresh(found, uow.audit.now()):
        raise ConfirmationNeeded(CONFIRM_FIRST)


def is_fresh(session: Session, now: datetime) -> bool:
    confirmed = session.confirmed_at
    alive = session.ended_at is None
    return alive and confirmed is not None and now - confirmed < CONFIRMATION_LIFETIME


def is_confirmed(desk: Desk, token: str) -> bool:
    """Whether the holder of this session token may take privileged actions now: for a page
    to send them to confirm first, rather than after they filled in a form."""
    with desk.uow() as uow:
        found = uow.accounts.session(token_digest(token))
    return found is not None and is_fresh(found, desk.clock.now())
