"""Signing in (password, then TOTP; the first time, the one-time enrolment code before the
authenticator is set up) and out.

The sign-in page carries the CJIS AC-8 system-use notice, which must be acknowledged before the
password is even checked. Lockout, timeouts and the audit trail are the services' own
(``services/accounts.py``); this module only moves tokens between cookies and forms.
"""

from __future__ import annotations

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from lexdesk.domain.credentials import SYSTEM_USE_NOTICE
from lexdesk.domain.errors import NotAuthenticated
from lexdesk.entrypoints.web import sessions
from lexdesk.entrypoints.web.pages import (
    Posted,
    Web,
    client_address,
    form_data,
    posted,
    redirect,
    render,
    web,
)
from lexdesk.services import account_admin, accounts, enrolment
from lexdesk.services.context import Desk

router = APIRouter()

SIGNED_OUT = {
    "out": "You are signed out.",
    "idle": accounts.SIGN_IN_AGAIN["idle"],
    "absolute": accounts.SIGN_IN_AGAIN["absolute"],
    "disabled": accounts.SIGN_IN_AGAIN["disabled"],
    "ended": accounts.SIGN_IN_AGAIN["ended"],
    "unknown": accounts.SIGN_IN_AGAIN["unknown"],
}
ACKNOWLEDGE = "Acknowledge the system-use notice before you sign in."


@router.get("/login")
def login_page(request: Request, why: str = "") -> Response:
    seed = sessions.read(request, sessions.PRE_SESSION) or sessions.new_pre_session()
    context: dict[str, object] = {
        "csrf": sessions.csrf_token(seed),
        "notice": SIGNED_OUT.get(why),
        "system_use": SYSTEM_USE_NOTICE,
        "errors": {},
    }
    page = render(request, "login.html", context)
    sessions.give(request, page, seed, sessions.PRE_SESSION)
    return page


@router.post("/login")
def password_step(
    request: Request, form: FormData = Depends(form_data), site: Web = Depends(web)
) -> Response:
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    seed = sessions.read(request, sessions.PRE_SESSION)
    if not sessions.csrf_matches(seed, fields.get("csrf")):
        return redirect("/login")
    if fields.get("acknowledge") != "yes":
        return _login_again(request, fields, {"acknowledge": ACKNOWLEDGE})
    try:
        ticket = accounts.begin_login(
            site.built.desk,
            fields.get("username", ""),
            fields.get("password", ""),
            client_address(request),
            acknowledged=True,
        )
    except NotAuthenticated as error:
        return _login_again(request, fields, {"password": str(error)})
    response = redirect("/login/code")
    sessions.give(request, response, ticket, sessions.TICKET, sessions.TICKET_MAX_AGE)
    return response


@router.get("/login/code")
def code_page(request: Request, site: Web = Depends(web)) -> Response:
    ticket = sessions.read(request, sessions.TICKET)
    if not ticket:
        return redirect("/login")
    if enrolment.awaits_enrolment(site.built.desk, ticket):
        return _enrol_page(request, ticket, None)
    return _code_page(request, site.built.desk, ticket, None)


@router.post("/login/enrol")
def enrolment_step(
    request: Request, form: FormData = Depends(form_data), site: Web = Depends(web)
) -> Response:
    """The one-time enrolment code, after the password: then the authenticator is set up."""
    ticket = sessions.read(request, sessions.TICKET)
    if not ticket or not sessions.csrf_matches(ticket, str(form.get("csrf", ""))):
        return redirect("/login")
    code = str(form.get("enrolment_code") or "")
    try:
        enrolment.redeem_enrolment_code(site.built.desk, ticket, code, client_address(request))
    except NotAuthenticated as error:
        return _enrol_page(request, ticket, str(error))
    return redirect("/login/code")


@router.post("/login/code")
def code_step(
    request: Request, form: FormData = Depends(form_data), site: Web = Depends(web)
) -> Response:
    ticket = sessions.read(request, sessions.TICKET)
    code = form.get("code")
    if not ticket or not sessions.csrf_matches(ticket, str(form.get("csrf", ""))):
        return redirect("/login")
    try:
        token, _ = accounts.complete_login(
            site.built.desk, ticket, str(code or "").strip(), client_address(request)
        )
    except NotAuthenticated as error:
        return _code_page(request, site.built.desk, ticket, str(error))
    response = redirect("/")
    sessions.take_back(request, response, sessions.TICKET)
    sessions.take_back(request, response, sessions.PRE_SESSION)
    sessions.give(request, response, token)
    return response


@router.post("/logout")
def logout(request: Request, sent: Posted = Depends(posted), site: Web = Depends(web)) -> Response:
    accounts.logout(site.built.desk, sent.viewer.token, sent.viewer.source)
    response = redirect("/login?why=out")
    sessions.take_back(request, response)
    return response


def _login_again(request: Request, fields: dict[str, str], errors: dict[str, str]) -> Response:
    seed = sessions.read(request, sessions.PRE_SESSION) or ""
    context = {
        "csrf": sessions.csrf_token(seed),
        "system_use": SYSTEM_USE_NOTICE,
        "errors": errors,
        "username": fields.get("username", ""),
    }
    return render(request, "login.html", context, 400)


def _code_page(request: Request, desk: Desk, ticket: str, error: str | None) -> Response:
    setting_up = enrolment.pending_enrolment(desk, ticket)
    uri = setting_up.totp_uri if setting_up else None
    qr = segno.make(uri, error="m").svg_data_uri(scale=4) if uri else None
    context = {"csrf": sessions.csrf_token(ticket), "enrolment": setting_up, "qr": qr}
    return render(request, "code.html", context | {"errors": {"code": error} if error else {}})


def _enrol_page(request: Request, ticket: str, error: str | None) -> Response:
    errors = {"enrolment_code": error} if error else {}
    context = {"csrf": sessions.csrf_token(ticket), "errors": errors}
    return render(request, "enrol.html", context, 400 if error else 200)


@router.post("/logout/everywhere")
def logout_everywhere(
    request: Request, sent: Posted = Depends(posted), site: Web = Depends(web)
) -> Response:
    account_admin.sign_out_everywhere(site.built.desk, sent.viewer.token, sent.viewer.source)
    response = redirect("/login?why=out")
    sessions.take_back(request, response)
    return response
