"""``/api/v1/agencies`` (the directory every agency needs to address the others),
``/api/v1/users`` (an administrator's accounts, in their own agency only) and
``/api/v1/role-grants`` (roles that wait for a second administrator's approval)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BeforeValidator, Field, StringConstraints

from lexdesk.domain.administration import RoleGrant
from lexdesk.domain.agencies import Agency, Role, User
from lexdesk.domain.errors import NotFound
from lexdesk.domain.permissions import Permission
from lexdesk.domain.vocabulary import AgencyKind
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.errors import COMMON_ERRORS, ApiRoute
from lexdesk.entrypoints.api.idempotency import ShownOnce
from lexdesk.entrypoints.api.schemas import (
    CODE_PATTERN,
    ONE_LINE,
    Answer,
    Code,
    Cursor,
    Day,
    Limit,
    Name,
    NewSecret,
    StrictBody,
    Username,
    one_line,
)
from lexdesk.entrypoints.api.security import requires
from lexdesk.queries import api_lists
from lexdesk.services import account_admin, accounts, audit, enrolment, role_grants
from lexdesk.services.accounts import Principal
from lexdesk.services.agencies import AddUser

router = APIRouter(tags=["agencies"], route_class=ApiRoute, responses=COMMON_ERRORS)
Admin = Annotated[Principal, Depends(requires(Permission.USER_ADMIN))]
Directory = Annotated[Principal, Depends(requires(Permission.AGENCY_READ))]
AgencyCode = Annotated[str, Path(pattern=CODE_PATTERN, description="An agency code.")]
GrantId = Annotated[
    str, Path(pattern=r"^rg-[0-9a-f]{16}$", description="A role grant request's id.")
]


class AgencyOut(Answer):
    id: str
    name: str
    kind: AgencyKind
    jurisdiction: str
    rule_pack: str | None


class UserOut(Answer):
    id: str
    username: str
    display_name: str
    roles: list[Role]
    active: bool


class UserPage(Answer):
    items: list[UserOut]
    next_cursor: str | None


class NewUser(StrictBody):
    """An account in the administrator's own agency; the agency is not the body's to choose."""

    username: Code
    display_name: Name
    roles: list[Role] = Field(min_length=1, max_length=5)
    password: NewSecret
    ends_on: Day | None = Field(
        default=None,
        description="A temporary account's last day, in the agency's time zone: it cannot"
        " sign in after it and is removed (docs/accounts.md).",
    )


class EnrolmentIssued(Answer):
    user: UserOut
    enrolment_code: str = Field(
        description="Shown once: give it to the user apart from the password. They enter it"
        " at their first sign-in (POST /session/enrolment) to set up their authenticator."
    )
    enrolment_code_expires_at: datetime = Field(description="It works once, until then.")
    pending_roles: list[Role] = Field(
        default_factory=list,
        description="Roles asked for that wait for a second administrator (role-grants).",
    )


class AccountStateOut(Answer):
    username: str
    active: bool
    locked: bool = Field(description="Still locked: it cannot sign in until unlocked.")


GrantReason = Annotated[
    str, StringConstraints(max_length=500, pattern=ONE_LINE), BeforeValidator(one_line)
]


class NewRoles(StrictBody):
    """Exactly the roles the user is to hold. Roles taken away and ``supervisor`` or
    ``auditor`` change at once; ``legal``, ``officer`` and ``admin`` wait for a second
    administrator of the agency (docs/adr/0013-separation-of-duties.md)."""

    roles: list[Role] = Field(min_length=1, max_length=5)
    reason: GrantReason = ""


class Decision(StrictBody):
    reason: GrantReason = ""


class RoleGrantOut(Answer):
    id: str
    username: str
    roles: list[Role]
    requested_by: str
    requested_at: datetime
    reason: str
    status: Literal["pending", "approved", "refused"]
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str


class RolesChanged(Answer):
    user: UserOut
    pending: RoleGrantOut | None = Field(description="The request a second admin decides.")


def agency_out(agency: Agency) -> AgencyOut:
    return AgencyOut(
        id=agency.id,
        name=agency.name,
        kind=agency.kind,
        jurisdiction=agency.jurisdiction,
        rule_pack=agency.rule_pack,
    )


@router.get("/agencies", name="list_agencies")
def list_agencies(request: Request, reader: Directory) -> list[AgencyOut]:
    """Every agency: who can be addressed, and under which rule pack."""
    with built(request).desk.uow() as uow:
        return [agency_out(a) for a in uow.agencies.list()]


@router.get("/agencies/{agency_id}", name="get_agency")
def get_agency(request: Request, agency_id: AgencyCode, reader: Directory) -> AgencyOut:
    with built(request).desk.uow() as uow:
        found = uow.agencies.get(agency_id)
    if found is None:
        raise NotFound("agency", agency_id)
    return agency_out(found)


@router.get("/users", name="list_users")
def list_users(
    request: Request, admin: Admin, limit: Limit = 50, cursor: Cursor = None
) -> UserPage:
    """The accounts of the administrator's agency."""
    with built(request).engine.connect() as db:
        page = api_lists.users(db, admin.agency_id, limit, cursor)
    audit.record_read(  # a privileged read of the accounts (CJIS AC-6(9))
        built(request).desk,
        actor=admin.username,
        agency=admin.agency_id,
        object_type="user_list",
        object_id=admin.agency_id,
        source=source_of(request),
        detail={"users": [r.id for r in page.rows]},
    )
    items = [
        UserOut(
            id=r.id,
            username=r.username,
            display_name=r.display_name,
            roles=r.roles,
            active=r.active,
        )
        for r in page.rows
    ]
    return UserPage(items=items, next_cursor=page.next_cursor)


