"""What every use case is given: a way to open units of work, a clock and the rule book."""

from __future__ import annotations

from dataclasses import dataclass

from lexdesk.domain.agencies import Agency, User
from lexdesk.domain.errors import NotFound, NotPermitted
from lexdesk.services.ports import Clock, RuleBook, UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class Desk:
    uow: UnitOfWorkFactory
    clock: Clock
    rules: RuleBook


def acting_user(uow: UnitOfWork, username: str) -> User:
    user = uow.users.by_username(username)
    if user is None:
        raise NotFound("user", username)
    if not user.active:
        raise NotPermitted(
            f"user {username} is disabled: ask an administrator to enable the account"
        )
    return user


def agency(uow: UnitOfWork, agency_id: str) -> Agency:
    found = uow.agencies.get(agency_id)
    if found is None:
        raise NotFound("agency", agency_id)
    return found
