"""Who is asking, and may they: authentication and the permission check, in one dependency.

Every route declares its permission with ``requires(Permission.X)`` (or ``PUBLIC`` for the
sign-in steps); the dependency carries the permission, so a test can walk the routes and fail
on any that declares none. A person proves who they are with the session token from sign-in,
as the ``__Host-lexdesk-api`` cookie or ``Authorization: Bearer``; a system with an API token
(``Bearer lxd_...``), which carries scopes instead of roles. Refusals are audited: the services
record theirs, and this module records the requests that brought no credential at all and the
roles that do not grant the permission.

A route that only reads lists declares ``reads(Permission.X)`` instead: the session is checked
in the unit of work that the route then reads in, one transaction and one connection for the
whole request, committed when the route returns (it holds at most the session's activity).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection

from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.audit import Outcome
from lexdesk.domain.credentials import API_TOKEN_PREFIX, token_digest
from lexdesk.domain.errors import NotAuthenticated, NotPermitted
from lexdesk.domain.permissions import TOKEN_SCOPES, Permission, granted
from lexdesk.entrypoints.api.context import built, source_of
from lexdesk.services import accounts, api_tokens, audit
from lexdesk.services.accounts import Principal

SESSION_COOKIE = "__Host-lexdesk-api"
NOT_SIGNED_IN = "not signed in: sign in at POST /api/v1/session, or send an API token"

bearer = HTTPBearer(auto_error=False, description="A session token or an API token (lxd_...).")
cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="The session cookie.")

BearerCredential = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
CookieCredential = Annotated[str | None, Depends(cookie)]


def credential(request: Request) -> str | None:
    """The token a request carries, from the Authorization header or else the cookie."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(SESSION_COOKIE) or None


def requires(permission: Permission) -> Callable[..., Principal]:
    """The dependency that lets a request through only for someone granted ``permission``."""

    def authorised(
        request: Request, _bearer: BearerCredential, _cookie: CookieCredential
    ) -> Principal:
        token = _credential_or_refuse(request, permission)
        principal = _authenticate(request, token, permission, source_of(request))
        _require_grant(request, principal, permission)
        return principal

    authorised.permission = permission  # type: ignore[attr-defined]
    return authorised


@dataclass(frozen=True)
class Reading:
    """Who is asking, and the open transaction that authenticated them, to read in."""

    principal: Principal
    db: Connection


def reads(permission: Permission) -> Callable[..., Iterator[Reading]]:
    """``requires`` for a route that only reads: one unit of work for the whole request.

    A session is authenticated in the unit of work the route reads in; an API token in its own,
    as ``requires`` does, before the read opens. The unit of work commits when the route
    returns (it holds nothing but the session's activity, written at most once a minute) and
    rolls back if the route fails. Declare it with ``Depends(..., scope="function")``, so that
    it ends before the answer is sent. A route that may raise ``NotFound`` (whose refusal is
    audited in a unit of work of its own) must use ``requires``: on SQLite the open unit of
    work holds the write lock."""

    def authorised(
        request: Request, _bearer: BearerCredential, _cookie: CookieCredential
    ) -> Iterator[Reading]:
        token, source = _credential_or_refuse(request, permission), source_of(request)
        desk = built(request).desk
        if token.startswith(API_TOKEN_PREFIX):
            principal = _authenticate(request, token, permission, source)
            _require_grant(request, principal, permission)
            with desk.uow() as uow:
                yield Reading(principal, _connection_of(uow))
                uow.commit()
            return
        with desk.uow() as uow:
            principal = accounts.authenticate_in(uow, token, source)
            if granted(principal.roles, permission):
                request.state.principal = principal
                yield Reading(principal, _connection_of(uow))
                uow.commit()
                return
            uow.commit()  # the session's activity; the refusal goes on record on its own
        _require_grant(request, principal, permission)

    authorised.permission = permission  # type: ignore[attr-defined]
    return authorised


def public() -> None:
    """The mark of a route anyone may call: the sign-in steps."""


public.permission = "public"  # type: ignore[attr-defined]


def permission_of(call: Any) -> str | None:
    found = getattr(call, "permission", None)
    return str(found) if found is not None else None


def _credential_or_refuse(request: Request, permission: Permission) -> str:
    token = credential(request)
    if token is None:
        _refuse(request, None, permission, "no credential", "failure")
        raise NotAuthenticated(NOT_SIGNED_IN)
    return token


def _require_grant(request: Request, principal: Principal, permission: Permission) -> None:
    request.state.principal = principal
    if principal.via == "session" and not granted(principal.roles, permission):
        _refuse(request, principal, permission, "role does not grant it", "denied")
        raise NotPermitted(
            f"{principal.username} may not {permission.value}: no role of theirs grants it;"
            " ask an administrator of the agency"
        )


def _connection_of(uow: object) -> Connection:
    # The app is only ever built (``bootstrap``) over the SQL unit of work: no request can
    # bring another; the check narrows the type and names the mistake of a desk built wrong.
    if not isinstance(uow, SqlUnitOfWork):  # pragma: no cover
        raise TypeError("the API reads through the SQL unit of work")
    return uow.connection


def _authenticate(request: Request, token: str, permission: Permission, source: str) -> Principal:
    desk = built(request).desk
    if not token.startswith(API_TOKEN_PREFIX):
        return accounts.authenticate(desk, token, source)
    scope = TOKEN_SCOPES[permission]
    if scope is not None:
        return api_tokens.verify_api_token(desk, token, scope, source)
    if not _live_token(request, token):
        # Let the service refuse it (401) and put the refusal on record.
        api_tokens.verify_api_token(desk, token, permission.value, source)
    _refuse(request, None, permission, "API token used for a person's task", "denied")
    raise NotPermitted(
        f"{permission.value} is for a signed-in person, not an API token: sign in to do it"
    )


def _live_token(request: Request, token: str) -> bool:
    desk = built(request).desk
    with desk.uow() as uow:
        found = uow.accounts.api_token(token_digest(token))
    return found is not None and found.revoked_at is None and desk.clock.now() < found.expires_at


def _refuse(
    request: Request,
    principal: Principal | None,
    permission: Permission,
    reason: str,
    outcome: Outcome,
) -> None:
    route = request.scope.get("route")
    audit.record_alone(
        built(request).desk,
        actor=principal.username if principal else "anonymous",
        agency=principal.agency_id if principal else "",
        action=f"api.{getattr(route, 'name', 'unknown')}",
        object_type="route",
        object_id=request.url.path[:100],
        outcome=outcome,
        source=source_of(request),
        detail={"permission": permission.value, "reason": reason, "method": request.method},
    )
