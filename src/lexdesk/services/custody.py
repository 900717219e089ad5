"""What happens during a stay in custody: the person is released, transferred (to another
custodian, or to immigration authorities), or their expected release moves. Each is audited.

The requests whose clock runs from the release follow: a new expected release moves their due
dates (a ``reschedule`` event); a person who leaves custody while a detainer, notification or
transfer request is open ends it (``moot``), since nothing is left to hold or to notify. What
each party may learn of that is the disclosure policy's to say (``domain.visibility``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lexdesk.domain.agencies import Agency
from lexdesk.domain.deadlines import DueDate
from lexdesk.domain.errors import InvalidInput, NotFound
from lexdesk.domain.instruments import Instrument
from lexdesk.domain.permissions import Permission
from lexdesk.domain.persons import CustodyStatus, Person
from lexdesk.domain.vocabulary import CUSTODY_KINDS, AgencyKind, a_or_an
from lexdesk.services import audit, views
from lexdesk.services.authorization import authorize
from lexdesk.services.context import Desk, acting_user, agency, audit_actor
from lexdesk.services.instrument_access import due_for_addressee, require_reason
from lexdesk.services.ports import UnitOfWork


@dataclass(frozen=True)
class ReleasePerson:
    actor: str
    person_id: str
    reason: str
    at: datetime | None = None
    source: str = "cli"


@dataclass(frozen=True)
class TransferPerson:
    actor: str
    person_id: str
    to: str
    reason: str
    at: datetime | None = None
    source: str = "cli"


@dataclass(frozen=True)
class SetExpectedRelease:
    actor: str
    person_id: str
    expected_release_at: datetime | None
    reason: str
    source: str = "cli"


@audit.records_denials("person.release", "person", "person_id")
def release_person(desk: Desk, command: ReleasePerson) -> Person:
    """The person leaves custody, free."""
    reason = require_reason(command.reason, "a release")
    return _leave(desk, command, CustodyStatus.RELEASED, None, reason, "person.release")


@audit.records_denials("person.transfer", "person", "person_id")
def transfer_person(desk: Desk, command: TransferPerson) -> Person:
    """The person leaves custody for another agency's: a custodian's, or immigration's."""
    reason = require_reason(command.reason, "a transfer")
    return _leave(desk, command, CustodyStatus.TRANSFERRED, command.to, reason, "person.transfer")


@audit.records_denials("person.release_date", "person", "person_id")
def set_expected_release(desk: Desk, command: SetExpectedRelease) -> Person:
    """A new expected release (a sentence recalculated, bail set): the clocks that run from
    it move with it."""
    reason = require_reason(command.reason, "a new expected release")
    now = desk.clock.now()
    with desk.uow() as uow:
        person = _held_person(uow, command.actor, command.person_id)
        person.held_custody().expect_release(command.expected_release_at)
        uow.persons.update(person)
        moved = follow_release(desk, uow, person, now, reason, leaving=False)
        _record(desk, uow, command.actor, person, "person.release_date", command.source, moved)
        uow.commit()
    return person


def _leave(
    desk: Desk,
    command: ReleasePerson | TransferPerson,
    status: CustodyStatus,
    destination: str | None,
    reason: str,
    action: str,
) -> Person:
    now = desk.clock.now()
    at = command.at or now
    if at > now:
        raise InvalidInput("a release is recorded when it has happened: give a time not ahead")
    with desk.uow() as uow:
        person = _held_person(uow, command.actor, command.person_id)
        if destination is not None:
            _require_destination(agency(uow, destination))
        person.held_custody().leave(at, status, destination)
        uow.persons.update(person)
        ended = follow_release(desk, uow, person, now, reason, leaving=True)
        _record(desk, uow, command.actor, person, action, command.source, ended)
        uow.commit()
    return person


def _require_destination(found: Agency) -> None:
    if found.kind not in (AgencyKind.CUSTODIAL, AgencyKind.IMMIGRATION):
        raise InvalidInput(
            f"{found.id} is {a_or_an(found.kind.value)} agency: transfer to a custodial or an "
            "immigration agency"
        )


def _held_person(uow: UnitOfWork, username: str, person_id: str) -> Person:
    user = acting_user(uow, username)
    authorize(user, Permission.PERSON_WRITE)
    person = uow.persons.get(person_id)
    if person is None or person.owner_agency_id != user.agency_id:
        raise NotFound("person", person_id)
    authorize(user, Permission.PERSON_WRITE, person)
    return person


def follow_release(
    desk: Desk, uow: UnitOfWork, person: Person, now: datetime, reason: str, *, leaving: bool
) -> list[str]:
    """The open requests about the person at this custodian that run from the release: ended
    when the person leaves, their clocks moved otherwise. The ids of those that changed."""
    changed: list[str] = []
    for case in uow.cases.about(person.id):
        if case.custodial_agency_id != person.owner_agency_id:
            continue
        before = len(changed)
        for instrument in case.instruments:
            if instrument.kind not in CUSTODY_KINDS or not instrument.is_open:
                continue
            if leaving:
                instrument.apply("moot", actor=audit.SYSTEM, at=now, reason=reason)
                changed.append(instrument.id)
                continue
            due = _moved_due(desk, uow, instrument, person, now)
            if instrument.reschedule(due, at=now, reason=reason):
                changed.append(instrument.id)
        if len(changed) > before:
            case.close_if_settled()
            views.store(uow, case)
    return changed


def _moved_due(
    desk: Desk, uow: UnitOfWork, instrument: Instrument, person: Person, now: datetime
) -> DueDate | None:
    """The due date as it would have been computed at issue had the new release been known,
    under the addressee's law and calendar as they stand now."""
    addressee = agency(uow, instrument.addressee_agency_id)
    issued = instrument.issued_at or instrument.created_at
    return due_for_addressee(desk, instrument.kind, addressee, issued, person, None, now)


def _record(
    desk: Desk,
    uow: UnitOfWork,
    username: str,
    person: Person,
    action: str,
    source: str,
    instruments: list[str],
) -> None:
    actor, behalf = audit_actor(desk, username)
    audit.record(
        uow,
        actor=actor,
        agency=person.owner_agency_id,
        action=action,
        object_type="person",
        object_id=person.id,
        source=source,
        detail={"instruments": instruments, **behalf},
    )
