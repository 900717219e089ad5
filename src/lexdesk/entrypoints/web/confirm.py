"""Confirming it's you before a privileged page or form, and changing one's own password.

Whether a session needs to confirm is the services' rule (``services/privileges.py``): the pages
of privileged forms ask it first, and any form the services refuse for want of a confirmation
(``ConfirmationNeeded``) sends the browser here too; after the password and a fresh code it
goes back to the page it came from.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lexdesk.domain.errors import ConfirmationNeeded, LexdeskError, NotAuthenticated
from lexdesk.entrypoints.web.pages import (
    Posted,
    SignInNeeded,
    Viewer,
    Web,
    posted,
    redirect,
    render,
    viewer,
    web,
)
from lexdesk.entrypoints.web.returned import returned, send_back
from lexdesk.services import accounts, confirmation, privileges

router = APIRouter()
ACCOUNT_PAGE = "/account/password"
#: The drafts of a refused confirmation and password change: never a password, only the
#: errors (and where the confirmation leads).
CONFIRM_FORM, PASSWORD_FORM = "confirm", "password"
CHANGED = "Your password is changed. Your other sessions were signed out."


def confirmed_viewer(
    request: Request, seen: Viewer = Depends(viewer), site: Web = Depends(web)
) -> Viewer:
    """The viewer of a page of privileged forms, who confirmed who they are lately."""
    if not privileges.is_confirmed(site.built.desk, seen.token):
        raise ConfirmationNeeded(privileges.CONFIRM_FIRST)
    return seen


def confirm_first(request: Request, error: ConfirmationNeeded) -> Response:
    """Any refusal for want of a confirmation: confirm, then back to the page (for a form, the
    page it was on: ``/admin/users/x/disable`` came from ``/admin/users``)."""
    parts = [part for part in request.url.path.split("/") if part]
    back = "/" + "/".join(parts if request.method == "GET" else parts[:2])
    return redirect(f"/confirm?next={quote(back, safe='/')}")


@router.get("/confirm")
def confirm_page(
    request: Request,
    next: str = "/",
    draft: str = "",
    seen: Viewer = Depends(viewer),
    site: Web = Depends(web),
) -> Response:
    kept = returned(site, seen, CONFIRM_FORM, draft)
    if kept is None:
        return _confirm_page(request, seen, _local(next), {})
    return _confirm_page(request, seen, _local(kept.values.get("next")), kept.errors)


@router.post("/confirm")
def confirm(sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    back, seen = _local(sent.get("next")), sent.viewer
    try:
        confirmation.confirm_identity(
            site.built.desk, seen.token, sent.get("password"), sent.get("code"), seen.source
        )
    except NotAuthenticated as error:
        if str(error) in accounts.SIGN_IN_AGAIN.values():
            raise SignInNeeded() from None
        return send_back(sent, site, CONFIRM_FORM, "/confirm", {"password": str(error)})
    return redirect(back)


@router.get(ACCOUNT_PAGE)
def password_page(
    request: Request,
    done: str = "",
    draft: str = "",
    seen: Viewer = Depends(confirmed_viewer),
    site: Web = Depends(web),
) -> Response:
    kept = returned(site, seen, PASSWORD_FORM, draft)
    errors = kept.errors if kept else {}
    context = {"viewer": seen, "errors": errors, "notice": CHANGED if done and not kept else None}
    return render(request, "password.html", context)


@router.post(ACCOUNT_PAGE)
def change_password(sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    seen = sent.viewer
    new = sent.form.get("new_password")
    if new != sent.form.get("repeat_password"):
        errors = {"repeat_password": "The two new passwords differ: type the same one twice."}
        return send_back(sent, site, PASSWORD_FORM, ACCOUNT_PAGE, errors)
    command = confirmation.ChangePassword(
        seen.username,
        str(sent.form.get("current_password") or ""),
        str(new or ""),
        seen.principal.session,
        seen.source,
    )
    try:
        confirmation.change_password(site.built.desk, command)
    except ConfirmationNeeded:
        raise
    except LexdeskError as error:
        field = "current_password" if isinstance(error, NotAuthenticated) else "new_password"
        return send_back(sent, site, PASSWORD_FORM, ACCOUNT_PAGE, {field: str(error)})
    return redirect(f"{ACCOUNT_PAGE}?done=1")


def _confirm_page(request: Request, seen: Viewer, back: str, errors: dict[str, str]) -> Response:
    context = {"viewer": seen, "next": back, "errors": errors}
    return render(request, "confirm.html", context)


def _local(target: str) -> str:
    """Only a path of this site: never ``//elsewhere`` or ``https://elsewhere``."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
