"""Book people into a custodial agency's custody, with their charges and history.

A custodian's records are its own: any custodian may book a person, any number of times over
their life (the police, then the jail; a re-arrest), and each knows them by its own record. A
refusal never tells one custodian what another holds. The events of a stay (release, transfer,
a new expected release) are in ``custody`` and re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from lexdesk.domain.errors import InvalidInput
from lexdesk.domain.ids import new_id
from lexdesk.domain.permissions import Permission
from lexdesk.domain.persons import (
    Charge,
    Conviction,
    Custody,
    Identifier,
    IdentifierScheme,
    Person,
)
from lexdesk.domain.rules.request import PERSON_FLAGS
from lexdesk.domain.vocabulary import DISCLOSABLE_FIELDS, parse_choice
from lexdesk.services import audit
from lexdesk.services.authorization import authorize, require_custodian
from lexdesk.services.context import Desk, acting_user, agency, audit_actor
from lexdesk.services.custody import (
    ReleasePerson,
    SetExpectedRelease,
    TransferPerson,
    release_person,
    set_expected_release,
    transfer_person,
)
from lexdesk.services.ports import UnitOfWork

__all__ = [
    "PERSON_FACTS",
    "BookPerson",
    "ReleasePerson",
    "SetExpectedRelease",
    "TransferPerson",
    "book_person",
    "release_person",
    "set_expected_release",
    "transfer_person",
]


@dataclass(frozen=True)
class BookPerson:
    actor: str
    family_name: str
    given_name: str
    arrested_on: date
    booked_at: datetime
    expected_release_at: datetime | None = None
    date_of_birth: date | None = None
    place_of_birth: str = ""
    citizenship: str = ""
    identifiers: dict[str, str] = field(default_factory=dict)
    charges: tuple[Charge, ...] = ()
    convictions: tuple[Conviction, ...] = ()
    facts: dict[str, bool] = field(default_factory=dict)
    record: dict[str, str] = field(default_factory=dict)
    source: str = "cli"
    public_information: tuple[str, ...] = ()


#: Facts about a person that the rule packs ask for, beyond convictions and charges: the
#: rule request's own list, so that a fact the engine learns is one a custodian can record.
PERSON_FACTS = PERSON_FLAGS


@audit.records_denials("person.book", "person", None)
def book_person(desk: Desk, command: BookPerson) -> Person:
    """Book a person in: a new record, or a new stay on the record this custodian already
    keeps under one of the identifiers given (its other details are kept as they are)."""
    check_booking(command)
    identifiers = [_identifier(scheme, value) for scheme, value in command.identifiers.items()]
    with desk.uow() as uow:
        person, new = _book(desk, uow, command, identifiers)
        actor, behalf = audit_actor(desk, command.actor)
        audit.record(
            uow,
            actor=actor,
            agency=person.owner_agency_id,
            action="person.book",
            object_type="person",
            object_id=person.id,
            source=command.source,
            detail={"new_record": new, "custody": person.custodies[-1].id, **behalf},
        )
        uow.commit()
    return person


def check_booking(command: BookPerson) -> None:
    unknown = sorted(set(command.facts) - set(PERSON_FACTS))
    if unknown:
        raise InvalidInput(f"unknown fact {unknown[0]!r}: facts are {', '.join(PERSON_FACTS)}")
    if command.expected_release_at and command.expected_release_at < command.booked_at:
        raise InvalidInput("expected release precedes booking: check the dates")
    stray = sorted(set(command.public_information) - set(DISCLOSABLE_FIELDS))
    if stray:
        raise InvalidInput(f"{stray[0]!r} is no field: public information names record fields")
    if not command.family_name.strip() or not command.given_name.strip():
        raise InvalidInput("a person needs a family name and a given name")


def _book(
    desk: Desk, uow: UnitOfWork, command: BookPerson, identifiers: list[Identifier]
) -> tuple[Person, bool]:
    user = acting_user(uow, command.actor)
    authorize(user, Permission.PERSON_WRITE)
    holder = agency(uow, user.agency_id)
    require_custodian(user, holder)
    custody = Custody(
        id=new_id("cus"),
        agency_id=holder.id,
        booked_at=command.booked_at,
        arrested_on=command.arrested_on,
        expected_release_at=command.expected_release_at,
        charges=list(command.charges),
    )
    known = _known(uow, holder.id, identifiers)
    if known is not None:
        known.book_again(custody)
        known.identifiers += [i for i in identifiers if i not in known.identifiers]
        uow.persons.update(known)
        return known, False
    person = Person(
        id=new_id("per"),
        owner_agency_id=holder.id,
        family_name=command.family_name.strip(),
        given_name=command.given_name.strip(),
        date_of_birth=command.date_of_birth,
        place_of_birth=command.place_of_birth,
        citizenship=command.citizenship,
        identifiers=identifiers,
        convictions=list(command.convictions),
        custodies=[custody],
        facts=dict(command.facts),
        record=dict(command.record),
        public_information=tuple(dict.fromkeys(command.public_information)),
    )
    uow.persons.add(person)
    return person, True


def _known(uow: UnitOfWork, holder: str, identifiers: list[Identifier]) -> Person | None:
    """The holder's own record under any of the identifiers; two records is a mistake to fix,
    not to guess at."""
    found = {
        person.id: person
        for ident in identifiers
        if (person := uow.persons.by_identifier(holder, ident.scheme, ident.value)) is not None
    }
    if len(found) > 1:
        raise InvalidInput(
            "those identifiers name different people in your records: book with one of them"
        )
    return next(iter(found.values()), None)


def _identifier(scheme: str, value: str) -> Identifier:
    parsed = parse_choice(IdentifierScheme, scheme, "identifier scheme")
    if not value.strip():
        raise InvalidInput(f"{scheme} needs a value")
    return Identifier(parsed, value.strip())