@router.post("/users", name="add_user", status_code=201, responses={409: COMMON_ERRORS[404]})
def add_user(request: Request, body: NewUser, admin: Admin, once: ShownOnce) -> EnrolmentIssued:
    """A new account in one's own agency, with its one-time enrolment code (shown this once).
    A username freed less than 365 days ago by a removed account is refused (422)."""
    roles = tuple(r.value for r in body.roles)
    command = AddUser(
        body.username, admin.agency_id, body.display_name, roles, source_of(request), body.ends_on
    )
    user, code = enrolment.create_account(
        built(request).desk, command, body.password, actor=admin.username, session=admin.session
    )
    return EnrolmentIssued(
        user=_user_out(user),
        enrolment_code=code.code,
        enrolment_code_expires_at=code.expires_at,
        pending_roles=[Role(r) for r in code.pending_roles],
    )


@router.post("/users/{username}/disable", name="disable_user", status_code=204)
def disable_user(request: Request, username: Username, admin: Admin) -> None:
    """Disable the account; every session of it ends at once. Never one's own account (403)
    nor the agency's last active administrator (422)."""
    account_admin.disable_user(built(request).desk, _own_account(request, admin, username))


@router.post("/users/{username}/enable", name="enable_user")
def enable_user(request: Request, username: Username, admin: Admin) -> AccountStateOut:
    """Let a disabled account sign in again; ``locked`` says if it must be unlocked too."""
    state = account_admin.enable_user(built(request).desk, _own_account(request, admin, username))
    return AccountStateOut(username=state.username, active=state.active, locked=state.locked)


@router.post("/users/{username}/unlock", name="unlock_user")
def unlock_user(request: Request, username: Username, admin: Admin) -> AccountStateOut:
    """Release a lock left by too many failed sign-ins; ``active`` false says the account is
    still disabled (enable it too)."""
    state = account_admin.unlock_user(built(request).desk, _own_account(request, admin, username))
    return AccountStateOut(username=state.username, active=state.active, locked=state.locked)


