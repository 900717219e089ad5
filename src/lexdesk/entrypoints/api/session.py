"""``/api/v1/session``: sign in with a password, then a TOTP code (the first time, a one-time
enrolment code before it); sign out.

The session token comes back once, in the body (for programs, as ``Authorization: Bearer``) and
as the ``__Host-lexdesk-api`` cookie (Secure, HttpOnly, SameSite=Strict, path /). Nothing here
logs a password, code, ticket or token; the services record each attempt without them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field, StringConstraints

from lexdesk.domain.credentials import SYSTEM_USE_NOTICE, SessionPolicy
from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.errors import COMMON_ERRORS, THROTTLED, ApiRoute
from lexdesk.entrypoints.api.headers import CLEARED_COOKIE
from lexdesk.entrypoints.api.schemas import Answer, NewSecret, Secret, StrictBody
from lexdesk.entrypoints.api.security import SESSION_COOKIE, credential, public, requires
from lexdesk.services import accounts, confirmation, enrolment
from lexdesk.services.accounts import Principal
from lexdesk.services.privileges import CONFIRMATION_LIFETIME

router = APIRouter(
    prefix="/session", tags=["session"], route_class=ApiRoute, responses=COMMON_ERRORS
)


class PasswordStep(StrictBody):
    username: Annotated[str, StringConstraints(min_length=1, max_length=63)]
    password: Secret
    acknowledge_notice: Literal[True] = Field(
        description="The caller accepts the system-use notice (CJIS AC-8), kept on record: "
        + " ".join(SYSTEM_USE_NOTICE)
    )


class Ticket(Answer):
    ticket: str = Field(description="Send it with the TOTP code to POST /session/totp.")
    expires_in: int = Field(description="Seconds the ticket is good for.")


class CodeStep(StrictBody):
    ticket: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class EnrolmentStep(StrictBody):
    ticket: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    enrolment_code: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="The one-time code the administrator gave apart from the password."
    )


class Authenticator(Answer):
    username: str
    totp_secret: str = Field(
        description="Load it into an authenticator app now; then send its code to"
        " POST /session/totp with the same ticket."
    )
    totp_uri: str = Field(description="The same key as an otpauth:// URI (for a QR code).")


class Confirmation(StrictBody):
    password: Secret
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class Confirmed(Answer):
    confirmed_until: datetime = Field(
        description="Privileged actions and credential changes are open until then (UTC)."
    )
    valid_for: int = Field(description="Seconds the confirmation is good for.")


class NewPassword(StrictBody):
    current_password: Secret
    new_password: NewSecret


class PasswordChanged(Answer):
    sessions_ended: int = Field(description="How many other sessions of the account ended.")


class Who(Answer):
    username: str
    agency: str
    agency_kind: str
    roles: list[str]
    via: str


class SignedIn(Who):
    token: str = Field(description="The session token: keep it secret; it is shown once.")
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the scheme, not a secret)
    idle_timeout: int = Field(description="Seconds without a request before it ends.")


def who(principal: Principal) -> Who:
    return Who(
        username=principal.username,
        agency=principal.agency_id,
        agency_kind=principal.agency_kind.value,
        roles=sorted(r.value for r in principal.roles),
        via=principal.via,
    )


@router.post("", name="sign_in_password", dependencies=[Depends(public)], responses=THROTTLED)
def sign_in_password(request: Request, body: PasswordStep) -> Ticket:
    """The first step: username, password and the system-use notice accepted. The answer is a
    ticket for the code step. An unknown name, a wrong password and a locked or disabled
    account are all answered 401 alike; too many failures from one address, 429."""
    ticket = accounts.begin_login(
        built(request).desk, body.username, body.password, source_of(request), acknowledged=True
    )
    return Ticket(ticket=ticket, expires_in=int(accounts.TICKET_LIFETIME.total_seconds()))


@router.post(
    "/enrolment", name="sign_in_enrolment", dependencies=[Depends(public)], responses=THROTTLED
)
def sign_in_enrolment(request: Request, body: EnrolmentStep) -> Authenticator:
    """The first sign-in of an account (or the first after its authenticator was reset),
    between the password and the code: the one-time enrolment code. The answer is the new
    authenticator's key, shown this once; its first code, sent to POST /session/totp with the
    same ticket, completes the sign-in. A wrong, expired or spent enrolment code, or an
    account with nothing to enrol, is answered 401 alike and counts towards the lock."""
    made = enrolment.redeem_enrolment_code(
        built(request).desk, body.ticket, body.enrolment_code, source_of(request)
    )
    return Authenticator(username=made.username, totp_secret=made.totp_secret,
                         totp_uri=made.totp_uri)  # fmt: skip


@router.post("/totp", name="sign_in_code", dependencies=[Depends(public)], responses=THROTTLED)
def sign_in_code(request: Request, response: Response, body: CodeStep) -> SignedIn:
    """The second step: the ticket and the current TOTP code. The answer opens a session. An
    account without an authenticator gives its enrolment code first (POST /session/enrolment)."""
    token, principal = accounts.complete_login(
        built(request).desk, body.ticket, body.code, source_of(request)
    )
    response.set_cookie(
        SESSION_COOKIE, token, secure=True, httponly=True, samesite="strict", path="/"
    )
    idle = int(SessionPolicy().idle.total_seconds())
    return SignedIn(**who(principal).model_dump(), token=token, idle_timeout=idle)


@router.get("", name="who_am_i")
def who_am_i(
    principal: Annotated[Principal, Depends(requires(Permission.AGENCY_READ))],
) -> Who:
    """Who the session or token belongs to."""
    return who(principal)


@router.post("/confirm", name="confirm_identity")
def confirm_identity(
    request: Request,
    body: Confirmation,
    principal: Annotated[Principal, Depends(requires(Permission.AGENCY_READ))],
) -> Confirmed:
    """Confirm it's you (password and a fresh TOTP code) before a privileged action or a
    credential change: they are open for 5 minutes after. A wrong password or code counts
    towards the lock, as at sign-in."""
    until = confirmation.confirm_identity(
        built(request).desk, _session_token(request), body.password, body.code, source_of(request)
    )
    lifetime = int(CONFIRMATION_LIFETIME.total_seconds())
    return Confirmed(confirmed_until=until, valid_for=lifetime)


@router.post("/password", name="change_password")
def change_password(
    request: Request,
    body: NewPassword,
    principal: Annotated[Principal, Depends(requires(Permission.AGENCY_READ))],
) -> PasswordChanged:
    """Change one's own password: needs the current one and a confirmation at most 5 minutes
    old; the new one must meet the password policy. Every other session of the account ends."""
    command = confirmation.ChangePassword(
        principal.username,
        body.current_password,
        body.new_password,
        principal.session,
        source_of(request),
    )
    ended = confirmation.change_password(built(request).desk, command)
    return PasswordChanged(sessions_ended=ended)


def _session_token(request: Request) -> str:
    token = credential(request)
    assert token is not None, "requires() let through only requests with a credential"
    return token


@router.delete(
    "",
    name="sign_out",
    status_code=204,
    dependencies=[Depends(public)],
    responses={204: {"headers": CLEARED_COOKIE}},
)
def sign_out(request: Request, response: Response) -> None:
    """End the session: its token is worthless from now on. Harmless without one."""
    token = credential(request)
    if token is not None:
        accounts.logout(built(request).desk, token, source_of(request))
    response.delete_cookie(SESSION_COOKIE, secure=True, httponly=True, samesite="strict")
