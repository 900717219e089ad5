"""API tokens for system-to-system use: owned by an agency, scoped, expiring, revocable, and
stored only as a digest (the holder sees the token once, when it is made)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from lexdesk.domain.account_lifecycle import utc_day
from lexdesk.domain.accounts import API_SCOPES, ApiToken
from lexdesk.domain.credentials import new_api_token, token_digest
from lexdesk.domain.errors import InvalidInput, NotAuthenticated, NotFound, NotPermitted
from lexdesk.domain.ids import new_id
from lexdesk.services import acting_agency, audit
from lexdesk.services.accounts import Principal
from lexdesk.services.context import Desk, agency
from lexdesk.services.ports import UnitOfWork
from lexdesk.services.privileges import require_admin

#: A year at most: a token that never expires is a password nobody remembers to change.
LONGEST_LIFETIME = timedelta(days=365)
#: The longest name of the system that holds a token.
NAME_LIMIT = 100
SCOPE_WORDS = ", ".join(sorted(API_SCOPES))
NOT_USABLE = "this API token is unknown, expired or revoked: ask the agency for a new one"


@dataclass(frozen=True)
class CreateApiToken:
    agency_id: str
    name: str
    scopes: tuple[str, ...]
    lifetime: timedelta = timedelta(days=90)
    actor: str = audit.SYSTEM
    source: str = "cli"
    session: str = ""


@audit.records_denials("token.create", "api_token", "name")
def create_api_token(desk: Desk, command: CreateApiToken) -> tuple[str, ApiToken]:
    """The token itself (shown once) and its record."""
    unknown = sorted(set(command.scopes) - API_SCOPES)
    if unknown:
        raise InvalidInput(f"there is no scope {unknown[0]!r}: choose among {SCOPE_WORDS}")
    if not command.scopes:
        raise InvalidInput(f"choose at least one scope: {SCOPE_WORDS}")
    if not command.name.strip():
        raise InvalidInput("name the system that will use the token")
    if len(command.name) > NAME_LIMIT:
        raise InvalidInput(
            f"the name is {len(command.name)} characters long: keep it to {NAME_LIMIT}"
        )
    if not timedelta(0) < command.lifetime <= LONGEST_LIFETIME:
        raise InvalidInput("a token lives between one second and 365 days: choose a lifetime")
    secret, now = new_api_token(), desk.clock.now()
    with desk.uow() as uow:
        agency(uow, command.agency_id)
        require_admin(uow, command.actor, command.agency_id, command.session)
        token = ApiToken(
            id=new_id("tok"),
            digest=token_digest(secret),
            agency_id=command.agency_id,
            created_by=command.actor,
            name=command.name,
            scopes=frozenset(command.scopes),
            created_at=now,
            expires_at=now + command.lifetime,
        )
        uow.accounts.add_api_token(token)
        _record(uow, command.actor, token, "token.create", command.source)
        uow.commit()
    return secret, token


@dataclass(frozen=True)
class RevokeApiToken:
    token_id: str
    actor: str = audit.SYSTEM
    source: str = "cli"
    session: str = ""


@audit.records_denials("token.revoke", "api_token", "token_id")
def revoke_api_token(desk: Desk, command: RevokeApiToken) -> None:
    with desk.uow() as uow:
        token = uow.accounts.api_token_by_id(command.token_id)
        if token is None:
            raise NotFound("API token", command.token_id)
        require_admin(uow, command.actor, token.agency_id, command.session)
        if token.revoked_at is None:
            uow.accounts.revoke_api_token(token.id, desk.clock.now())
            _record(uow, command.actor, token, "token.revoke", command.source)
        uow.commit()


def verify_api_token(desk: Desk, secret: str, scope: str, source: str) -> Principal:
    """Who a system is, if its token is live and allows ``scope``; a refusal is on record."""
    now = desk.clock.now()
    with desk.uow() as uow:
        token = uow.accounts.api_token(token_digest(secret))
        live = token is not None and token.revoked_at is None and now < token.expires_at
        kind = agency(uow, token.agency_id).kind if token else None
        # A token unused 90 days is revoked (``account_lifecycle``): its use is noted, once a
        # day, so that every other request of the day reads only.
        if token is not None and live and token.last_used_on != utc_day(now):
            uow.accounts.token_used(token.id, utc_day(now))
            uow.commit()
    if token is None or kind is None or not live:
        _refuse(desk, token, source, "unknown, expired or revoked")
        raise NotAuthenticated(NOT_USABLE)
    if scope not in token.scopes:
        _refuse(desk, token, source, f"scope {scope} not granted")
        raise NotPermitted(f"this API token does not allow {scope}: ask for a token that does")
    acting_agency.narrow(token.agency_id)  # the rest of the request acts for the token's agency
    return Principal(
        token.id, token.name, token.agency_id, kind, frozenset(), "token", token.scopes
    )


def _refuse(desk: Desk, token: ApiToken | None, source: str, reason: str) -> None:
    audit.record_alone(
        desk,
        actor=token.id if token else "anonymous",
        agency=token.agency_id if token else "",
        action="token.use",
        object_type="api_token",
        object_id=token.id if token else "",
        outcome="denied" if token else "failure",
        source=source,
        detail={"reason": reason},
    )


def _record(uow: UnitOfWork, actor: str, token: ApiToken, action: str, source: str) -> None:
    audit.record(
        uow,
        actor=actor,
        agency=token.agency_id,
        action=action,
        object_type="api_token",
        object_id=token.id,
        source=source,
        detail={"name": token.name, "scopes": sorted(token.scopes)},
    )
