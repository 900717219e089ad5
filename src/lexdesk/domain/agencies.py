"""Agencies are the tenants of lexdesk; users belong to exactly one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.vocabulary import AgencyKind, parse_choice

if TYPE_CHECKING:
    from lexdesk.domain.permissions import Permission

#: The components of an immigration agency (the request schema's ``instrument.issuer``).
COMPONENTS = ("ice", "cbp", "other")

#: The longest name of a user or an agency (the tables' limit).
NAME_LIMIT = 200

_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class Role(StrEnum):
    OFFICER = "officer"
    LEGAL = "legal"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"


def parse_agency_kind(value: str) -> AgencyKind:
    return parse_choice(AgencyKind, value, "agency kind")


def parse_role(value: str) -> Role:
    return parse_choice(Role, value, "role")


def check_code(code: str, what: str) -> str:
    if not _CODE.match(code):
        raise InvalidInput(
            f"{what} {code!r} is not a valid code: use 2-63 lowercase letters, digits and dashes"
        )
    return code


@dataclass
class Agency:
    """A tenant. A custodial agency names the rule pack that governs its answers."""

    id: str
    name: str
    kind: AgencyKind
    jurisdiction: str
    rule_pack: str | None = None
    #: Per-agency deadline configuration (see ``deadlines.DeadlinePolicy``), stored as JSON.
    deadline_policy: dict[str, object] = field(default_factory=dict)
    #: For an immigration agency, its component: ``ice``, ``cbp`` or ``other`` (some laws
    #: bind only ICE's requests, Tex. Code Crim. Proc. art. 2.251).
    component: str | None = None

    def __post_init__(self) -> None:
        check_code(self.id, "agency")
        if not self.name.strip():
            raise InvalidInput("an agency needs a name")
        if self.component is not None and self.component not in COMPONENTS:
            raise InvalidInput(
                f"unknown component {self.component!r}: use one of {', '.join(COMPONENTS)}"
            )
        if self.component is not None and self.kind is not AgencyKind.IMMIGRATION:
            raise InvalidInput("only an immigration agency has a component (ice, cbp, other)")
        if self.kind is AgencyKind.CUSTODIAL and not self.rule_pack:
            raise InvalidInput(
                f"custodial agency {self.id} needs a rule pack (e.g. us-ny-nyc-doc): "
                "its answers are governed by its jurisdiction's law"
            )


@dataclass
class User:
    id: str
    username: str
    agency_id: str
    display_name: str
    roles: frozenset[Role]
    active: bool = True
    #: A temporary account stops working at this moment (``domain.account_lifecycle``).
    ends_at: datetime | None = None

    def __post_init__(self) -> None:
        # A user may hold no role yet while the first ones await a second administrator's
        # approval (``administration``); a request to add a user names at least one.
        check_code(self.username, "username")
        if not self.display_name.strip():
            raise InvalidInput(f"user {self.username} needs a full name")
        if len(self.display_name) > NAME_LIMIT:
            raise InvalidInput(
                f"the full name is {len(self.display_name)} characters long:"
                f" keep it to {NAME_LIMIT}"
            )

    def holds(self, permission: Permission) -> bool:
        """Whether one of the user's roles grants ``permission`` (``domain.permissions``)."""
        from lexdesk.domain.permissions import granted  # the table names these roles

        return granted(self.roles, permission)
