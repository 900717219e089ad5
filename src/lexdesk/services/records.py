"""The facts the law turns on, recorded on a custodian's record of a person: the yes/no facts
(a watch-list match, a final order of removal...), the fields already public, a magistrate's
probable-cause finding on a pending charge, a youthful-offender adjudication (on the record,
no conviction in law). The determination screen asks for them when the answer turns on them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lexdesk.domain.errors import InvalidInput, NotFound
from lexdesk.domain.permissions import Permission
from lexdesk.domain.persons import ChargeStatus, Person
from lexdesk.domain.rules.request import PERSON_FLAGS
from lexdesk.domain.vocabulary import DISCLOSABLE_FIELDS
from lexdesk.services import audit
from lexdesk.services.authorization import authorize
from lexdesk.services.context import Desk, acting_user, audit_actor
from lexdesk.services.instrument_access import require_reason


@dataclass(frozen=True)
class RecordFacts:
    actor: str
    person_id: str
    reason: str
    #: flag -> value, for the flags to set (the others stay as they are)
    flags: dict[str, bool] = field(default_factory=dict)
    #: the fields already public, when given (None: unchanged)
    public_information: tuple[str, ...] | None = None
    #: pending charges of the current stay (by position) on which probable cause was found
    probable_cause: tuple[int, ...] | None = None
    #: convictions (by position) that are youthful-offender adjudications
    youthful_offender: tuple[int, ...] | None = None
    source: str = "cli"


@audit.records_denials("person.facts", "person", "person_id")
def record_facts(desk: Desk, command: RecordFacts) -> Person:
    reason = require_reason(command.reason, "recording facts")
    unknown = sorted(set(command.flags) - set(PERSON_FLAGS))
    if unknown:
        raise InvalidInput(f"unknown fact {unknown[0]!r}: facts are {', '.join(PERSON_FLAGS)}")
    with desk.uow() as uow:
        user = acting_user(uow, command.actor)
        authorize(user, Permission.PERSON_FACTS)
        person = uow.persons.get(command.person_id)
        if person is None or person.owner_agency_id != user.agency_id:
            raise NotFound("person", command.person_id)
        changed = _apply(person, command)
        uow.persons.update(person)
        actor, behalf = audit_actor(desk, command.actor)
        audit.record(
            uow, actor=actor, agency=user.agency_id, action="person.facts", object_type="person",
            object_id=person.id, source=command.source,
            detail={"changed": changed, "reason": reason, **behalf},
        )  # fmt: skip
        uow.commit()
    return person


def _apply(person: Person, command: RecordFacts) -> list[str]:
    changed = [n for n, value in command.flags.items() if bool(person.facts.get(n)) != value]
    person.facts.update(command.flags)
    if command.public_information is not None:
        stray = sorted(set(command.public_information) - set(DISCLOSABLE_FIELDS))
        if stray:
            raise InvalidInput(f"{stray[0]!r} is no record field: name disclosable fields")
        public = tuple(dict.fromkeys(command.public_information))
        if public != person.public_information:
            person.public_information = public
            changed.append("public_information")
    if command.youthful_offender is not None:
        chosen = _positions(command.youthful_offender, len(person.convictions), "conviction")
        marked = [
            replace(c, youthful_offender=i in chosen) for i, c in enumerate(person.convictions)
        ]
        if marked != person.convictions:
            person.convictions = marked
            changed.append("youthful_offender")
    if command.probable_cause is not None:
        custody = person.held_custody()
        pending = [i for i, c in enumerate(custody.charges) if c.status is ChargeStatus.PENDING]
        chosen = _positions(command.probable_cause, len(custody.charges), "charge")
        if chosen - set(pending):
            raise InvalidInput("probable cause is found on pending charges only")
        found = [
            replace(c, probable_cause_found=i in chosen) for i, c in enumerate(custody.charges)
        ]
        if found != custody.charges:
            custody.charges = found
            changed.append("probable_cause_found")
    return changed


def _positions(given: tuple[int, ...], count: int, what: str) -> set[int]:
    wrong = [i for i in given if not 0 <= i < count]
    if wrong:
        raise InvalidInput(f"there is no {what} number {wrong[0] + 1} on record")
    return set(given)
