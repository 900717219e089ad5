"""Changing a user's roles, with separation of duties (docs/adr/0013-separation-of-duties.md).

An administrator of the user's agency (in a recently confirmed session: ``privileges``)
changes another user's roles: roles taken away and roles outside ``NEEDS_SECOND_ADMIN`` change
at once; ``legal``, ``officer`` and ``admin`` become a pending ``RoleGrant`` that a second
administrator of the same agency approves or refuses. Nobody changes their own roles or
decides a request they made or that names them; the last active administrator keeps the role.
The operator at the command line (``system``) holds the database itself: its changes take
effect at once, and it may decide any request. Every step is on record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from lexdesk.domain.administration import (
    RoleGrant,
    check_decider,
    check_keeps_an_admin,
    check_not_self,
    check_reason,
    role_names,
    split_roles,
)
from lexdesk.domain.agencies import Role, User, parse_role
from lexdesk.domain.errors import ConcurrencyConflict, InvalidInput, NotFound
from lexdesk.domain.ids import new_id
from lexdesk.services import audit
from lexdesk.services.context import Desk
from lexdesk.services.ports import UnitOfWork
from lexdesk.services.privileges import require_admin


@dataclass(frozen=True)
class ChangeRoles:
    username: str
    roles: tuple[str, ...]
    actor: str = audit.SYSTEM
    source: str = "cli"
    session: str = ""
    reason: str = ""


@dataclass(frozen=True)
class RoleChange:
    """The user as the change left them, and the request that waits for a second
    administrator, if any roles need one."""

    user: User
    pending: RoleGrant | None


@dataclass(frozen=True)
class DecideGrant:
    grant_id: str
    actor: str = audit.SYSTEM
    source: str = "cli"
    session: str = ""
    reason: str = ""


@audit.records_denials("user.roles", "user", "username")
def change_roles(desk: Desk, command: ChangeRoles) -> RoleChange:
    """Give ``username`` exactly ``roles``: some at once, the rest on a second approval."""
    if not command.roles:
        raise InvalidInput("name at least one role; to stop someone signing in, disable them")
    wanted = frozenset(parse_role(r) for r in command.roles)
    reason = check_reason(command.reason)
    with desk.uow() as uow:
        user = _target(uow, command.username, command.actor, command.session)
        check_not_self(command.actor, user, "change the roles of")
        colleagues = uow.users.of_agency(user.agency_id, lock=True)
        removed, added = user.roles - wanted, wanted - user.roles
        if Role.ADMIN in removed:
            check_keeps_an_admin(user, colleagues, "take away the admin role")
        now, pending = (added, frozenset()) if command.actor == audit.SYSTEM else split_roles(added)
        if not removed and not added:
            raise InvalidInput(f"user {user.username} already holds exactly these roles")
        grant = None
        if pending:
            grant = request_grant(uow, user, pending, command.actor, command.source, reason)
        if removed or now:
            user = set_roles(uow, user, (user.roles - removed) | now, command.actor, command.source)
        uow.commit()
    return RoleChange(user, grant)


def request_grant(
    uow: UnitOfWork, user: User, roles: frozenset[Role], actor: str, source: str, reason: str
) -> RoleGrant:
    """A pending request, on record, that ``user`` be granted ``roles``; at most one pends
    for a user at a time."""
    waiting = [g for g in uow.users.grants_of(user.agency_id, "pending") if g.user_id == user.id]
    if waiting:
        raise InvalidInput(
            f"a request to grant {role_names(waiting[0].roles)} to {user.username}"
            f" ({waiting[0].id}) awaits a second administrator: approve or refuse it first"
        )
    grant = RoleGrant(
        id=new_id("rg"),
        agency_id=user.agency_id,
        user_id=user.id,
        username=user.username,
        roles=roles,
        requested_by=actor,
        requested_at=uow.audit.now(),
        reason=reason,
    )
    uow.users.add_grant(grant)
    detail = {"username": user.username, "roles": sorted(r.value for r in roles)}
    _record(uow, actor, grant, "role_grant.request", source, detail)
    return grant


def set_roles(uow: UnitOfWork, user: User, roles: frozenset[Role], actor: str, source: str) -> User:
    uow.users.set_roles(user.id, roles)
    audit.record(
        uow,
        actor=actor,
        agency=user.agency_id,
        action="user.roles",
        object_type="user",
        object_id=user.id,
        source=source,
        detail={
            "added": sorted(r.value for r in roles - user.roles),
            "removed": sorted(r.value for r in user.roles - roles),
        },
    )
    return replace(user, roles=roles)


@audit.records_denials("role_grant.approve", "role_grant", "grant_id")
def approve_grant(desk: Desk, command: DecideGrant) -> RoleChange:
    """A second administrator approves: the roles are granted now."""
    with desk.uow() as uow:
        grant = _decide(uow, command, "approved")
        user = uow.users.get(grant.user_id)
        if user is None or user.agency_id != grant.agency_id:
            raise NotFound("user", grant.username)
        user = set_roles(uow, user, user.roles | grant.roles, command.actor, command.source)
        uow.commit()
    return RoleChange(user, None)


@audit.records_denials("role_grant.refuse", "role_grant", "grant_id")
def refuse_grant(desk: Desk, command: DecideGrant) -> RoleGrant:
    """A second administrator refuses: nothing is granted; the request stays on record."""
    with desk.uow() as uow:
        grant = _decide(uow, command, "refused")
        uow.commit()
    return grant


def pending_grants(
    desk: Desk, agency_id: str, actor: str = audit.SYSTEM, session: str = ""
) -> list[RoleGrant]:
    """The requests of ``agency_id`` that wait for a second administrator (for the operator,
    or an administrator of that agency)."""
    with desk.uow() as uow:
        require_admin(uow, actor, agency_id, session)
        return uow.users.grants_of(agency_id, "pending")


def _decide(uow: UnitOfWork, command: DecideGrant, status: str) -> RoleGrant:
    grant = uow.users.grant(command.grant_id)
    if grant is None:
        require_admin(uow, command.actor, "")  # only the operator learns which ids exist
        raise NotFound("role grant request", command.grant_id)
    require_admin(uow, command.actor, grant.agency_id, command.session)
    check_decider(grant, command.actor)
    decided = replace(
        grant,
        status="approved" if status == "approved" else "refused",
        decided_by=command.actor,
        decided_at=uow.audit.now(),
        decision_reason=check_reason(command.reason),
    )
    if not uow.users.decide_grant(decided):
        raise ConcurrencyConflict("role grant request", grant.id, 0)
    action = "role_grant.approve" if status == "approved" else "role_grant.refuse"
    detail = {"username": grant.username, "roles": sorted(r.value for r in grant.roles)}
    _record(uow, command.actor, grant, action, command.source, detail)
    return decided


def _target(uow: UnitOfWork, username: str, actor: str, session: str) -> User:
    user = uow.users.by_username(username)
    if user is None:
        require_admin(uow, actor, "")  # only the operator learns which names exist
        raise NotFound("user", username)
    require_admin(uow, actor, user.agency_id, session)
    return user


def _record(
    uow: UnitOfWork,
    actor: str,
    grant: RoleGrant,
    action: str,
    source: str,
    detail: Mapping[str, object],
) -> None:
    audit.record(
        uow,
        actor=actor,
        agency=grant.agency_id,
        action=action,
        object_type="role_grant",
        object_id=grant.id,
        source=source,
        detail=dict(detail),
    )
