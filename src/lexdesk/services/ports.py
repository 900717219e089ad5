"""The ports: what the use cases need from the outside world, as protocols."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from lexdesk.domain.agencies import Agency, User
from lexdesk.domain.cases import Case
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.persons import IdentifierScheme, Person


class Clock(Protocol):
    def now(self) -> datetime: ...


class AgencyRepository(Protocol):
    def add(self, agency: Agency) -> None: ...
    def get(self, agency_id: str) -> Agency | None: ...
    def list(self) -> list[Agency]: ...


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...
    def get(self, user_id: str) -> User | None: ...
    def by_username(self, username: str) -> User | None: ...


class PersonRepository(Protocol):
    def add(self, person: Person) -> None: ...
    def get(self, person_id: str) -> Person | None: ...
    def by_identifier(self, scheme: IdentifierScheme, value: str) -> Person | None: ...


class CaseRepository(Protocol):
    def add(self, case: Case) -> None: ...
    def get(self, case_id: str) -> Case | None: ...
    def of_instrument(self, instrument_id: str) -> Case | None: ...
    def find(self, requesting_agency_id: str, person_id: str) -> list[Case]: ...
    def save(self, case: Case) -> None:
        """Store what changed; raises ConcurrencyConflict if an instrument changed meanwhile."""


class UnitOfWork(Protocol):
    @property
    def agencies(self) -> AgencyRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def persons(self) -> PersonRepository: ...
    @property
    def cases(self) -> CaseRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class Notifier(Protocol):
    """Tells an agency that something needs its attention (mail, queue, ...). A seam for later."""

    def notify(self, agency_id: str, subject: str, body: str) -> None: ...


__all__ = [
    "AgencyRepository",
    "CaseRepository",
    "Clock",
    "Instrument",
    "Notifier",
    "PersonRepository",
    "RuleBook",
    "RuleDecision",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UserRepository",
]


@dataclass(frozen=True)
class RuleDecision:
    """What the rule engine decided, in the two shapes the services need."""

    #: action -> "required" | "permitted" | "prohibited"
    statuses: dict[str, str]
    #: The record stored with a determination: pack id, version, content hash, inputs, result.
    record: dict[str, Any]


class RuleBook(Protocol):
    """The jurisdictions' law as rule packs, evaluated by the rule engine."""

    def has_pack(self, pack_id: str) -> bool: ...
    def pack_ids(self) -> list[str]: ...
    def decide(self, document: dict[str, Any]) -> RuleDecision:
        """Evaluate one request in the ``lexdesk rules evaluate`` document shape."""
        ...
