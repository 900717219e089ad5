"""What every use case is given: a way to open units of work, a clock, the rule book and the
alarm that sounds when the audit trail cannot be written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lexdesk.domain.agencies import Agency, User
from lexdesk.domain.errors import NotFound, NotPermitted
from lexdesk.services.ports import (
    AlarmState,
    AuditAlarm,
    BlobStore,
    Clock,
    DocumentPress,
    ReportComputer,
    RuleBook,
    UnitOfWork,
    UnitOfWorkFactory,
)

#: The attribute under which each unit of work a desk opens carries the desk's alarm, so that
#: ``services.audit.record(uow, ...)`` can sound it without every caller passing it along.
ALARM_ATTRIBUTE = "audit_alarm"


class RememberingAlarm:
    """The default alarm of a desk built without one (tests, tools): it remembers the last
    failure and tells nobody. ``lexdesk.bootstrap`` wires the one that alerts the operators."""

    def __init__(self) -> None:
        self._last: AlarmState | None = None

    def raise_alarm(self, reason: str, at: datetime) -> None:
        self._last = AlarmState(at=at, reason=reason)

    def state(self) -> AlarmState | None:
        return self._last


@dataclass(frozen=True)
class Desk:
    uow: UnitOfWorkFactory
    clock: Clock
    rules: RuleBook
    alarm: AuditAlarm = field(default_factory=RememberingAlarm)
    #: Who is at the controls when it is not the user named in a command: the operator of the
    #: command line (``operator:<login>``), who acts on behalf of the user ``--as`` names. The
    #: audit trail names the operator as the actor and the user as ``on_behalf_of``; the user's
    #: roles and agency still decide what may be done. Empty for the API and the web, where the
    #: signed-in user is the actor.
    operator: str = ""
    #: Renders, signs and reads documents (``adapters.press``); None: this desk makes none.
    press: DocumentPress | None = None
    #: Keeps attachments by their SHA-256 (``adapters.blobs``); None: this desk takes none.
    blobs: BlobStore | None = None
    #: Computes transparency reports from the record (``queries.transparency``), for what
    #: publishes them on a schedule; None: this desk publishes none by itself.
    reports: ReportComputer | None = None
    #: Keys the digest kept of a name typed at sign-in that is no account (often a password
    #: typed into the wrong box): the audit trail keeps that digest, never the text, so that
    #: repeated attempts can be told apart without the trail holding what was typed.
    name_key: bytes = b""

    def __post_init__(self) -> None:
        """Every unit of work this desk opens carries its alarm (see ``ALARM_ATTRIBUTE``)."""
        opens, alarm = self.uow, self.alarm

        def alarmed() -> UnitOfWork:
            uow = opens()
            setattr(uow, ALARM_ATTRIBUTE, alarm)
            return uow

        object.__setattr__(self, "uow", alarmed)


def alarm_of(uow: UnitOfWork) -> AuditAlarm | None:
    """The alarm of the desk that opened ``uow``, if a desk did."""
    found: AuditAlarm | None = getattr(uow, ALARM_ATTRIBUTE, None)
    return found


def audit_actor(desk: Desk, username: str) -> tuple[str, dict[str, str]]:
    """The actor an audit entry names for ``username``, and what it adds to the detail."""
    if desk.operator and username == "system":
        return desk.operator, {}
    if desk.operator and username and username != desk.operator:
        return desk.operator, {"on_behalf_of": username}
    return username, {}


def acting_user(uow: UnitOfWork, username: str) -> User:
    user = uow.users.by_username(username)
    if user is None:
        raise NotFound("user", username)
    if not user.active:
        raise NotPermitted(
            f"user {username} is disabled: ask an administrator to enable the account"
        )
    uow.narrow_to(user.agency_id)
    return user


def agency(uow: UnitOfWork, agency_id: str) -> Agency:
    found = uow.agencies.get(agency_id)
    if found is None:
        raise NotFound("agency", agency_id)
    return found
