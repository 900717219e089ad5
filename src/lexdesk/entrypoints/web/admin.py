"""Administration for an agency's administrators: its users (add, disable after a confirmation
step, enable, unlock the locked, reset MFA, change roles), the role grants that wait for a
second administrator, its API tokens, and the list of agencies. No agency administers
another's accounts, and the pages of users and tokens open only after confirming it's you
(``confirm``). Every form is checked field by field before a service is called: all its
errors at once, each beside its field and listed in a summary that takes the focus."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.domain.accounts import API_SCOPES
from lexdesk.domain.administration import NEEDS_SECOND_ADMIN, REASON_LIMIT
from lexdesk.domain.agencies import NAME_LIMIT, Role
from lexdesk.domain.credentials import PasswordPolicy
from lexdesk.domain.errors import (
    ConfirmationNeeded,
    InvalidInput,
    LexdeskError,
)
from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.web import accounts_list
from lexdesk.entrypoints.web.confirm import confirmed_viewer
from lexdesk.entrypoints.web.pages import (
    PageRefused,
    Posted,
    Viewer,
    Web,
    posted,
    redirect,
    render,
    require,
    sentence,
    viewer,
    web,
)
from lexdesk.entrypoints.web.returned import returned, send_back
from lexdesk.services import account_admin, api_tokens, enrolment, role_grants
from lexdesk.services.agencies import AddUser
from lexdesk.services.enrolment import EnrolmentCode

router = APIRouter(prefix="/admin")
ROLE_CHOICES = [(r.value, r.value) for r in Role]
SECOND_ADMIN_ROLES = sorted(r.value for r in NEEDS_SECOND_ADMIN)
SCOPE_CHOICES = [(s, s) for s in sorted(API_SCOPES)]
USERNAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
#: The longest value each field takes (the same as the ``maxlength`` of its input).
LIMITS = {
    "username": 63,
    "display_name": NAME_LIMIT,
    "password": PasswordPolicy().max_length,
    "name": api_tokens.NAME_LIMIT,
    "days": 3,
    "reason": REASON_LIMIT,
    "ends_on": 10,
}
#: The drafts of the users and tokens pages' forms (``returned``).
USERS_FORM, TOKENS_FORM = "admin-users", "admin-tokens"
NO_PASSWORD = "Enter an initial password."  # noqa: S105 - the message, not a password
#: What a change leaves to say, after the redirect (POST/redirect/GET).
DONE = {
    "added": "The user {user} was added.",
    "added-pending": "The user {user} was added; the roles that need a second administrator"
    " wait for their approval below.",
    "disabled": "The account {user} is disabled: it was signed out everywhere.",
    "enabled": "The account {user} is enabled: it can sign in again.",
    "enabled-locked": "The account {user} is enabled, but it is still locked: unlock it too.",
    "unlocked": "The account {user} is unlocked: it can sign in again.",
    "unlocked-disabled": "The account {user} is unlocked, but it is still disabled: enable it too.",
    "mfa": "The authenticator of {user} was reset: they set up a new one at their next sign-in"
    " with the enrolment code below.",
    "roles": "The roles of {user} were changed.",
    "requested": "The roles of {user} were changed; those that need a second administrator"
    " wait for their approval below.",
    "approved": "Approved: {user} holds the roles now.",
    "refused": "Refused: {user} was granted nothing.",
    "revoked": "The token was revoked.",
}


def _checked_text(
    errors: dict[str, str], name: str, value: str, label: str, *, required: bool = True
) -> str:
    limit = LIMITS[name]
    if required and not value:
        errors[name] = f"Enter the {label}."
    elif len(value) > limit:
        errors[name] = f"The {label} is {len(value):,} characters long: keep it to {limit}."
    return value


def _field_of(error: LexdeskError, fields: tuple[str, ...]) -> str:
    """The form field a service's refusal is about, or "general"."""
    text = str(error)
    for name, words in (
        ("password", ("password",)),
        ("username", ("username", "user ")),
        ("display_name", ("full name",)),
        ("ends_on", ("end date",)),
        ("roles", ("role",)),
        ("scopes", ("scope",)),
        ("days", ("lifetime", "days")),
        ("name", ("name",)),
        ("reason", ("reason",)),
    ):
        if name in fields and any(word in text for word in words):
            return name
    return "general"


