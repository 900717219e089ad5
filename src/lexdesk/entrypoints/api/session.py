"""``/api/v1/session``: sign in with a password, then a TOTP code; sign out.

The session token comes back once, in the body (for programs, as ``Authorization: Bearer``) and
as the ``__Host-lexdesk-api`` cookie (Secure, HttpOnly, SameSite=Strict, path /). Nothing here
logs a password, code, ticket or token; the services record each attempt without them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field, StringConstraints

from lexdesk.domain.credentials import SessionPolicy
from lexdesk.domain.permissions import Permission
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.entrypoints.api.errors import COMMON_ERRORS, ApiRoute
from lexdesk.entrypoints.api.schemas import Answer, StrictBody
from lexdesk.entrypoints.api.security import SESSION_COOKIE, credential, public, requires
from lexdesk.services import accounts
from lexdesk.services.accounts import Principal

router = APIRouter(
    prefix="/session", tags=["session"], route_class=ApiRoute, responses=COMMON_ERRORS
)
Secret = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class PasswordStep(StrictBody):
    username: Annotated[str, StringConstraints(min_length=1, max_length=63)]
    password: Secret


class Ticket(Answer):
    ticket: str = Field(description="Send it with the TOTP code to POST /session/totp.")
    expires_in: int = Field(description="Seconds the ticket is good for.")


class CodeStep(StrictBody):
    ticket: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


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


@router.post("", name="sign_in_password", dependencies=[Depends(public)])
def sign_in_password(request: Request, body: PasswordStep) -> Ticket:
    """The first step: username and password. The answer is a ticket for the code step."""
    ticket = accounts.begin_login(
        built(request).desk, body.username, body.password, source_of(request)
    )
    return Ticket(ticket=ticket, expires_in=int(accounts.TICKET_LIFETIME.total_seconds()))


@router.post("/totp", name="sign_in_code", dependencies=[Depends(public)])
def sign_in_code(request: Request, response: Response, body: CodeStep) -> SignedIn:
    """The second step: the ticket and the current TOTP code. The answer opens a session."""
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


@router.delete("", name="sign_out", status_code=204, dependencies=[Depends(public)])
def sign_out(request: Request, response: Response) -> None:
    """End the session: its token is worthless from now on. Harmless without one."""
    token = credential(request)
    if token is not None:
        accounts.logout(built(request).desk, token, source_of(request))
    response.delete_cookie(SESSION_COOKIE, secure=True, httponly=True, samesite="strict")
