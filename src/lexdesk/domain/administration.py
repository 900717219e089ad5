"""The rules an agency's administration keeps so that it can never lock itself out, and the
separation of duties between its administrators (docs/adr/0013-separation-of-duties.md).

- Nobody disables their own account, and the last active administrator of an agency is never
  disabled nor loses the role: someone must always be able to enable, unlock and grant.
- Nobody changes their own roles.
- A role that acts on people in custody or on the law (``legal``, ``officer``), and the
  ``admin`` role that approves such grants, are granted only when a second administrator of
  the same agency approves: a ``RoleGrant`` request, pending until then. Other roles, and
  taking a role away, take effect at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from lexdesk.domain.agencies import Role, User
from lexdesk.domain.errors import InvalidInput, NotPermitted

#: Roles granted only on a second administrator's approval. ``admin`` is among them, or one
#: administrator could make a second account of their own and approve their own requests.
NEEDS_SECOND_ADMIN = frozenset({Role.LEGAL, Role.OFFICER, Role.ADMIN})

GrantStatus = Literal["pending", "approved", "refused"]
#: The longest reason a request or refusal may carry.
REASON_LIMIT = 500


@dataclass(frozen=True)
class RoleGrant:
    """A request that ``username`` be granted ``roles``, made by one administrator and decided
    by another of the same agency."""

    id: str
    agency_id: str
    user_id: str
    username: str
    roles: frozenset[Role]
    requested_by: str
    requested_at: datetime
    reason: str = ""
    status: GrantStatus = "pending"
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str = ""


def role_names(roles: Iterable[Role]) -> str:
    """``legal and officer``: roles as a sentence names them."""
    names = sorted(r.value for r in roles)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def split_roles(roles: Iterable[Role]) -> tuple[frozenset[Role], frozenset[Role]]:
    """The roles that take effect at once, and those that wait for a second administrator."""
    chosen = frozenset(roles)
    return chosen - NEEDS_SECOND_ADMIN, chosen & NEEDS_SECOND_ADMIN


def check_not_self(actor: str, target: User, doing: str) -> None:
    """Nobody ``doing`` (disables, changes the roles of, ...) their own account."""
    if actor == target.username:
        raise NotPermitted(
            f"you cannot {doing} your own account: ask another administrator of {target.agency_id}"
        )


def is_last_admin(target: User, colleagues: Iterable[User]) -> bool:
    """Whether ``target`` is the only active administrator among its agency's users."""
    if not target.active or Role.ADMIN not in target.roles:
        return False
    return not any(
        u.active and Role.ADMIN in u.roles and u.id != target.id
        for u in colleagues
        if u.agency_id == target.agency_id
    )


def check_keeps_an_admin(target: User, colleagues: Iterable[User], doing: str) -> None:
    if is_last_admin(target, colleagues):
        raise InvalidInput(
            f"{target.username} is the last active administrator of {target.agency_id}: you"
            f" cannot {doing}; make another administrator first"
        )


def check_decider(grant: RoleGrant, decider: str) -> None:
    """A request is decided once, by an administrator who neither made it nor is its subject."""
    if grant.status != "pending":
        raise InvalidInput(
            f"the request {grant.id} was already {grant.status} by {grant.decided_by}"
        )
    if decider == grant.requested_by:
        raise NotPermitted(
            f"you made the request {grant.id}: another administrator of {grant.agency_id}"
            " must approve or refuse it"
        )
    if decider == grant.username:
        raise NotPermitted(
            f"the request {grant.id} grants roles to you: another administrator of"
            f" {grant.agency_id} must approve or refuse it"
        )


def check_reason(reason: str, what: str = "the reason") -> str:
    text = reason.strip()
    if len(text) > REASON_LIMIT:
        raise InvalidInput(f"{what} is {len(text)} characters long: keep it to {REASON_LIMIT}")
    return text
