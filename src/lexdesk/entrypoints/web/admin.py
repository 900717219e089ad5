"""Administration for an agency's administrators: its users (add, disable, unlock, reset MFA),
its API tokens, and the list of agencies. No agency administers another's accounts, and the
pages of users and tokens open only after confirming it's you (``confirm``)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.domain.accounts import API_SCOPES
from lexdesk.domain.agencies import Role
from lexdesk.domain.errors import ConfirmationNeeded, LexdeskError
from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.web import accounts_list
from lexdesk.entrypoints.web.confirm import confirmed_viewer
from lexdesk.entrypoints.web.pages import (
    Posted,
    Viewer,
    Web,
    posted,
    redirect,
    render,
    require,
    viewer,
    web,
)
from lexdesk.services import account_admin, accounts, api_tokens
from lexdesk.services.agencies import AddUser

router = APIRouter(prefix="/admin")
ROLE_CHOICES = [(r.value, r.value) for r in Role]
USER_VERBS = {
    "disable": account_admin.disable_user,
    "unlock": account_admin.unlock_user,
    "reset-mfa": account_admin.reset_mfa,
}


@router.get("/users")
def users_page(
    request: Request, seen: Viewer = Depends(confirmed_viewer), site: Web = Depends(web)
) -> Response:
    require(seen, Permission.USER_ADMIN)
    return _users(request, site, seen, {}, {})


@router.post("/users")
def add_user(
    request: Request, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    seen = sent.viewer
    require(seen, Permission.USER_ADMIN)
    values = {k: sent.get(k) for k in ("username", "display_name")}
    command = AddUser(
        values["username"], seen.agency.id, values["display_name"], sent.all("roles"), seen.source
    )
    try:
        accounts.add_account(
            site.built.desk,
            command,
            sent.get("password"),
            actor=seen.username,
            session=seen.principal.session,
        )
    except ConfirmationNeeded:
        raise
    except LexdeskError as error:
        return _users(request, site, seen, {"username": str(error)}, values, 400)
    return redirect("/admin/users")


@router.post("/users/{username}/{verb}")
def change_user(
    username: str, verb: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    require(sent.viewer, Permission.USER_ADMIN)
    if verb in USER_VERBS:
        seen = sent.viewer
        command = account_admin.AccountCommand(
            username, seen.username, seen.source, seen.principal.session
        )
        USER_VERBS[verb](site.built.desk, command)
    return redirect("/admin/users")


@router.get("/tokens")
def tokens_page(
    request: Request, seen: Viewer = Depends(confirmed_viewer), site: Web = Depends(web)
) -> Response:
    require(seen, Permission.USER_ADMIN)
    return _tokens(request, site, seen, {})


@router.post("/tokens")
def create_token(
    request: Request, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    seen = sent.viewer
    require(seen, Permission.USER_ADMIN)
    days = int(sent.get("days")) if sent.get("days").isdigit() else 0
    command = api_tokens.CreateApiToken(
        seen.agency.id,
        sent.get("name"),
        sent.all("scopes"),
        timedelta(days=days),
        seen.username,
        seen.source,
        seen.principal.session,
    )
    try:
        secret, _ = api_tokens.create_api_token(site.built.desk, command)
    except ConfirmationNeeded:
        raise
    except LexdeskError as error:
        return _tokens(request, site, seen, {"name": str(error)}, status=400)
    return _tokens(request, site, seen, {}, secret)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(
    token_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    require(sent.viewer, Permission.USER_ADMIN)
    seen = sent.viewer
    command = api_tokens.RevokeApiToken(
        token_id, seen.username, seen.source, seen.principal.session
    )
    api_tokens.revoke_api_token(site.built.desk, command)
    return redirect("/admin/tokens")


@router.get("/agencies")
def agencies_page(
    request: Request, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    require(seen, Permission.USER_ADMIN)
    with site.built.engine.connect() as db:
        rows = accounts_list.agencies(db)
    return render(request, "admin_agencies.html", {"viewer": seen, "rows": rows})


def _users(
    request: Request,
    site: Web,
    seen: Viewer,
    errors: dict[str, str],
    values: dict[str, str],
    status: int = 200,
) -> Response:
    with site.built.engine.connect() as db:
        rows = accounts_list.users_of(db, seen.agency.id)
    context = {
        "viewer": seen,
        "rows": rows,
        "errors": errors,
        "values": values,
        "roles": ROLE_CHOICES,
    }
    return render(request, "admin_users.html", context, status)


def _tokens(
    request: Request,
    site: Web,
    seen: Viewer,
    errors: dict[str, str],
    secret: str = "",
    status: int = 200,
) -> Response:
    with site.built.engine.connect() as db:
        rows = accounts_list.tokens_of(db, seen.agency.id)
    scopes = [(s, s) for s in sorted(API_SCOPES)]
    context = {"viewer": seen, "rows": rows, "errors": errors, "secret": secret, "scopes": scopes}
    return render(request, "admin_tokens.html", context, status)
