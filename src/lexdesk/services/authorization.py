"""Who may do what: the one check of role and side, whichever door a request came in by (the
API, the web, the command line).

``authorize(actor, permission, target)`` refuses unless one of the actor's roles grants the
permission (``domain.permissions``) and, for a verb on an instrument, the actor's agency is the
side of the instrument that the transition table lets take it; for a person, the agency that
holds them. Pages ask ``may`` (the same check, as a yes or no) to decide what to offer.
"""

from __future__ import annotations

from typing import Protocol

from lexdesk.domain.agencies import Agency, Role
from lexdesk.domain.errors import NotPermitted
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.lifecycle import party_for
from lexdesk.domain.permissions import Permission
from lexdesk.domain.persons import Person
from lexdesk.domain.vocabulary import AgencyKind

#: The transition each instrument verb takes: its side comes from the transition table.
VERBS: dict[Permission, str] = {
    Permission.INSTRUMENT_ACKNOWLEDGE: "acknowledge",
    Permission.INSTRUMENT_DETERMINE: "determine",
    Permission.INSTRUMENT_ESCALATE: "escalate",
    Permission.INSTRUMENT_WITHDRAW: "withdraw",
}


class Actor(Protocol):
    """Anyone acting: a user, or the principal of a signed-in request."""

    @property
    def username(self) -> str: ...
    @property
    def agency_id(self) -> str: ...
    @property
    def roles(self) -> frozenset[Role]: ...
    def holds(self, permission: Permission) -> bool: ...


Target = Instrument | Person | Agency | None


def authorize(actor: Actor, permission: Permission, target: Target = None) -> None:
    """Refuse, saying why, unless ``actor`` may exercise ``permission`` on ``target``."""
    if not actor.holds(permission):
        roles = ", ".join(sorted(r.value for r in actor.roles)) or "none"
        raise NotPermitted(
            f"{actor.username} may not {permission.value}: no role of theirs ({roles}) grants "
            f"it; ask an administrator of {actor.agency_id}"
        )
    if isinstance(target, Instrument):
        _require_side(actor, permission, target)
    elif isinstance(target, Person) and target.owner_agency_id != actor.agency_id:
        raise NotPermitted(f"{actor.username} may act only on people their agency holds")
    elif isinstance(target, Agency) and target.id != actor.agency_id:
        raise NotPermitted(f"{actor.username} acts for {actor.agency_id}, not {target.id}")


def may(actor: Actor, permission: Permission, target: Target = None) -> bool:
    try:
        authorize(actor, permission, target)
    except NotPermitted:
        return False
    return True


def require_custodian(actor: Actor, agency: Agency) -> None:
    """Only a custodial agency holds people."""
    if agency.kind is not AgencyKind.CUSTODIAL:
        raise NotPermitted(
            f"{agency.name} is not a custodial agency: only a custodian holds people"
        )


def _require_side(actor: Actor, permission: Permission, instrument: Instrument) -> None:
    name = VERBS.get(permission)
    party = party_for(instrument.kind, name) if name else None
    if party is None:
        return  # no side takes it on this kind: the transition table refuses it, saying why
    if instrument.party_of(actor.agency_id) is not party:
        side = party.value
        raise NotPermitted(
            f"only the {side} of {instrument.id} may {name} it; {actor.username} acts for "
            f"{actor.agency_id}"
        )
