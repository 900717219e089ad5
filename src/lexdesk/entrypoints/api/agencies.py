"""``/api/v1/agencies`` (the directory every agency needs to address the others) and
``/api/v1/users`` (an administrator's accounts, in their own agency only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import Field, StringConstraints

from lexdesk.domain.agencies import Agency, Role
from lexdesk.domain.errors import NotFound
from lexdesk.domain.permissions import Permission
from lexdesk.domain.vocabulary import AgencyKind
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.errors import COMMON_ERRORS, ApiRoute
from lexdesk.entrypoints.api.schemas import (
    CODE_PATTERN,
    Answer,
    Code,
    Cursor,
    Limit,
    Name,
    StrictBody,
    Username,
)
from lexdesk.entrypoints.api.security import requires
from lexdesk.queries import api_lists
from lexdesk.services import account_admin, accounts, audit
from lexdesk.services.accounts import Principal
from lexdesk.services.agencies import AddUser

router = APIRouter(tags=["agencies"], route_class=ApiRoute, responses=COMMON_ERRORS)
Admin = Annotated[Principal, Depends(requires(Permission.USER_ADMIN))]
Directory = Annotated[Principal, Depends(requires(Permission.AGENCY_READ))]
AgencyCode = Annotated[str, Path(pattern=CODE_PATTERN, description="An agency code.")]


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
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class Enrolled(Answer):
    user: UserOut
    totp_secret: str = Field(description="Shown once: load it into the user's authenticator.")
    totp_uri: str


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
def add_user(request: Request, body: NewUser, admin: Admin) -> Enrolled:
    """A new account in one's own agency, with its TOTP seed (shown this once)."""
    roles = tuple(r.value for r in body.roles)
    command = AddUser(body.username, admin.agency_id, body.display_name, roles, source_of(request))
    user, enrolment = accounts.add_account(
        built(request).desk, command, body.password, actor=admin.username, session=admin.session
    )
    shown = UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=sorted(user.roles),
        active=user.active,
    )
    return Enrolled(user=shown, totp_secret=enrolment.totp_secret, totp_uri=enrolment.totp_uri)


@router.post("/users/{username}/disable", name="disable_user", status_code=204)
def disable_user(request: Request, username: Username, admin: Admin) -> None:
    """Disable the account; every session of it ends at once."""
    account_admin.disable_user(built(request).desk, _own_account(request, admin, username))


@router.post("/users/{username}/unlock", name="unlock_user", status_code=204)
def unlock_user(request: Request, username: Username, admin: Admin) -> None:
    """Release a lock left by too many failed sign-ins."""
    account_admin.unlock_user(built(request).desk, _own_account(request, admin, username))


@router.post("/users/{username}/mfa-reset", name="reset_mfa")
def reset_mfa(request: Request, username: Username, admin: Admin) -> Enrolled:
    """A new TOTP seed for a lost phone: the old one stops working, sessions end."""
    command = _own_account(request, admin, username)
    enrolment = account_admin.reset_mfa(built(request).desk, command)
    with built(request).desk.uow() as uow:
        user = accounts.user_named(uow, username)
    shown = UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=sorted(user.roles),
        active=user.active,
    )
    return Enrolled(user=shown, totp_secret=enrolment.totp_secret, totp_uri=enrolment.totp_uri)


def _own_account(request: Request, admin: Principal, username: str) -> account_admin.AccountCommand:
    """Another agency's account does not exist for this administrator (404, not 403)."""
    with built(request).desk.uow() as uow:
        user = uow.users.by_username(username)
    if user is None or user.agency_id != admin.agency_id:
        raise NotFound("user", username)
    return account_admin.AccountCommand(username, admin.username, source_of(request), admin.session)
