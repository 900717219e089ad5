"""Register agencies and their users."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from lexdesk.domain.account_lifecycle import (
    check_end_date,
    check_not_reused,
    check_username,
    end_of,
)
from lexdesk.domain.agencies import Agency, Role, User, parse_agency_kind, parse_role
from lexdesk.domain.deadlines import DeadlinePolicy
from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.ids import new_id
from lexdesk.domain.vocabulary import AgencyKind
from lexdesk.services import audit
from lexdesk.services.context import Desk, agency, audit_actor
from lexdesk.services.ports import UnitOfWork


@dataclass(frozen=True)
class RegisterAgency:
    id: str
    name: str
    kind: str
    jurisdiction: str
    rule_pack: str | None = None
    deadline_policy: dict[str, object] = field(default_factory=dict)
    source: str = "cli"
    #: For an immigration agency: ice (the default), cbp or other.
    component: str | None = None


def register_agency(desk: Desk, command: RegisterAgency) -> Agency:
    kind = parse_agency_kind(command.kind)
    if command.rule_pack and not desk.rules.has_pack(command.rule_pack):
        known = ", ".join(desk.rules.pack_ids())
        raise InvalidInput(f"unknown rule pack {command.rule_pack!r}: use one of {known}")
    if command.rule_pack and kind is not AgencyKind.CUSTODIAL:
        raise InvalidInput("only a custodial agency is governed by a rule pack: drop --rule-pack")
    policy = DeadlinePolicy.from_json(command.deadline_policy)  # validates before storing
    new = Agency(
        id=command.id,
        name=command.name,
        kind=kind,
        jurisdiction=command.jurisdiction,
        rule_pack=command.rule_pack,
        deadline_policy=policy.to_json(),
        component=command.component or ("ice" if kind is AgencyKind.IMMIGRATION else None),
    )
    with desk.uow() as uow:
        if uow.agencies.get(new.id):
            raise InvalidInput(f"agency {new.id} already exists: choose another code")
        uow.agencies.add(new)
        audit.record(
            uow,
            actor=audit.SYSTEM,
            agency=new.id,
            action="agency.register",
            object_type="agency",
            object_id=new.id,
            source=command.source,
            detail={"kind": new.kind.value, "rule_pack": new.rule_pack},
        )
        uow.commit()
    return new


@dataclass(frozen=True)
class AddUser:
    username: str
    agency_id: str
    display_name: str
    roles: tuple[str, ...]
    source: str = "cli"
    #: A temporary account's last day, in its agency's time zone: it is removed after it.
    ends_on: date | None = None


def add_user(desk: Desk, command: AddUser) -> User:
    """A user with no sign-in yet (the operator's, at the command line)."""
    with desk.uow() as uow:
        user = new_user(desk, uow, command, audit.SYSTEM)
        uow.commit()
    return user


def new_user(
    desk: Desk,
    uow: UnitOfWork,
    command: AddUser,
    actor: str,
    granted: frozenset[Role] | None = None,
) -> User:
    """Add the user in ``uow``, on record as added by ``actor``, with the roles asked for or
    only those ``granted`` now (the rest wait for a second administrator: ``role_grants``)."""
    if not command.roles:
        raise InvalidInput("name at least one role for the user")
    asked = frozenset(parse_role(r) for r in command.roles)
    roles = asked if granted is None else granted
    user = User(new_id("usr"), check_username(command.username), command.agency_id,
                command.display_name, roles)  # fmt: skip
    zone, now = zone_of(agency(uow, command.agency_id)), desk.clock.now()
    if command.ends_on is not None:
        user.ends_at = end_of(check_end_date(command.ends_on, now.astimezone(zone).date()), zone)
    if uow.users.by_username(command.username):
        raise InvalidInput(f"username {command.username} is taken: choose another")
    check_not_reused(command.username, uow.users.freed_at(command.username), now)
    who, behalf = audit_actor(desk, actor)
    uow.users.add(user, created_by=who)
    ends = {"ends_on": command.ends_on.isoformat()} if command.ends_on else {}
    audit.record(
        uow,
        actor=who,
        agency=user.agency_id,
        action="user.add",
        object_type="user",
        object_id=user.id,
        source=command.source,
        detail={
            "username": user.username,
            "roles": sorted(r.value for r in roles),
            **ends,
            **behalf,
        },
    )
    return user


def zone_of(found: Agency) -> ZoneInfo:
    """The agency's own time zone, in which its people count their days."""
    return ZoneInfo(DeadlinePolicy.from_json(found.deadline_policy).timezone)