@router.put("/users/{username}/roles", name="change_roles")
def change_roles(
    request: Request, username: Username, body: NewRoles, admin: Admin
) -> RolesChanged:
    """Give another user of one's agency exactly these roles (never oneself: 403)."""
    own = _own_account(request, admin, username)
    roles = tuple(r.value for r in body.roles)
    command = role_grants.ChangeRoles(
        username, roles, admin.username, own.source, admin.session, body.reason
    )
    change = role_grants.change_roles(built(request).desk, command)
    pending = _grant_out(change.pending) if change.pending else None
    return RolesChanged(user=_user_out(change.user), pending=pending)


@router.get("/role-grants", name="list_role_grants")
def list_role_grants(request: Request, admin: Admin) -> list[RoleGrantOut]:
    """The requests of one's agency that wait for a second administrator."""
    desk = built(request).desk
    found = role_grants.pending_grants(desk, admin.agency_id, admin.username, admin.session)
    audit.record_read(  # a privileged read of the accounts (CJIS AC-6(9))
        desk,
        actor=admin.username,
        agency=admin.agency_id,
        object_type="role_grant_list",
        object_id=admin.agency_id,
        source=source_of(request),
        detail={"role_grants": [g.id for g in found]},
    )
    return [_grant_out(g) for g in found]


@router.post("/role-grants/{grant_id}/approve", name="approve_role_grant")
def approve_role_grant(
    request: Request, grant_id: GrantId, body: Decision, admin: Admin
) -> RolesChanged:
    """Approve another administrator's request (not one's own, nor one that names oneself:
    403); the roles are granted now."""
    command = _decision(request, admin, grant_id, body)
    change = role_grants.approve_grant(built(request).desk, command)
    return RolesChanged(user=_user_out(change.user), pending=None)


@router.post("/role-grants/{grant_id}/refuse", name="refuse_role_grant")
def refuse_role_grant(
    request: Request, grant_id: GrantId, body: Decision, admin: Admin
) -> RoleGrantOut:
    """Refuse another administrator's request: nothing is granted."""
    command = _decision(request, admin, grant_id, body)
    return _grant_out(role_grants.refuse_grant(built(request).desk, command))


def _decision(
    request: Request, admin: Principal, grant_id: str, body: Decision
) -> role_grants.DecideGrant:
    """Another agency's request does not exist for this administrator (404, not 403)."""
    with built(request).desk.uow() as uow:
        grant = uow.users.grant(grant_id)
    if grant is None or grant.agency_id != admin.agency_id:
        raise NotFound("role grant request", grant_id)
    return role_grants.DecideGrant(
        grant_id, admin.username, source_of(request), admin.session, body.reason
    )


def _user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=sorted(user.roles),
        active=user.active,
    )


def _grant_out(grant: RoleGrant) -> RoleGrantOut:
    return RoleGrantOut(
        id=grant.id,
        username=grant.username,
        roles=sorted(grant.roles),
        requested_by=grant.requested_by,
        requested_at=grant.requested_at,
        reason=grant.reason,
        status=grant.status,
        decided_by=grant.decided_by,
        decided_at=grant.decided_at,
        decision_reason=grant.decision_reason,
    )


@router.post("/users/{username}/mfa-reset", name="reset_mfa")
def reset_mfa(request: Request, username: Username, admin: Admin) -> EnrolmentIssued:
    """For a lost phone: the authenticator stops working, sessions end, and the user sets up a
    new one at their next sign-in with the one-time enrolment code answered (shown once)."""
    command = _own_account(request, admin, username)
    code = account_admin.reset_mfa(built(request).desk, command)
    with built(request).desk.uow() as uow:
        user = accounts.user_named(uow, username)
    return EnrolmentIssued(
        user=_user_out(user), enrolment_code=code.code, enrolment_code_expires_at=code.expires_at
    )


def _own_account(request: Request, admin: Principal, username: str) -> account_admin.AccountCommand:
    """Another agency's account does not exist for this administrator (404, not 403)."""
    with built(request).desk.uow() as uow:
        user = uow.users.by_username(username)
    if user is None or user.agency_id != admin.agency_id:
        raise NotFound("user", username)
    return account_admin.AccountCommand(username, admin.username, source_of(request), admin.session)