@router.get("/users")
def users_page(
    request: Request,
    done: str = "",
    user: str = "",
    draft: str = "",
    seen: Viewer = Depends(confirmed_viewer),
    site: Web = Depends(web),
) -> Response:
    require(seen, Permission.USER_ADMIN)
    said = DONE[done].format(user=user) if done in DONE and USERNAME.match(user) else ""
    kept = returned(site, seen, USERS_FORM, draft)
    if kept is None:
        return _users(request, site, seen, {}, {}, said=said)
    values = {k: kept.values.get(k) for k in ("username", "display_name", "ends_on")}
    return _users(request, site, seen, kept.errors, values | {"roles": kept.values.all("roles")})


@router.post("/users")
def add_user(
    request: Request, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    seen = sent.viewer
    require(seen, Permission.USER_ADMIN)
    values = {k: sent.get(k) for k in ("username", "display_name", "ends_on")}
    chosen = sent.all("roles")
    password = sent.form.get("password")
    password = password if isinstance(password, str) else ""
    errors: dict[str, str] = {}
    username = _checked_text(errors, "username", values["username"], "username")
    if "username" not in errors and not USERNAME.match(username):
        errors["username"] = (
            "Use 2 to 63 lowercase letters, digits and dashes, for example doc-clerk."
        )
    _checked_text(errors, "display_name", values["display_name"], "full name")
    if not chosen:
        errors["roles"] = "Choose at least one role."
    elif not set(chosen) <= {r.value for r in Role}:
        errors["roles"] = "Choose among the roles listed."
    if not password:
        errors["password"] = NO_PASSWORD
    else:
        try:
            PasswordPolicy().check(password, username=username)
        except InvalidInput as weak:
            errors["password"] = sentence(weak)
    ends_on = _end_date(errors, values["ends_on"])
    if errors:
        return send_back(sent, site, USERS_FORM, "/admin/users", errors)
    command = AddUser(
        username, seen.agency.id, values["display_name"], chosen, seen.source, ends_on
    )
    try:
        _, code = enrolment.create_account(
            site.built.desk, command, password, actor=seen.username, session=seen.principal.session
        )
    except ConfirmationNeeded:
        raise
    except LexdeskError as error:
        fields = ("username", "display_name", "roles", "password", "ends_on")
        errors = {_field_of(error, fields): sentence(error)}
        return send_back(sent, site, USERS_FORM, "/admin/users", errors)
    # The enrolment code is shown this once, as the answer to this POST (as a new API token
    # is): it is never stored in the clear, not even for a redirect.
    done = "added-pending" if code.pending_roles else "added"
    said = DONE[done].format(user=username)
    return _users(request, site, seen, {}, {}, said=said, code=code)


def _end_date(errors: dict[str, str], text: str) -> date | None:
    """A temporary account's last day, as typed; None for an account without one."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors["ends_on"] = "Enter the end date as year-month-day, for example 2027-06-30."
        return None


@router.get("/users/{username}/disable")
def disable_page(
    request: Request,
    username: str,
    draft: str = "",
    seen: Viewer = Depends(confirmed_viewer),
    site: Web = Depends(web),
) -> Response:
    """The confirmation step before disabling: what it does, and a way back; after a refusal,
    why."""
    require(seen, Permission.USER_ADMIN)
    row = _row_of(site, seen, username)
    kept = returned(site, seen, f"disable:{username}", draft)
    context = {
        "viewer": seen,
        "user": row,
        "errors": kept.errors if kept else {},
        "own_account": username == seen.username,
    }
    return render(request, "admin_disable.html", context)


@router.get("/users/{username}/roles")
def roles_page(
    request: Request,
    username: str,
    draft: str = "",
    seen: Viewer = Depends(confirmed_viewer),
    site: Web = Depends(web),
) -> Response:
    require(seen, Permission.USER_ADMIN)
    row = _row_of(site, seen, username)
    kept = returned(site, seen, f"roles:{username}", draft)
    if kept is None:
        return _roles(request, seen, row, {}, {"roles": tuple(row.roles), "reason": ""})
    values = {"roles": kept.values.all("roles"), "reason": kept.values.get("reason")}
    return _roles(request, seen, row, kept.errors, values)


@router.post("/users/{username}/roles")
def change_roles(
    username: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    seen = sent.viewer
    require(seen, Permission.USER_ADMIN)
    row = _row_of(site, seen, username)
    chosen, errors = sent.all("roles"), dict[str, str]()
    values: dict[str, Any] = {"roles": chosen, "reason": sent.get("reason")}
    reason = _checked_text(errors, "reason", values["reason"], "reason", required=False)
    if not chosen:
        errors["roles"] = "Choose at least one role; to stop someone signing in, disable them."
    elif not set(chosen) <= {r.value for r in Role}:
        errors["roles"] = "Choose among the roles listed."
    back = f"/admin/users/{row.username}/roles"
    if errors:
        return send_back(sent, site, f"roles:{row.username}", back, errors)
    command = role_grants.ChangeRoles(
        username, chosen, seen.username, seen.source, seen.principal.session, reason
    )
    try:
        change = role_grants.change_roles(site.built.desk, command)
    except ConfirmationNeeded:
        raise
    except LexdeskError as error:
        field = _field_of(error, ("roles", "reason"))
        return send_back(sent, site, f"roles:{row.username}", back, {field: sentence(error)})
    done = "requested" if change.pending else "roles"
    return redirect(f"/admin/users?done={done}&user={username}")


@router.post("/users/grants/{grant_id}/{decision}")
def decide_grant(
    grant_id: str,
    decision: str,
    sent: Posted = Depends(posted),
    site: Web = Depends(web),
) -> Response:
    seen = sent.viewer
    require(seen, Permission.USER_ADMIN)
    if decision not in ("approve", "refuse"):
        raise PageRefused(404, "There is no such page.")
    errors: dict[str, str] = {}
    reason = _checked_text(errors, "reason", sent.get("reason"), "reason", required=False)
    if errors:
        return _users_refused(sent, site, errors["reason"])
    command = role_grants.DecideGrant(
        grant_id, seen.username, seen.source, seen.principal.session, reason
    )
    try:
        if decision == "approve":
            who = role_grants.approve_grant(site.built.desk, command).user.username
        else:
            who = role_grants.refuse_grant(site.built.desk, command).username
    except ConfirmationNeeded:
        raise
    except LexdeskError as error:
        return _users_refused(sent, site, sentence(error))
    done = "approved" if decision == "approve" else "refused"
    return redirect(f"/admin/users?done={done}&user={who}")


@router.post("/users/{username}/{verb}")
def change_user(
    request: Request,
    username: str,
    verb: str,
    sent: Posted = Depends(posted),
    site: Web = Depends(web),
) -> Response:
    seen = sent.viewer
    require(seen, Permission.USER_ADMIN)
    if verb not in ("disable", "enable", "unlock", "reset-mfa"):
        raise PageRefused(404, "There is no such page.")
    command = account_admin.AccountCommand(
        username, seen.username, seen.source, seen.principal.session
    )
    desk = site.built.desk
    try:
        if verb == "disable":
            account_admin.disable_user(desk, command)
            done = "disabled"
        elif verb == "reset-mfa":
            code = account_admin.reset_mfa(desk, command)
            said = DONE["mfa"].format(user=code.username)
            return _users(request, site, seen, {}, {}, said=said, code=code)
        else:
            change = account_admin.enable_user if verb == "enable" else account_admin.unlock_user
            state = change(desk, command)
            done = "enabled" if verb == "enable" else "unlocked"
            if verb == "enable" and state.locked:
                done = "enabled-locked"
            elif verb == "unlock" and not state.active:
                done = "unlocked-disabled"
    except ConfirmationNeeded:
        raise
    except LexdeskError as error:
        if verb == "disable" and (row := _row_or_none(site, seen, username)) is not None:
            back = f"/admin/users/{row.username}/disable"
            errors = {"general": sentence(error)}
            return send_back(sent, site, f"disable:{row.username}", back, errors)
        return _users_refused(sent, site, sentence(error))
    return redirect(f"/admin/users?done={done}&user={username}")


@router.get("/tokens")
def tokens_page(
    request: Request,
    done: str = "",
    draft: str = "",
    seen: Viewer = Depends(confirmed_viewer),
    site: Web = Depends(web),
) -> Response:
    require(seen, Permission.USER_ADMIN)
    said = DONE["revoked"] if done == "revoked" else ""
    kept = returned(site, seen, TOKENS_FORM, draft)
    if kept is None:
        return _tokens(request, site, seen, {}, {"days": "90"}, said=said)
    values = {"name": kept.values.get("name"), "days": kept.values.get("days")}
    return _tokens(request, site, seen, kept.errors, values | {"scopes": kept.values.all("scopes")})


@router.post("/tokens")
def create_token(
    request: Request, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    seen = sent.viewer
    require(seen, Permission.USER_ADMIN)
    values: dict[str, Any] = {"name": sent.get("name"), "days": sent.get("days")}
    chosen = sent.all("scopes")
    values["scopes"] = chosen
    errors: dict[str, str] = {}
    name = _checked_text(errors, "name", values["name"], "name of the system")
    if not chosen:
        errors["scopes"] = "Choose at least one scope: what the system may do."
    elif not set(chosen) <= API_SCOPES:
        errors["scopes"] = "Choose among the scopes listed."
    days_text = values["days"]
    longest = api_tokens.LONGEST_LIFETIME.days
    if not days_text:
        errors["days"] = "Enter the lifetime in days."
    elif not days_text.isdigit() or not 1 <= int(days_text) <= longest:
        errors["days"] = f"Enter a whole number of days from 1 to {longest}."
    if errors:
        return send_back(sent, site, TOKENS_FORM, "/admin/tokens", errors)
    command = api_tokens.CreateApiToken(
        seen.agency.id,
        name,
        chosen,
        timedelta(days=int(days_text)),
        seen.username,
        seen.source,
        seen.principal.session,
    )
    try:
        secret, _ = api_tokens.create_api_token(site.built.desk, command)
    except ConfirmationNeeded:
        raise
    except LexdeskError as error:
        field = _field_of(error, ("name", "scopes", "days"))
        return send_back(sent, site, TOKENS_FORM, "/admin/tokens", {field: sentence(error)})
    # The token is shown this once, as the answer to this POST: it is never stored in the
    # clear, not even for the redirect that every other answer takes.
    return _tokens(request, site, seen, {}, {"days": "90"}, secret)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(
    token_id: str, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    require(sent.viewer, Permission.USER_ADMIN)
    seen = sent.viewer
    command = api_tokens.RevokeApiToken(
        token_id, seen.username, seen.source, seen.principal.session
    )
    try:
        api_tokens.revoke_api_token(site.built.desk, command)
    except ConfirmationNeeded:
        raise
    except LexdeskError as error:
        return send_back(sent, site, TOKENS_FORM, "/admin/tokens", {"general": sentence(error)})
    return redirect("/admin/tokens?done=revoked")


@router.get("/agencies")
def agencies_page(
    request: Request, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Response:
    require(seen, Permission.USER_ADMIN)
    with site.built.engine.connect() as db:
        rows = accounts_list.agencies(db)
    return render(request, "admin_agencies.html", {"viewer": seen, "rows": rows})


def _users_refused(sent: Posted, site: Web, why: str) -> Response:
    """A refused change of an account or grant, said at the top of the users page."""
    return send_back(sent, site, USERS_FORM, "/admin/users", {"general": why})


def _row_or_none(site: Web, seen: Viewer, username: str) -> Any:
    with site.built.engine.connect() as db:
        rows = accounts_list.users_of(db, seen.agency.id)
    return next((r for r in rows if r.username == username), None)


def _row_of(site: Web, seen: Viewer, username: str) -> Any:
    """The account in the administrator's own agency; another's does not exist here."""
    row = _row_or_none(site, seen, username)
    if row is None:
        raise PageRefused(404, "There is no such user in your agency.")
    return row


def _users(
    request: Request,
    site: Web,
    seen: Viewer,
    errors: dict[str, str],
    values: dict[str, Any],
    status: int = 200,
    said: str = "",
    code: EnrolmentCode | None = None,
) -> Response:
    with site.built.engine.connect() as db:
        rows = accounts_list.users_of(db, seen.agency.id)
        grants = accounts_list.pending_grants(db, seen.agency.id)
    context = {
        "code": code,
        "viewer": seen,
        "rows": rows,
        "grants": grants,
        "errors": errors,
        "values": values,
        "roles": ROLE_CHOICES,
        "second_admin_roles": SECOND_ADMIN_ROLES,
        "limits": LIMITS,
        "said": said,
    }
    return render(request, "admin_users.html", context, status)


def _roles(
    request: Request,
    seen: Viewer,
    row: Any,
    errors: dict[str, str],
    values: dict[str, Any],
    status: int = 200,
) -> Response:
    context = {
        "viewer": seen,
        "user": row,
        "errors": errors,
        "values": values,
        "roles": ROLE_CHOICES,
        "second_admin_roles": SECOND_ADMIN_ROLES,
        "limits": LIMITS,
        "own_account": row.username == seen.username,
    }
    return render(request, "admin_roles.html", context, status)


def _tokens(
    request: Request,
    site: Web,
    seen: Viewer,
    errors: dict[str, str],
    values: dict[str, Any],
    secret: str = "",
    status: int = 200,
    said: str = "",
) -> Response:
    with site.built.engine.connect() as db:
        rows = accounts_list.tokens_of(db, seen.agency.id)
    context = {
        "viewer": seen,
        "rows": rows,
        "errors": errors,
        "values": values,
        "secret": secret,
        "scopes": SCOPE_CHOICES,
        "limits": LIMITS,
        "said": said,
    }
    return render(request, "admin_tokens.html", context, status)
